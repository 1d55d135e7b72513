/**
 * The normalised agent event: what every adapter turns an ACD's agent-state feed into, and what the
 * agent workflows consume. One event is one change of one agent: a presence change (the ACD's own state
 * name, mapped to Genesys through the directory's presence mapping) or a routing status change.
 */
import { z } from 'zod';
import { routingStatuses } from '../genesys';
import { eventEnvelope, externalIdSchema } from './envelope';

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
  ...eventEnvelope,
  /** The agent's id at the source (the directory's external id). */
  agentId: externalIdSchema,
  change: z.discriminatedUnion('kind', [presenceChangeSchema, routingStatusChangeSchema]),
});

/** An agent event as an adapter writes it. */
export type AgentEventInput = z.input<typeof agentEventSchema>;
/** A validated agent event. */
export type AgentEvent = z.output<typeof agentEventSchema>;
/** Which of an agent's two Genesys streams an event belongs to. */
export type AgentStreamKind = AgentEvent['change']['kind'];
