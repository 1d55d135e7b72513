/**
 * OAuth client credentials (contract §1): one cached access token per client, renewed shortly before
 * it expires, fetched once however many callers ask at the same moment, and dropped on a 401 so the
 * next call fetches a new one. The secret never leaves this object: not in errors, not in logs.
 */
import type { AxiosInstance } from 'axios';
import { oauthTokenResponseSchema } from '../../domain/genesys';
import { GenesysApiError, parseRetryAfter } from './errors';
import { parseGenesysErrorBody } from './responses';

/** An OAuth client's credentials, read from the worker's environment only. */
export interface GenesysCredentials {
  clientId: string;
  clientSecret: string;
}

interface CachedToken {
  value: string;
  renewAt: number;
}

/** Supplies bearer tokens for API calls. */
export class TokenProvider {
  private cached: CachedToken | undefined;
  private pending: Promise<CachedToken> | undefined;
  /** How many tokens were fetched (for metrics and tests). */
  fetched = 0;

  constructor(
    private readonly http: AxiosInstance,
    private readonly loginBaseUrl: string,
    private readonly credentials: GenesysCredentials,
    private readonly now: () => number = Date.now,
  ) {}

  /** A valid access token, from the cache when it is not about to expire. */
  async token(): Promise<string> {
    if (this.cached && this.now() < this.cached.renewAt) return this.cached.value;
    this.pending ??= this.fetch().finally(() => (this.pending = undefined));
    this.cached = await this.pending;
    return this.cached.value;
  }

  /** Forgets `token` after Genesys refused it (401), unless a newer one already replaced it. */
  invalidate(token: string): void {
    if (this.cached?.value === token) this.cached = undefined;
  }

  private async fetch(): Promise<CachedToken> {
    const path = '/oauth/token';
    const basic = Buffer.from(`${this.credentials.clientId}:${this.credentials.clientSecret}`).toString(
      'base64',
    );
    const response = await this.http
      .post<unknown>(`${this.loginBaseUrl}${path}`, 'grant_type=client_credentials', {
        headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded' },
        validateStatus: () => true,
      })
      .catch((error: unknown) => {
        throw GenesysApiError.noResponse('POST', path, error);
      });
    if (response.status !== 200) {
      const body = parseGenesysErrorBody(response.data);
      throw new GenesysApiError({
        method: 'POST',
        path,
        status: response.status,
        code: body?.code,
        message: body?.message ?? `token request for client ${this.credentials.clientId} refused`,
        correlationId: headerValue(response.headers['inin-correlation-id']),
        retryAfterMs: parseRetryAfter(headerValue(response.headers['retry-after'])),
      });
    }
    const parsed = oauthTokenResponseSchema.safeParse(response.data);
    if (!parsed.success) {
      throw new GenesysApiError({
        method: 'POST',
        path,
        status: response.status,
        code: 'unexpected.response',
        message: `token response does not match the contract: ${parsed.error.issues.map((issue) => issue.path.join('.')).join(', ')}`,
        correlationId: undefined,
        retryAfterMs: undefined,
      });
    }
    this.fetched++;
    const lifetimeMs = parsed.data.expires_in * 1000;
    // Renew at 90 % of the lifetime (at most 5 minutes early) so no call races the expiry.
    const margin = Math.min(lifetimeMs * 0.1, 5 * 60_000);
    return { value: parsed.data.access_token, renewAt: this.now() + lifetimeMs - margin };
  }
}

/** The first value of an HTTP header as axios returns it. */
export function headerValue(value: unknown): string | undefined {
  if (Array.isArray(value)) return typeof value[0] === 'string' ? value[0] : undefined;
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' ? value : undefined;
}
