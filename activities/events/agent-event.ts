/**
 * The normalised agent event: what every adapter turns an ACD's agent-state feed into, and what the
 * agent workflows consume. One event is one change of one agent: a presence change (the ACD's own state
 * name, mapped to Genesys through the directory's presence mapping) or a routing status change.
 */
import { z } from 'zod';
import { routingStatuses } from '../genesys/contract';

/** A timestamp with an explicit offset, normalised to UTC with milliseconds (what Genesys takes). */
export const occurredAtSchema = z.iso
  .datetime({
    offset: true,
    message: 'must be an ISO-8601 timestamp with a time zone, e.g. 2026-11-25T07:00:00Z',
  })
  .transform((value) => new Date(value).toISOString());

/** A presence change: the agent's state as the ACD names it. */
export const presenceChangeSchema = z.object({
  kind: z.literal('presence'),
  state: z.string().trim().min(1).max(128),
  message: z.string().max(512).optional(),
});

/** A routing status change. */
export const routingStatusChangeSchema = z.object({
  kind: z.literal('routingStatus'),
  status: z.enum(routingStatuses),
});

/** One agent's state change at the source. */
export const agentEventSchema = z.object({
  source: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1–64 letters, digits, dots, dashes or underscores'),
  /** The agent's id at the source (the directory's external id). */
  agentId: z.string().trim().min(1).max(256),
  /** The vendor's id of this event: the same id twice is the same event (deduplicated). */
  eventId: z.string().trim().min(1).max(256),
  occurredAt: occurredAtSchema,
  /** Orders events with the same `occurredAt` (a vendor's per-agent counter, when it has one). */
  sequence: z.number().int().nonnegative().optional(),
  change: z.discriminatedUnion('kind', [presenceChangeSchema, routingStatusChangeSchema]),
});

/** An agent event as an adapter writes it. */
export type AgentEventInput = z.input<typeof agentEventSchema>;
/** A validated agent event. */
export type AgentEvent = z.output<typeof agentEventSchema>;
/** Which of an agent's two Genesys streams an event belongs to. */
export type AgentStreamKind = AgentEvent['change']['kind'];
