/**
 * The normalised events as a JSON Schema, generated from the zod schemas the ingress validates with:
 * what `docs/events.schema.json` holds (`npm run docs:events` writes it; a test keeps it in step).
 */
import { z } from 'zod';
import { agentEventSchema } from '../../domain/events/agent-event';
import { interactionEventSchema } from '../../domain/events/interaction-event';

/** The JSON Schema of one event posted to the ingress (`kind` says which of the two it is). */
export function ingressEventJsonSchema(): Record<string, unknown> {
  const event = z.union([
    agentEventSchema.extend({ kind: z.literal('agent') }),
    z.object({ kind: z.literal('conversation') }).and(interactionEventSchema),
  ]);
  return {
    ...z.toJSONSchema(event, { io: 'input', unrepresentable: 'any' }),
    title: 'byoi-bridge normalised event',
    description:
      'One event posted to POST /v1/events (alone, in an array, or in {"events": [...]}). Generated from the zod schemas; see docs/events.md.',
  };
}

/** Every step type of each channel and every agent change kind the schemas accept. */
export function eventVocabulary(): { agent: string[]; voice: string[]; email: string[] } {
  const options = (union: unknown, key: string) =>
    (
      union as { options: { shape: Record<string, { value?: string; def?: { values?: string[] } }> }[] }
    ).options.map((option) => String(option.shape[key]!.value));
  const channels = interactionEventSchema.options;
  return {
    agent: options(agentEventSchema.shape.change, 'kind'),
    voice: options(channels[0].shape.change, 'type'),
    email: options(channels[1].shape.change, 'type'),
  };
}
