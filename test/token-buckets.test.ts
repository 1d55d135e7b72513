import assert from 'node:assert/strict';
import { TokenBuckets } from '../client/ingress/token-buckets';

/** Buckets of `count` per `perMs` on a clock the test moves. */
function bucketsOn(count: number, perMs: number) {
  const clock = { now: 0 };
  return { clock, buckets: new TokenBuckets({ count, perMs }, () => clock.now) };
}

describe('token buckets', () => {
  it('lets a key spend one period’s worth at once, then answers how long until the next token', () => {
    const { buckets } = bucketsOn(3, 1_000);
    assert.deepEqual(
      [buckets.take('acd'), buckets.take('acd'), buckets.take('acd')],
      Array(3).fill({ taken: true }),
    );
    assert.deepEqual(buckets.take('acd'), { taken: false, retryAfterMs: 334 });
    assert.equal(buckets.waitMs('acd'), 334);
  });

  it('refills continuously at the rate, never above one period’s worth', () => {
    const { clock, buckets } = bucketsOn(2, 60_000);
    buckets.take('acd');
    buckets.take('acd');
    clock.now = 30_000;
    assert.deepEqual(buckets.take('acd'), { taken: true });
    assert.deepEqual(buckets.take('acd'), { taken: false, retryAfterMs: 30_000 });
    clock.now = 10 * 60_000;
    assert.deepEqual(
      [buckets.take('acd'), buckets.take('acd'), buckets.take('acd').taken],
      [{ taken: true }, { taken: true }, false],
    );
  });

  it('keeps each key’s bucket apart', () => {
    const { buckets } = bucketsOn(1, 1_000);
    assert.deepEqual(buckets.take('203.0.113.1'), { taken: true });
    assert.equal(buckets.take('203.0.113.1').taken, false);
    assert.deepEqual(buckets.take('203.0.113.2'), { taken: true });
  });

  it('takes nothing when it only answers how long to wait', () => {
    const { buckets } = bucketsOn(1, 1_000);
    assert.equal(buckets.waitMs('acd'), 0);
    assert.equal(buckets.waitMs('acd'), 0);
    assert.deepEqual(buckets.take('acd'), { taken: true });
  });

  it('forgets buckets that refilled, so a flood of addresses does not grow the map for ever', () => {
    const { clock, buckets } = bucketsOn(5, 1_000);
    for (let address = 0; address < 10_000; address++) buckets.take(`10.0.${address >> 8}.${address & 255}`);
    assert.equal(buckets.size, 10_000);
    clock.now = 1_000;
    buckets.take('192.0.2.1');
    assert.equal(buckets.size, 1);
  });
});
