/**
 * What every normalised event carries, whatever it is about: the source it comes from, the vendor's
 * event id (the same id twice is the same event), when it happened, and an optional per-key sequence
 * for events that share a timestamp.
 */
import { z } from 'zod';

/** A timestamp with an explicit offset, normalised to UTC with milliseconds (what Genesys takes). */
export const occurredAtSchema = z.iso
  .datetime({
    offset: true,
    message: 'must be an ISO-8601 timestamp with a time zone, e.g. 2026-11-25T07:00:00Z',
  })
  .transform((value) => new Date(value).toISOString());

/** The external platform's name: its presence source, external-id authority and workflow-id prefix. */
export const sourceNameSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1–64 letters, digits, dots, dashes or underscores');

/** An id at the source (agent, interaction, queue, wrap-up code). */
export const externalIdSchema = z.string().trim().min(1).max(256);

/** The fields every normalised event starts with. */
export const eventEnvelope = {
  source: sourceNameSchema,
  /** The vendor's id of this event: the same id twice is the same event (deduplicated). */
  eventId: externalIdSchema,
  occurredAt: occurredAtSchema,
  /** Orders events with the same `occurredAt` (a vendor's per-key counter, when it has one). */
  sequence: z.number().int().nonnegative().optional(),
};
