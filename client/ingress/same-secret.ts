/** Secret comparison for every credential the ingress checks (its own and the vendors'). */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Compares two secrets in constant time (their hashes, so lengths never leak either). */
export function sameSecret(known: string, offered: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(known), digest(offered));
}
