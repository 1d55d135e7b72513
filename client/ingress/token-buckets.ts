/**
 * Token buckets by key (a source, a client address): each holds up to one period's worth of tokens
 * (`rate.count`), refills continuously at `rate.count` per `rate.perMs`, and a request takes one. A full
 * bucket is the same as no bucket, so full ones are forgotten: the map holds only keys spending now.
 */
import type { Rate } from '../../config/ingress-security';

/** What taking a token answered: taken, or how long until one is there. */
export type Take = { taken: true } | { taken: false; retryAfterMs: number };

/** How many keys are kept before the full buckets are swept out. */
const sweepAbove = 10_000;

/** Token buckets of one rate, by key. */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private sweepAt = sweepAbove;

  constructor(
    readonly rate: Rate,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes a token of `key`'s bucket if it holds one. */
  take(key: string): Take {
    const bucket = this.current(key);
    if (bucket.tokens >= 1) {
      this.buckets.set(key, { tokens: bucket.tokens - 1, at: bucket.at });
      if (this.buckets.size > this.sweepAt) {
        this.sweep();
        // Under a flood of keys that all keep spending, sweep again only once the map has doubled.
        this.sweepAt = Math.max(sweepAbove, this.buckets.size * 2);
      }
      return { taken: true };
    }
    return { taken: false, retryAfterMs: this.untilOne(bucket.tokens) };
  }

  /** How long until `key`'s bucket holds a token (0 when it does), taking nothing. */
  waitMs(key: string): number {
    const { tokens } = this.current(key);
    return tokens >= 1 ? 0 : this.untilOne(tokens);
  }

  /** How many keys have a bucket that is not full. */
  get size(): number {
    return this.buckets.size;
  }

  private current(key: string): { tokens: number; at: number } {
    const now = this.now();
    const bucket = this.buckets.get(key);
    if (!bucket) return { tokens: this.rate.count, at: now };
    const refilled = ((now - bucket.at) * this.rate.count) / this.rate.perMs;
    return { tokens: Math.min(this.rate.count, bucket.tokens + refilled), at: now };
  }

  private untilOne(tokens: number): number {
    return Math.ceil(((1 - tokens) * this.rate.perMs) / this.rate.count);
  }

  private sweep(): void {
    for (const key of [...this.buckets.keys()]) {
      if (this.current(key).tokens >= this.rate.count) this.buckets.delete(key);
    }
  }
}
