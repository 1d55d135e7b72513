import assert from 'node:assert/strict';
import { agentEventSchema, type AgentEvent, type AgentEventInput } from '../domain/events/agent-event';
import {
  admitAgentEvent,
  emptyAgentStream,
  forgetOldEventIds,
  nextDue,
  settleAgentEvent,
  stampEvent,
  takeDue,
  type AgentStreamState,
} from '../workflows/event-stream';
import { seededRandom } from '../simulator/random';

const settings = { reorderWindowMs: 2_000, dedupWindowMs: 86_400_000, maxEventAgeMs: 7 * 86_400_000 };
const start = Date.parse('2026-11-25T10:00:00.000Z');

/** A presence (or routing) event of agent-1 that occurred `offsetMs` after the start. */
function agentEvent(eventId: string, offsetMs: number, changes: Partial<AgentEventInput> = {}): AgentEvent {
  return agentEventSchema.parse({
    source: 'acd',
    agentId: 'agent-1',
    eventId,
    occurredAt: new Date(start + offsetMs).toISOString(),
    change: { kind: 'presence', state: 'Available' },
    ...changes,
  });
}

/** Publishes everything due at `nowMs`, accepting each; returns the eventIds in publish order. */
function drain(state: AgentStreamState, nowMs: number): string[] {
  const published: string[] = [];
  for (;;) {
    const next = nextDue(state, nowMs, settings);
    if (!next || !('due' in next)) return published;
    settleAgentEvent(state, next.due, true);
    published.push(next.due.event.eventId);
  }
}

describe('the normalised agent event', () => {
  it('normalises occurredAt to UTC with milliseconds', () => {
    const event = agentEventSchema.parse({
      source: 'acd',
      agentId: 'a',
      eventId: 'e',
      occurredAt: '2026-11-25T11:00:00+01:00',
      change: { kind: 'routingStatus', status: 'Idle' },
    });
    assert.equal(event.occurredAt, '2026-11-25T10:00:00.000Z');
  });

  it('refuses a timestamp without a zone and a routing status Genesys does not know, naming the fields', () => {
    const result = agentEventSchema.safeParse({
      source: 'acd',
      agentId: 'a',
      eventId: 'e',
      occurredAt: '2026-11-25T10:00:00',
      change: { kind: 'routingStatus', status: 'OFF_QUEUE' },
    });
    assert.equal(result.success, false);
    const paths = (result.error?.issues ?? []).map((issue) => issue.path.join('.'));
    assert.deepEqual(paths.sort(), ['change.status', 'occurredAt']);
  });
});

describe('the agent stream', () => {
  it('holds events for the reorder window and hands them out in occurrence order', () => {
    const state = emptyAgentStream();
    admitAgentEvent(state, agentEvent('b', 2_000), start + 10_000, settings);
    admitAgentEvent(state, agentEvent('a', 1_000), start + 10_500, settings);
    // The earliest event goes first, so b, though its own window has passed, waits for a's.
    assert.deepEqual(nextDue(state, start + 11_000, settings), { waitMs: 1_500 });
    assert.deepEqual(drain(state, start + 12_000), []);
    assert.deepEqual(drain(state, start + 12_500), ['a', 'b']);
  });

  it('runs the window from when the bridge received an event, so an event held for it is due on arrival', () => {
    const state = emptyAgentStream();
    // Held by the ingress for the window: received 2 s before it reached the workflow.
    admitAgentEvent(state, agentEvent('held', 1_000), start + 12_000, settings, start + 10_000);
    // A receipt "after" the workflow's clock (another machine) counts from the arrival.
    admitAgentEvent(state, agentEvent('skewed', 1_500), start + 12_000, settings, start + 99_000);
    const due = takeDue(state, start + 12_000, settings);
    assert.ok(due && 'due' in due);
    assert.deepEqual(
      due.due.map((pending) => pending.event.eventId),
      ['held'],
    );
    settleAgentEvent(state, due.due[0]!, true);
    assert.deepEqual(takeDue(state, start + 13_000, settings), { waitMs: 1_000 });
  });

  it('hands out every due event at once, stopping at the first whose window has not passed', () => {
    const state = emptyAgentStream();
    admitAgentEvent(state, agentEvent('a', 1_000), start + 10_000, settings);
    admitAgentEvent(
      state,
      agentEvent('r', 1_000, { change: { kind: 'routingStatus', status: 'Idle' } }),
      start + 10_000,
      settings,
    );
    admitAgentEvent(state, agentEvent('c', 3_000), start + 11_000, settings);
    admitAgentEvent(state, agentEvent('b', 2_000), start + 10_500, settings);
    const due = takeDue(state, start + 12_600, settings);
    assert.ok(due && 'due' in due);
    assert.deepEqual(
      due.due.map((pending) => pending.event.eventId),
      ['a', 'r', 'b'],
    );
  });

  it('breaks ties of occurredAt by sequence, then by arrival', () => {
    const state = emptyAgentStream();
    admitAgentEvent(state, agentEvent('third', 0), start, settings);
    admitAgentEvent(state, agentEvent('second', 0, { sequence: 2 }), start, settings);
    admitAgentEvent(state, agentEvent('first', 0, { sequence: 1 }), start, settings);
    assert.deepEqual(drain(state, start + 5_000), ['first', 'second', 'third']);
  });

  it('stamps tied events of one stream a millisecond apart in publish order, each stream on its own', () => {
    const state = emptyAgentStream();
    admitAgentEvent(state, agentEvent('first', 0, { sequence: 1 }), start, settings);
    admitAgentEvent(state, agentEvent('second', 0, { sequence: 2 }), start, settings);
    const routing = { change: { kind: 'routingStatus', status: 'Idle' } } as const;
    admitAgentEvent(state, agentEvent('routing', 0, routing), start, settings);
    admitAgentEvent(state, agentEvent('later', 500), start, settings);
    const stamped: [string, string][] = [];
    for (;;) {
      const next = nextDue(state, start + 5_000, settings);
      if (!next || !('due' in next)) break;
      stamped.push([next.due.event.eventId, stampEvent(state, next.due, next.due.event.change.kind)]);
      settleAgentEvent(state, next.due, true);
    }
    const at = (offsetMs: number) => new Date(start + offsetMs).toISOString();
    assert.deepEqual(
      new Map(stamped),
      new Map([
        ['first', at(0)],
        ['second', at(1)],
        ['routing', at(0)],
        ['later', at(500)],
      ]),
    );
    // A late tie with what went out already goes out after it, never with the same time.
    admitAgentEvent(state, agentEvent('tie', 500), start + 5_000, settings);
    const tie = nextDue(state, start + 10_000, settings);
    assert.ok(tie && 'due' in tie);
    assert.equal(stampEvent(state, tie.due, 'presence'), at(501));
  });

  it('accepts an eventId once within the deduplication window, and forgets it at most an hour after', () => {
    const state = emptyAgentStream();
    assert.deepEqual(admitAgentEvent(state, agentEvent('x', 0), start, settings), { outcome: 'queued' });
    assert.deepEqual(admitAgentEvent(state, agentEvent('x', 0), start + 1, settings), {
      outcome: 'duplicate',
    });
    forgetOldEventIds(state, start + settings.dedupWindowMs - 1, settings);
    assert.equal(admitAgentEvent(state, agentEvent('x', 0), start + 2, settings).outcome, 'duplicate');
    forgetOldEventIds(state, start + settings.dedupWindowMs + 3_600_000, settings);
    assert.deepEqual(state.seen, []);
    assert.equal(admitAgentEvent(state, agentEvent('x', 0), start + 3, settings).outcome, 'queued');
  });

  it('reports an event earlier than what Genesys accepted for its stream as late, per stream', () => {
    const state = emptyAgentStream();
    admitAgentEvent(state, agentEvent('now', 5_000), start + 5_000, settings);
    drain(state, start + 10_000);
    const late = admitAgentEvent(state, agentEvent('before', 4_000), start + 11_000, settings);
    assert.equal(late.outcome, 'late');
    assert.match('reason' in late ? late.reason : '', /before 2026-11-25T10:00:05.000Z, the last presence/);
    assert.equal(
      admitAgentEvent(state, agentEvent('same-time', 5_000), start + 11_000, settings).outcome,
      'queued',
    );
    const routing = agentEvent('routing', 1_000, { change: { kind: 'routingStatus', status: 'Idle' } });
    assert.equal(admitAgentEvent(state, routing, start + 11_000, settings).outcome, 'queued');
  });

  it('keeps the watermark where it was when Genesys refused an event', () => {
    const state = emptyAgentStream();
    admitAgentEvent(state, agentEvent('refused', 9_000), start, settings);
    const next = nextDue(state, start + 5_000, settings);
    assert.ok(next && 'due' in next);
    settleAgentEvent(state, next.due, false);
    assert.equal(
      admitAgentEvent(state, agentEvent('earlier', 1_000), start + 6_000, settings).outcome,
      'queued',
    );
  });

  it('reports events past the 7-day limit without queueing them', () => {
    const state = emptyAgentStream();
    const admission = admitAgentEvent(state, agentEvent('old', -8 * 86_400_000), start, settings);
    assert.equal(admission.outcome, 'tooOld');
    assert.equal(state.pending.length, 0);
  });

  it('delivers 2,000 events shuffled within the window, with 20 % duplicates, each once and in order', () => {
    const random = seededRandom(7);
    const events = Array.from({ length: 2_000 }, (_, index) => agentEvent(`e-${index}`, index * 100));
    const offered = [...events, ...events.filter(() => random() < 0.2)];
    // Each arrives at its occurrence plus up to 1.5 s of jitter: within the 2 s reorder window.
    const arrivals = offered
      .map((event) => ({ event, at: Date.parse(event.occurredAt) + Math.floor(random() * 1_500) }))
      .sort((a, b) => a.at - b.at);
    const state = emptyAgentStream();
    const published: string[] = [];
    for (const { event, at } of arrivals) {
      published.push(...drain(state, at));
      admitAgentEvent(state, event, at, settings);
    }
    published.push(...drain(state, Number.MAX_SAFE_INTEGER));
    assert.deepEqual(
      published,
      events.map((event) => event.eventId),
    );
  });
});
