/**
 * Typed Genesys failures. Whether a retry can help is decided in one place, {@link isRetryableStatus},
 * following the official SDKs (429/502/503/504 retry) plus 500 and network failures, which BYOI's
 * idempotent event ids make safe to repeat.
 */
import { ApplicationFailure } from '@temporalio/common';

/** ApplicationFailure types the workflows react to, next to the errors that produce them. */
export const genesysFailureTypes = {
  /** The request failed in a way a retry can fix (429, 5xx, network). */
  retryable: 'GenesysRetryable',
  /** Genesys refused the request for good (400, 403, 404, 409, 413…). */
  rejected: 'GenesysRejected',
  /** Genesys refused one event of a batch (`BatchEventResponse.errors[]`) for good. */
  eventRejected: 'GenesysEventRejected',
} as const;

/** The SDKs wait 3 s when a 429 carries no Retry-After. */
export const defaultRetryAfterMs = 3_000;

/** Whether an HTTP status (or `undefined` for a network failure) is worth retrying. */
export function isRetryableStatus(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 429 || status >= 500;
}

/** What Genesys said about a failed call. */
export interface GenesysApiErrorDetails {
  method: string;
  path: string;
  /** HTTP status; undefined when no response arrived (network failure, timeout, dropped connection). */
  status: number | undefined;
  /** Genesys error code, e.g. `missing.permissions`, `too.many.requests.retry.after`. */
  code: string | undefined;
  message: string;
  correlationId: string | undefined;
  /** Server-requested delay before a retry (Retry-After), in ms. */
  retryAfterMs: number | undefined;
}

/** A Genesys API call failed. */
export class GenesysApiError extends Error {
  readonly method: string;
  readonly path: string;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly correlationId: string | undefined;
  readonly retryAfterMs: number | undefined;
  /** Whether the same request may succeed later. */
  readonly retryable: boolean;

  constructor(details: GenesysApiErrorDetails) {
    const where = `${details.method} ${details.path}`;
    const status = details.status === undefined ? 'no response' : `HTTP ${details.status}`;
    super(`${where} failed (${status}${details.code ? `, ${details.code}` : ''}): ${details.message}`);
    this.name = 'GenesysApiError';
    this.method = details.method;
    this.path = details.path;
    this.status = details.status;
    this.code = details.code;
    this.correlationId = details.correlationId;
    this.retryable = isRetryableStatus(details.status);
    this.retryAfterMs = details.retryAfterMs ?? (details.status === 429 ? defaultRetryAfterMs : undefined);
  }

  /** A call that got no answer at all: network failure, timeout, dropped connection, cancellation. */
  static noResponse(method: string, path: string, error: unknown): GenesysApiError {
    return new GenesysApiError({
      method,
      path,
      status: undefined,
      code: typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined,
      message: asError(error).message,
      correlationId: undefined,
      retryAfterMs: undefined,
    });
  }
}

/** Anything thrown, as an Error. */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** Genesys refused one event of a batch (an entry of `BatchEventResponse.errors`). */
export class GenesysEventRejectedError extends Error {
  constructor(
    readonly eventId: string,
    message: string,
    /** Genesys's own `retryable` flag for this event. */
    readonly retryable: boolean,
    readonly correlationId: string | undefined,
  ) {
    super(`Genesys rejected event ${eventId}${retryable ? ' (retryable)' : ''}: ${message}`);
    this.name = 'GenesysEventRejectedError';
  }
}

/** Parses a Retry-After header (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The ApplicationFailure an activity throws for a Genesys failure: retryable ones carry the server's
 * Retry-After as the next retry delay; the rest are not retried.
 */
export function asActivityFailure(error: unknown): Error {
  if (error instanceof GenesysApiError) {
    return ApplicationFailure.create({
      type: error.retryable ? genesysFailureTypes.retryable : genesysFailureTypes.rejected,
      message: error.message,
      nonRetryable: !error.retryable,
      nextRetryDelay: error.retryAfterMs,
      details: [{ status: error.status, code: error.code, correlationId: error.correlationId }],
    });
  }
  if (error instanceof GenesysEventRejectedError) {
    return ApplicationFailure.create({
      type: error.retryable ? genesysFailureTypes.retryable : genesysFailureTypes.eventRejected,
      message: error.message,
      nonRetryable: !error.retryable,
      details: [{ eventId: error.eventId, correlationId: error.correlationId }],
    });
  }
  return asError(error);
}
