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

  it('keeps the configured headroom free', () => {
    assert.equal(new RequestBudget({ requestsPerWindow: 300 }).requestsPerWindow, 270);
    assert.equal(new RequestBudget({ requestsPerWindow: 300, headroom: 0 }).requestsPerWindow, 300);
    assert.equal(new RequestBudget({ requestsPerWindow: 300 }).windowLengthMs, 60_000);
  });

  it('serves event traffic ahead of uploads and directory calls that were waiting longer', async () => {
    const budget = new RequestBudget({ requestsPerWindow: 1, headroom: 0, windowMs: 150 });
    await budget.acquire(requestPriorities.events);
    const order: string[] = [];
    const waiting = [
      budget.acquire(requestPriorities.directory).then(() => order.push('directory')),
      budget.acquire(requestPriorities.uploads).then(() => order.push('uploads')),
      budget.acquire(requestPriorities.events).then(() => order.push('events')),
    ];
    await Promise.all(waiting);
    budget.close();
    assert.deepEqual(order, ['events', 'uploads', 'directory']);
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
});
