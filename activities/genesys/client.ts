/**
 * The Genesys Cloud API client: axios underneath, zod on every response, the request budget in front
 * of every API call, OAuth handled (renewed before expiry, and once on a 401), and every failure turned
 * into a {@link GenesysApiError} that says whether a retry can help. It works unchanged against real
 * Genesys Cloud (hosts from the region) and the bundled simulator (hosts from its URL).
 */
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { type z } from 'zod';
import { headerValue, TokenProvider, type GenesysCredentials } from './auth';
import { defaultRetryAfterMs, GenesysApiError, parseRetryAfter } from './errors';
import type { GenesysHosts } from '../../domain/genesys/regions';
import { ServiceMetrics } from '../../config/metrics';
import { RequestBudget, priorityName, type RequestPriority } from './request-budget';
import { parseGenesysErrorBody, readRateLimit, type RateLimitStatus } from './responses';

/** How to reach one Genesys organisation as one OAuth client. */
export interface GenesysClientOptions {
  hosts: GenesysHosts;
  credentials: GenesysCredentials;
  /** The OAuth client's request budget per minute (Genesys default 300). */
  requestsPerMinute: number;
  /** Worker processes sharing that budget, each drawing its share (default 1). */
  budgetSharedBy?: number;
  /** Share of the budget left unused as a safety margin. */
  budgetHeadroom?: number;
  /** The budget's window; Genesys counts per minute, tests shorten it. */
  budgetWindowMs?: number;
  /** Per-request timeout. */
  timeoutMs?: number;
  /** Where requests and their answers are counted (default: nowhere). */
  metrics?: ServiceMetrics;
}

/** HTTP methods the client uses. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One API call. */
export interface GenesysRequest<Schema extends z.ZodType> {
  method: HttpMethod;
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  priority: RequestPriority;
  /** Parses a 2xx body; use `z.unknown()` for bodies the bridge ignores. */
  responseSchema: Schema;
  /** The caller already holds a budget slot for the first attempt (the publisher batches while it waits). */
  slotHeld?: boolean;
  /** Withdraws the call (the activity was cancelled): it leaves the budget queue or aborts in flight. */
  signal?: AbortSignal;
}

/** What issues API calls: a {@link GenesysClient}, or a view of one at another priority. */
export type GenesysRequester = Pick<GenesysClient, 'request'>;

/** A view of `client` whose calls all wait for the budget at `priority`. */
export function atPriority(client: GenesysRequester, priority: RequestPriority): GenesysRequester {
  return { request: (request) => client.request({ ...request, priority }) };
}

/** A successful call's parsed body and its ids. */
export interface GenesysResponse<T> {
  data: T;
  status: number;
  correlationId: string | undefined;
}

/** Low-level access to one Genesys organisation; typed calls live in the per-area modules. */
export class GenesysClient {
  readonly budget: RequestBudget;
  readonly tokens: TokenProvider;
  /** The latest `inin-ratelimit-*` headers seen. */
  rateLimit: RateLimitStatus | undefined;
  /** API requests sent (after the budget granted them), for metrics and tests. */
  requestsSent = 0;
  private readonly http: AxiosInstance;
  private readonly metrics: ServiceMetrics;

  constructor(private readonly options: GenesysClientOptions) {
    this.metrics = options.metrics ?? ServiceMetrics.none;
    this.http = axios.create({ timeout: options.timeoutMs ?? 30_000, validateStatus: () => true });
    this.budget = new RequestBudget({
      requestsPerWindow: options.requestsPerMinute,
      headroom: options.budgetHeadroom ?? 0.1,
      sharedBy: options.budgetSharedBy,
      windowMs: options.budgetWindowMs,
    });
    this.tokens = new TokenProvider(this.http, options.hosts.loginBaseUrl, options.credentials);
  }

  /** The API base URL calls go to. */
  get apiBaseUrl(): string {
    return this.options.hosts.apiBaseUrl;
  }

  /** Sends one API call inside the budget; on a 401 renews the token and retries once. */
  async request<Schema extends z.ZodType>(
    request: GenesysRequest<Schema>,
  ): Promise<GenesysResponse<z.infer<Schema>>> {
    let response = await this.send(request, request.slotHeld ?? false);
    if (response.status === 401) {
      // Genesys's rule: a 401 means "get a new token, then retry once".
      response = await this.send(request, false);
    }
    const correlationId = headerValue(response.headers['inin-correlation-id']);
    if (response.status < 200 || response.status >= 300) {
      const body = parseGenesysErrorBody(response.data);
      throw new GenesysApiError({
        method: request.method,
        path: request.path,
        status: response.status,
        code: body?.code,
        message: body?.message ?? `HTTP ${response.status}`,
        correlationId,
        retryAfterMs: parseRetryAfter(headerValue(response.headers['retry-after'])),
      });
    }
    const parsed = request.responseSchema.safeParse(response.data === '' ? undefined : response.data);
    if (!parsed.success) {
      const fields = parsed.error.issues.map(
        (issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`,
      );
      throw new GenesysApiError({
        method: request.method,
        path: request.path,
        status: response.status,
        code: 'unexpected.response',
        message: `response does not match the contract: ${fields.slice(0, 5).join('; ')}`,
        correlationId,
        retryAfterMs: undefined,
      });
    }
    return { data: parsed.data, status: response.status, correlationId };
  }

  /** Stops the budget's timer. */
  close(): void {
    this.budget.close();
  }

  /**
   * Waits for a request slot. The token is fetched first: a slot granted while the token is still being
   * fetched would be spent later than it was counted, and Genesys counts arrivals.
   */
  async acquireSlot(priority: RequestPriority, signal?: AbortSignal): Promise<void> {
    await this.tokens.token();
    await this.budget.acquire(priority, signal);
  }

  private async send(request: GenesysRequest<z.ZodType>, slotHeld: boolean): Promise<AxiosResponse<unknown>> {
    if (!slotHeld) await this.acquireSlot(request.priority, request.signal);
    const token = await this.tokens.token();
    this.requestsSent++;
    let response: AxiosResponse<unknown>;
    try {
      response = await this.http.request<unknown>({
        method: request.method,
        url: `${this.options.hosts.apiBaseUrl}${request.path}`,
        params: request.query,
        data: request.body,
        signal: request.signal,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      });
    } catch (error) {
      this.metrics.genesysRequests.add(1, { priority: priorityName(request.priority), status: 'none' });
      throw GenesysApiError.noResponse(request.method, request.path, error);
    }
    this.metrics.genesysRequests.add(1, {
      priority: priorityName(request.priority),
      status: String(response.status),
    });
    if (response.status === 401) this.tokens.invalidate(token);
    if (response.status === 429) {
      const pausedBefore = this.budget.pausedForMs;
      this.budget.pause(parseRetryAfter(headerValue(response.headers['retry-after'])) ?? defaultRetryAfterMs);
      this.metrics.budgetPaused.add(Math.round(this.budget.pausedForMs - pausedBefore));
    }
    const rateLimit = readRateLimit((name) => headerValue(response.headers[name]));
    if (rateLimit) {
      this.rateLimit = rateLimit;
      this.budget.observeAllowed(rateLimit.allowed);
    }
    return response;
  }
}
