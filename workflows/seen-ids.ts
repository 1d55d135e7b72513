/**
 * The eventIds a stream has seen in its deduplication window, kept compact: the window lasts a day, an
 * agent sees about 1,400 events a day at the seed's rate, the set crosses every continue-as-new in the
 * workflow's input and lives in the worker's cache for every agent. A map of raw ids to the time each
 * was seen costs about 110 bytes an id in the heap and 55 in the history (a 36-character UUID and a
 * timestamp); this keeps a 10-character fingerprint of each id in hourly buckets, one string a bucket:
 * 10 bytes an id, whatever the vendor's ids look like, and forgetting is dropping whole buckets.
 *
 * A fingerprint is 60 bits of SHA-256 over the id (pure JavaScript: it runs in Temporal's sandbox), so
 * no sender can make two ids of one agent collide. By chance, a new id matches one of 1,400 remembered
 * with a probability of about 1.2e-15: for 4,000 agents at the seed's rate, once in some 400,000 years.
 * An id is remembered at least the window and at most one bucket longer.
 */
import { sha256 } from '@noble/hashes/sha2';
import { utf8ToBytes } from '@noble/hashes/utils';

/** One bucket: the fingerprints of the ids first seen from `fromMs` on, for one bucket's width. */
export interface SeenBucket {
  fromMs: number;
  /** Fingerprints, {@link fingerprintLength} characters each, concatenated. */
  fingerprints: string;
}

/** The ids seen in the window, oldest bucket first: plain data, so it crosses continue-as-new. */
export type SeenIds = SeenBucket[];

/** How many buckets a window is cut into: an id outlives the window by at most one bucket. */
const bucketsPerWindow = 24;
/** Characters of a fingerprint: 6 bits each. */
export const fingerprintLength = 10;
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The fingerprint of an eventId: its SHA-256's first 60 bits, base64url. */
export function fingerprintOf(eventId: string): string {
  const digest = sha256(utf8ToBytes(eventId));
  let text = '';
  for (let bit = 0; bit < fingerprintLength * 6; bit += 6) {
    const byte = bit >> 3;
    // Six bits starting `bit % 8` bits into `byte`, read across the next byte.
    const pair = (digest[byte]! << 8) | digest[byte + 1]!;
    text += alphabet[(pair >> (10 - (bit & 7))) & 63];
  }
  return text;
}

/** Where the fingerprint sits in the bucket (a multiple of its length), or -1. */
function indexIn(bucket: SeenBucket, fingerprint: string): number {
  for (let at = bucket.fingerprints.indexOf(fingerprint); at >= 0;) {
    if (at % fingerprintLength === 0) return at;
    at = bucket.fingerprints.indexOf(fingerprint, at + 1);
  }
  return -1;
}

/** Whether some bucket holds `fingerprint`. */
function holds(seen: SeenIds, fingerprint: string): boolean {
  return seen.some((bucket) => indexIn(bucket, fingerprint) >= 0);
}

/** Whether `eventId` was seen (and not forgotten). */
export function hasSeen(seen: SeenIds, eventId: string): boolean {
  return holds(seen, fingerprintOf(eventId));
}

/**
 * Remembers `eventId` as seen at `nowMs` (workflow time), in the bucket of that time; false, changing
 * nothing, when it was seen already. One hash for both, as every event admitted asks both.
 */
export function markSeen(seen: SeenIds, eventId: string, nowMs: number, windowMs: number): boolean {
  const fingerprint = fingerprintOf(eventId);
  if (holds(seen, fingerprint)) return false;
  const width = windowMs / bucketsPerWindow;
  const fromMs = Math.floor(nowMs / width) * width;
  let bucket = seen.at(-1);
  if (bucket === undefined || bucket.fromMs < fromMs) {
    bucket = { fromMs, fingerprints: '' };
    seen.push(bucket);
  }
  bucket.fingerprints += fingerprint;
  return true;
}

/** Forgets `eventId` (an operator's retry offers the event again). */
export function unmarkSeen(seen: SeenIds, eventId: string): void {
  const fingerprint = fingerprintOf(eventId);
  for (const bucket of seen) {
    const at = indexIn(bucket, fingerprint);
    if (at >= 0) {
      bucket.fingerprints =
        bucket.fingerprints.slice(0, at) + bucket.fingerprints.slice(at + fingerprintLength);
    }
  }
}

/** Drops the buckets whose every id was seen longer than `windowMs` ago. */
export function forgetSeenBefore(seen: SeenIds, nowMs: number, windowMs: number): void {
  const width = windowMs / bucketsPerWindow;
  const keep = seen.findIndex((bucket) => bucket.fromMs + width > nowMs - windowMs);
  seen.splice(0, keep < 0 ? seen.length : keep);
}

/** How many ids are remembered. */
export function seenCount(seen: SeenIds): number {
  return seen.reduce((sum, bucket) => sum + bucket.fingerprints.length / fingerprintLength, 0);
}
