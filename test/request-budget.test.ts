import assert from 'node:assert/strict';
import { RequestBudget, requestPriorities } from '../activities/genesys/request-budget';
import { busiestWindow } from './genesys-fixtures';

describe('the request budget', () => {
  it('never grants more than its budget inside any rolling window, however much is asked', async () => {
    const budget = new RequestBudget({ requestsPerWindow: 5, headroom: 0, windowMs: 400 });
    const grants: number[] = [];
    await Promise.all(
      Array.from({ length: 17 }, () =>
        budget.acquire(requestPriorities.events).then(() => grants.push(Date.now())),
      ),
    );
    budget.close();
    assert.equal(grants.length, 17);
    assert.ok(busiestWindow(grants, 400) <= 5, `busiest window held ${busiestWindow(grants, 400)} grants`);
    // 17 requests at 5 per window need at least three full windows after the first burst.
    assert.ok((grants.at(-1) ?? 0) - (grants[0] ?? 0) >= 3 * 400 - 10);
  });

  it('paces a sustained load at the steady rate instead of spending the window in one burst', async () => {
    // 20 per second: a burst of 2, then one every ~56 ms; a sliding log alone would grant all 20 at once.
    const budget = new RequestBudget({
      requestsPerWindow: 20,
      headroom: 0,
      windowMs: 1_000,
      reuseMarginMs: 0,
    });
    const started = Date.now();
    const grants: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, () =>
        budget.acquire(requestPriorities.events).then(() => grants.push(Date.now() - started)),
      ),
    );
    budget.close();
    const early = grants.filter((at) => at < 150).length;
    assert.ok(early <= 6, `${early} grants in the first 150 ms`);
    const gaps = grants.slice(1).map((at, index) => at - grants[index]!);
    assert.ok(Math.max(...gaps) < 250, `a stall of ${Math.max(...gaps)} ms between grants`);
    assert.ok(busiestWindow(grants, 1_000) <= 20);
  });

  it('holds every request while a Retry-After pause lasts', async () => {
    const budget = new RequestBudget({ requestsPerWindow: 300 });
    await budget.acquire(requestPriorities.events);
    budget.pause(300);
    const started = Date.now();
    await budget.acquire(requestPriorities.directory);
    budget.close();
    assert.ok(Date.now() - started >= 290, `granted after ${Date.now() - started} ms`);
    assert.ok(budget.pausedForMs >= 290 && budget.pausedForMs <= 300);
  });

  it('withdraws a cancelled request, so it never spends a slot later', async () => {
    const budget = new RequestBudget({ requestsPerWindow: 1, headroom: 0, windowMs: 60_000 });
    await budget.acquire(requestPriorities.events);
    const cancel = new AbortController();
    const waiting = budget.acquire(requestPriorities.events, cancel.signal);
    assert.equal(budget.waiting, 1);
    cancel.abort(new Error('activity cancelled'));
    await assert.rejects(waiting, /activity cancelled/);
    assert.equal(budget.waiting, 0);
    assert.equal(budget.used, 1);
    budget.close();
  });

  it('refuses waiting and later requests once closed', async () => {
    const budget = new RequestBudget({ requestsPerWindow: 1, headroom: 0 });
    await budget.acquire(requestPriorities.events);
    const waiting = budget.acquire(requestPriorities.events);
    budget.close();
    await assert.rejects(waiting, /closed/);
    await assert.rejects(budget.acquire(requestPriorities.events), /closed/);
  });

  it('keeps the configured headroom free', () => {
    assert.equal(new RequestBudget({ requestsPerWindow: 300 }).requestsPerWindow, 270);
    assert.equal(new RequestBudget({ requestsPerWindow: 300, headroom: 0 }).requestsPerWindow, 300);
    assert.equal(new RequestBudget({ requestsPerWindow: 300 }).windowLengthMs, 60_000);
  });

  it('serves event traffic, then lookups, ahead of uploads and directory calls that were waiting longer', async () => {
    const budget = new RequestBudget({ requestsPerWindow: 1, headroom: 0, windowMs: 150 });
    // The window's one slot goes to a directory call, so no event grant is owed a share yet.
    await budget.acquire(requestPriorities.directory);
    const order: string[] = [];
    const waiting = [
      budget.acquire(requestPriorities.directory).then(() => order.push('directory')),
      budget.acquire(requestPriorities.uploads).then(() => order.push('uploads')),
      budget.acquire(requestPriorities.lookups).then(() => order.push('lookups')),
      budget.acquire(requestPriorities.events).then(() => order.push('events')),
    ];
    await Promise.all(waiting);
    budget.close();
    assert.deepEqual(order, ['events', 'lookups', 'uploads', 'directory']);
  });

  it('keeps every other grant for lookups while event traffic never stops waiting', async () => {
    const budget = new RequestBudget({ requestsPerWindow: 1, headroom: 0, windowMs: 20, reuseMarginMs: 0 });
    await budget.acquire(requestPriorities.events);
    const order: string[] = [];
    const waiting = [
      ...Array.from({ length: 6 }, () =>
        budget.acquire(requestPriorities.events).then(() => order.push('event')),
      ),
      ...Array.from({ length: 2 }, () =>
        budget.acquire(requestPriorities.lookups).then(() => order.push('lookup')),
      ),
    ];
    await Promise.all(waiting);
    budget.close();
    assert.deepEqual(order, ['lookup', 'event', 'lookup', 'event', 'event', 'event', 'event', 'event']);
  });

  it('shrinks to what Genesys reports as allowed when that is less than configured', async () => {
    const budget = new RequestBudget({ requestsPerWindow: 300, headroom: 0.1 });
    budget.observeAllowed(100);
    assert.equal(budget.requestsPerWindow, 90);
    budget.observeAllowed(1000);
    assert.equal(budget.requestsPerWindow, 270);
    await budget.acquire(requestPriorities.events);
    assert.equal(budget.used, 1);
    budget.close();
  });

  it('takes its share when several workers draw on one OAuth client, of the setting and of what Genesys reports', async () => {
    const shares = [1, 2].map(
      () => new RequestBudget({ requestsPerWindow: 12, headroom: 0, sharedBy: 2, windowMs: 400 }),
    );
    assert.equal(shares[0]!.requestsPerWindow, 6);
    // Both workers asking all they can: together they stay inside the client's one budget.
    const grants: number[] = [];
    await Promise.all(
      shares.flatMap((budget) =>
        Array.from({ length: 15 }, () =>
          budget.acquire(requestPriorities.events).then(() => grants.push(Date.now())),
        ),
      ),
    );
    assert.ok(busiestWindow(grants, 400) <= 12, `busiest window held ${busiestWindow(grants, 400)} grants`);
    shares[0]!.observeAllowed(8);
    assert.equal(shares[0]!.requestsPerWindow, 4);
    for (const budget of shares) budget.close();
  });
});
