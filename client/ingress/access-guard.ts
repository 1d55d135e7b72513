/**
 * Who may spend what at the ingress. An authenticated source spends its own request rate (counted after
 * authentication, so nobody else can spend it); a client address spends a budget of refused
 * authentications, and once it is spent the address is answered 429 before its credentials are even
 * looked at, which slows a guesser to the budget's pace. Every refused authentication is one audit line.
 */
import type { FastifyRequest } from 'fastify';
import { rateWords, type Rate, type RateLimits } from '../../config/ingress-security';
import { HttpError } from './http';
import { TokenBuckets } from './token-buckets';

/** Where the audit lines go: the process's pino logger. */
export interface AuditLog {
  warn(fields: object, message: string): void;
}

/** The audit line of one refused authentication: never a secret, a token or a signature. */
export interface RefusedAuthentication {
  audit: 'authenticationRefused';
  /** The 401's reason code (`missingCredentials`, `unknownCredentials`, `staleTimestamp`, `invalidSignature`). */
  reason: string;
  /** The source the request named (`X-Byoi-Source`, the adapter route's), as sent, cut to 64 characters. */
  claimedSource: string | undefined;
  /** The client's address, through trusted proxies only. */
  address: string;
  method: string;
  /** The route's pattern, e.g. `/v1/adapters/:source/twilio/taskrouter`. */
  route: string;
}

/** What the guard enforces; undefined limits are off. */
export interface AccessGuardSettings {
  rateLimits: RateLimits | undefined;
  refusalLimit: Rate | undefined;
  auditLog: AuditLog | undefined;
  now?: () => number;
}

/** The ingress's rate limits and its audit of refused authentications. */
export class AccessGuard {
  private readonly sourceBuckets = new Map<string, TokenBuckets>();
  private readonly refusals: TokenBuckets | undefined;

  constructor(private readonly settings: AccessGuardSettings) {
    this.refusals = settings.refusalLimit && new TokenBuckets(settings.refusalLimit, settings.now);
  }

  /** Throws 429 `tooManyRefusals` when the request's address has spent its refused authentications. */
  admitAddress(request: FastifyRequest): void {
    const waitMs = this.refusals?.waitMs(request.ip) ?? 0;
    if (waitMs === 0) return;
    throw tooMany(
      'tooManyRefusals',
      `too many refused authentications from this address (at most ${rateWords(this.refusals!.rate)})`,
      waitMs,
    );
  }

  /**
   * The source `authenticate` names. A 401 it throws is audited and spends the address's budget; an
   * authenticated source over its rate is answered 429 `rateLimited`.
   */
  authenticated(
    request: FastifyRequest,
    claimedSource: string | undefined,
    authenticate: () => string,
  ): string {
    let source: string;
    try {
      source = authenticate();
    } catch (error) {
      if (error instanceof HttpError && error.status === 401)
        this.refused(request, error.code, claimedSource);
      throw error;
    }
    const buckets = this.bucketsOf(source);
    const take = buckets?.take(source);
    if (take && !take.taken) {
      throw tooMany(
        'rateLimited',
        `source ${source} is over its rate limit of ${rateWords(buckets!.rate).replace(' a ', ' requests a ')}`,
        take.retryAfterMs,
      );
    }
    return source;
  }

  private refused(request: FastifyRequest, reason: string, claimedSource: string | undefined): void {
    this.refusals?.take(request.ip);
    const line: RefusedAuthentication = {
      audit: 'authenticationRefused',
      reason,
      claimedSource:
        claimedSource === undefined || claimedSource.length <= 64
          ? claimedSource
          : `${claimedSource.slice(0, 64)}…`,
      address: request.ip,
      method: request.method,
      route: request.routeOptions.url ?? request.url.split('?')[0]!,
    };
    this.settings.auditLog?.warn(line, 'authentication refused');
  }

  private bucketsOf(source: string): TokenBuckets | undefined {
    const limits = this.settings.rateLimits;
    const rate = limits?.bySource[source] ?? limits?.others;
    if (rate === undefined) return undefined;
    let buckets = this.sourceBuckets.get(source);
    if (!buckets) {
      buckets = new TokenBuckets(rate, this.settings.now);
      this.sourceBuckets.set(source, buckets);
    }
    return buckets;
  }
}

/** A 429 with `Retry-After` in whole seconds (at least 1). */
function tooMany(code: 'rateLimited' | 'tooManyRefusals', reason: string, waitMs: number): HttpError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1_000));
  return new HttpError(429, code, `${reason}; retry after ${seconds} s`, { 'retry-after': String(seconds) });
}
