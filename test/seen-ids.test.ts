import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  fingerprintLength,
  fingerprintOf,
  forgetSeenBefore,
  hasSeen,
  markSeen,
  seenCount,
  unmarkSeen,
  type SeenIds,
} from '../workflows/seen-ids';

const dayMs = 86_400_000;
const hourMs = 3_600_000;
const start = Date.parse('2026-12-03T00:00:00.000Z');

/** A day of one agent at the seed's rate: about 1,400 vendor event ids (UUIDs), evenly spread. */
function dayOfIds(): { id: string; atMs: number }[] {
  return Array.from({ length: 1_400 }, (_, index) => ({
    id: randomUUID(),
    atMs: start + Math.floor((index * dayMs) / 1_400),
  }));
}

describe('the compact set of eventIds seen', () => {
  it('knows every id of a day seen, and takes none of 100,000 others for one', () => {
    const seen: SeenIds = [];
    const day = dayOfIds();
    for (const { id, atMs } of day) assert.ok(markSeen(seen, id, atMs, dayMs), `${id} is new`);
    assert.equal(markSeen(seen, day[0]!.id, start + dayMs, dayMs), false, 'a second sighting');
    assert.equal(seenCount(seen), 1_400);
    assert.ok(
      day.every(({ id }) => hasSeen(seen, id)),
      'each id offered again is a duplicate',
    );
    const mistaken = Array.from({ length: 100_000 }, () => randomUUID()).filter((id) => hasSeen(seen, id));
    assert.deepEqual(mistaken, []);
  });

  it('keeps a day of ids in under a quarter of the bytes of a map of ids to times', () => {
    const seen: SeenIds = [];
    const map: Record<string, number> = {};
    for (const { id, atMs } of dayOfIds()) {
      markSeen(seen, id, atMs, dayMs);
      map[id] = atMs;
    }
    const compact = JSON.stringify(seen).length;
    const plain = JSON.stringify(map).length;
    assert.ok(compact < 1_400 * fingerprintLength * 1.1, `${compact} bytes for 1,400 ids`);
    assert.ok(compact * 4 < plain, `${compact} bytes, against ${plain} for the map`);
  });

  it('remembers an id at least the window and at most an hour longer, dropping whole hours', () => {
    const seen: SeenIds = [];
    markSeen(seen, 'first', start + 10 * 60_000, dayMs);
    markSeen(seen, 'later', start + 2 * hourMs, dayMs);
    forgetSeenBefore(seen, start + 10 * 60_000 + dayMs - 1, dayMs);
    assert.ok(hasSeen(seen, 'first'), 'within the window');
    forgetSeenBefore(seen, start + hourMs + dayMs, dayMs);
    assert.equal(hasSeen(seen, 'first'), false, 'an hour past the window of its bucket');
    assert.ok(hasSeen(seen, 'later'));
    assert.equal(seen.length, 1);
    forgetSeenBefore(seen, start + 3 * hourMs + dayMs, dayMs);
    assert.deepEqual(seen, []);
  });

  it('forgets one id on its own, leaving the others found', () => {
    const seen: SeenIds = [];
    for (const id of ['a', 'b', 'c']) markSeen(seen, id, start, dayMs);
    unmarkSeen(seen, 'b');
    assert.deepEqual(
      ['a', 'b', 'c'].map((id) => hasSeen(seen, id)),
      [true, false, true],
    );
  });

  it('finds a fingerprint only where one starts, never straddling two', () => {
    const fingerprint = fingerprintOf('x');
    assert.equal(fingerprint.length, fingerprintLength);
    assert.match(fingerprint, /^[A-Za-z0-9_-]+$/);
    const half = 'A'.repeat(fingerprintLength / 2);
    const straddling: SeenIds = [{ fromMs: start, fingerprints: `${half}${fingerprint}${half}` }];
    assert.equal(hasSeen(straddling, 'x'), false);
    assert.notEqual(fingerprintOf('y'), fingerprint);
  });
});
