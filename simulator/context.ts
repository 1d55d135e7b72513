/** What every simulator route reads: the live state, the fault plan and the limits. */
import type { FastifyRequest } from 'fastify';
import type { Faults } from './faults';
import type { SimulatorLimits } from './options';
import type { SimulatorState } from './state';

/** Shared by the routes of one simulator. */
export interface SimulatorContext {
  /** Replaced as a whole by a reset, so routes read it on every request. */
  state: SimulatorState;
  readonly faults: Faults;
  readonly limits: SimulatorLimits;
  /** Where uploaded recordings are written. */
  readonly uploadDir: string;
  /** How long a disagreement lasts before the consistency report lists it. */
  readonly consistencyGraceMs: number;
}

/** A request's path without its query string. */
export function pathOf(request: FastifyRequest): string {
  return request.url.split('?')[0] ?? request.url;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The permission an API route needs, e.g. `presence:userPresence:inject`. */
    permission?: string;
  }
  interface FastifyRequest {
    /** When the request arrived (ms), the instant the rate limit counts. */
    receivedAt: number;
    /** The OAuth client that made the request, once known. */
    clientId: string | undefined;
    /** Events carried, for the event endpoints' log entries. */
    eventCount: number | undefined;
  }
}
