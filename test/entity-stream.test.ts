import assert from 'node:assert/strict';
import { entityStream, ledgerShown, ledgerSize, type StreamCounters } from '../workflows/entity-stream';
import { settleEvent } from '../workflows/event-stream';

const settings = { reorderWindowMs: 2_000, dedupWindowMs: 86_400_000, maxEventAgeMs: 7 * 86_400_000 };
const startMs = Date.parse('2026-11-25T10:00:00.000Z');

interface TestEvent {
  eventId: string;
  occurredAt: string;
  stream: string;
}

const event = (eventId: string, offsetMs: number, stream = 'presence'): TestEvent => ({
  eventId,
  occurredAt: new Date(startMs + offsetMs).toISOString(),
  stream,
});

/** A core over fresh state, its clock at `clock.nowMs`, its metric calls in `counted`. */
function core(clock = { nowMs: startMs }, counted: string[] = []) {
  return entityStream<
    TestEvent,
    StreamCounters,
    'late' | 'tooOld' | 'skipped' | 'afterAbandon',
    { stream: string }
  >({
    state: { counters: { received: 0, duplicates: 0, late: 0, tooOld: 0, skipped: 0 } },
    settings,
    streamOf: (each) => each.stream,
    describe: (each) => ({ stream: each.stream }),
    counted: (outcome) => counted.push(outcome),
    now: () => clock.nowMs,
  });
}

const arrive = (stream: ReturnType<typeof core>, ...events: TestEvent[]) =>
  stream.state.inbox.push(...events.map((each) => ({ event: each, receivedAtMs: startMs })));

describe('the entity stream core', () => {
  it('admits what arrived in order of occurrence, counting received and duplicates, and tells the metric', () => {
    const counted: string[] = [];
    const stream = core(undefined, counted);
    arrive(stream, event('b', 20), event('a', 10), event('b', 20));
    assert.equal(stream.pending(), 3, 'signalled events are pending before admission');
    assert.equal(stream.admitArrivals(), 3);
    assert.deepEqual(
      stream.state.stream.pending.map((pending) => pending.event.eventId),
      ['a', 'b'],
    );
    assert.deepEqual(stream.state.counters, { received: 3, duplicates: 1, late: 0, tooOld: 0, skipped: 0 });
    assert.deepEqual(counted.sort(), ['duplicates', 'received', 'received', 'received']);
    assert.equal(stream.admitArrivals(), 0, 'the inbox was emptied');
  });

  it('records an event past the 7-day limit, and one its stream has moved past, in the ledger with the reason', () => {
    const clock = { nowMs: startMs };
    const stream = core(clock);
    arrive(stream, event('accepted', 10));
    stream.admitArrivals();
    settleEvent(stream.state.stream, stream.state.stream.pending[0]!, 'presence');
    clock.nowMs += 1_000;
    arrive(stream, event('late', 5), event('other stream', 5, 'routing'), event('ancient', -8 * 86_400_000));
    stream.admitArrivals();
    assert.deepEqual(
      stream.state.ledger.map(({ eventId, outcome, stream: of }) => ({ eventId, outcome, of })),
      [
        { eventId: 'late', outcome: 'late', of: 'presence' },
        { eventId: 'ancient', outcome: 'tooOld', of: 'presence' },
      ],
    );
    assert.match(stream.state.ledger[0]!.reason, /before 2026-11-25T10:00:00\.010Z, the last presence/);
    assert.equal(stream.state.ledger[0]!.recordedAt, new Date(clock.nowMs).toISOString());
    assert.equal(stream.state.counters.late, 1);
    assert.equal(stream.state.counters.tooOld, 1);
    assert.deepEqual(
      stream.state.stream.pending.map((pending) => pending.event.eventId),
      ['other stream'],
      'the routing stream has its own watermark',
    );
  });

  it("readmits an operator's retry even though its id was seen, and records it again if it is late now", () => {
    const stream = core();
    arrive(stream, event('first', 10), event('second', 20));
    stream.admitArrivals();
    const [first, second] = stream.state.stream.pending;
    settleEvent(stream.state.stream, first!);
    settleEvent(stream.state.stream, second!, 'presence');
    assert.equal(stream.readmit(first!.event).outcome, 'late');
    assert.equal(stream.state.ledger.at(-1)?.eventId, 'first');
    assert.equal(stream.readmit(event('third', 30)).outcome, 'queued');
  });

  it('keeps the latest ledger entries, shows the latest few, and counts only outcomes it has a counter for', () => {
    const stream = core();
    for (let index = 0; index < ledgerSize + 5; index++)
      stream.record(event(`e${index}`, index), 'skipped', 'by test');
    assert.equal(stream.state.ledger.length, ledgerSize);
    assert.equal(stream.state.ledger[0]!.eventId, 'e5');
    assert.equal(stream.recentLedger().length, ledgerShown);
    assert.equal(stream.recentLedger().at(-1)!.eventId, `e${ledgerSize + 4}`);
    assert.equal(stream.state.counters.skipped, ledgerSize + 5);
    stream.record(event('after', 1), 'afterAbandon', 'abandoned');
    assert.equal(stream.state.ledger.at(-1)!.outcome, 'afterAbandon');
    assert.deepEqual(Object.keys(stream.state.counters), [
      'received',
      'duplicates',
      'late',
      'tooOld',
      'skipped',
    ]);
  });

  it('goes on from carried state as it was (continue-as-new carries plain data)', () => {
    const before = core();
    arrive(before, event('a', 10));
    before.admitArrivals();
    before.record(event('x', 1), 'skipped', 'by test');
    arrive(before, event('still in the inbox', 30));
    const carried = JSON.parse(JSON.stringify(before.state)) as typeof before.state;
    const after = entityStream<
      TestEvent,
      StreamCounters,
      'late' | 'tooOld' | 'skipped' | 'afterAbandon',
      { stream: string }
    >({
      state: carried,
      settings,
      streamOf: (each) => each.stream,
      describe: (each) => ({ stream: each.stream }),
      counted: () => undefined,
      now: () => startMs,
    });
    assert.equal(after.pending(), 2);
    arrive(after, event('a', 10));
    after.admitArrivals();
    assert.equal(after.state.counters.duplicates, 1, 'the deduplication window came along');
    assert.equal(after.state.ledger[0]!.eventId, 'x');
  });
});
