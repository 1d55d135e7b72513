/** Reading what Genesys answers: error bodies and rate-limit headers. */
import { genesysErrorBodySchema, type GenesysErrorBody } from '../../domain/genesys';

/** The Genesys error body of a failed response, or undefined when the body is something else. */
export function parseGenesysErrorBody(data: unknown): GenesysErrorBody | undefined {
  const parsed = genesysErrorBodySchema.safeParse(data);
  return parsed.success ? parsed.data : undefined;
}

/** The `inin-ratelimit-*` headers of one response. */
export interface RateLimitStatus {
  allowed: number;
  count: number;
  resetSeconds: number;
  observedAt: number;
}

/** Reads the `inin-ratelimit-*` headers, or undefined when a response carries none. */
export function readRateLimit(
  header: (name: string) => string | undefined,
  now = Date.now(),
): RateLimitStatus | undefined {
  const allowed = Number(header('inin-ratelimit-allowed'));
  const count = Number(header('inin-ratelimit-count'));
  const resetSeconds = Number(header('inin-ratelimit-reset'));
  if (
    !Number.isFinite(allowed) ||
    !Number.isFinite(count) ||
    header('inin-ratelimit-allowed') === undefined
  ) {
    return undefined;
  }
  return { allowed, count, resetSeconds: Number.isFinite(resetSeconds) ? resetSeconds : 0, observedAt: now };
}
