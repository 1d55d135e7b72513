/**
 * The benchmark's baseline: a plain forwarder with no Temporal. It takes the same normalised events on
 * the same `POST /v1/events` as the ingress, translates each (the bridge's own pure translation) and
 * publishes it straight to Genesys through the bridge's client and batching publisher, one event at a
 * time per stream so order holds. Nothing is durable: a crash loses what is in memory, a refusal is only
 * counted, and recordings are not uploaded. Ids come from the simulator's inspection API rather than
 * from lookups. `GET /stats` answers what it published.
 *
 *   tsx scripts/plain-forwarder.ts --simulator http://127.0.0.1:8090 --port 8095
 */
import { randomUUID } from 'node:crypto';
import axios from 'axios';
import { Command } from 'commander';
import Fastify from 'fastify';
import { z } from 'zod';
import { namesAsMapping } from '../activities/directory/mapping';
import { agentEventSchema, type AgentEvent } from '../domain/events/agent-event';
import { interactionEventSchema, type InteractionEvent } from '../domain/events/interaction-event';
import { connectGenesys } from '../activities/genesys';
import { defaultSimulatorClient } from '../simulator/seed';
import { translate, type LifecycleState } from '../workflows/conversation-lifecycle';
import type { GenesysConversationEvent } from '../activities/conversations';

interface Flags {
  simulator: string;
  port: number;
  source: string;
  requestsPerMinute: number;
}

const organizationSchema = z.object({
  presenceSources: z.array(z.object({ id: z.string(), name: z.string() })),
  presenceDefinitions: z.array(z.object({ id: z.string(), systemPresence: z.string() })),
  queues: z.array(z.object({ id: z.string(), name: z.string() })),
  wrapupCodes: z.array(z.object({ id: z.string(), name: z.string() })),
  users: z.array(
    z.object({
      id: z.string(),
      externalIds: z.array(z.object({ authorityName: z.string(), externalKey: z.string() })),
    }),
  ),
});

const eventSchema = z.union([
  agentEventSchema.extend({ kind: z.literal('agent') }),
  z.object({ kind: z.literal('conversation') }).and(interactionEventSchema),
]);

async function main(): Promise<void> {
  const flags = new Command('plain-forwarder')
    .requiredOption('--simulator <url>', 'the Genesys simulator')
    .option('--port <port>', 'port on 127.0.0.1', Number, 8095)
    .option('--source <name>', 'the external source', 'acd')
    .option('--requests-per-minute <count>', 'the Genesys request budget', Number, 300)
    .parse()
    .opts<Flags>();
  const organization = organizationSchema.parse(
    (await axios.get(`${flags.simulator}/__simulator/organization`)).data,
  );
  const sourceId = organization.presenceSources.find((source) => source.name === flags.source)?.id;
  if (sourceId === undefined) throw new Error(`the simulator has no presence source ${flags.source}`);
  const users = new Map<string, string>();
  for (const user of organization.users) {
    const key = user.externalIds.find((id) => id.authorityName === flags.source)?.externalKey;
    if (key !== undefined) users.set(key, user.id);
  }
  const byName = (entities: { id: string; name: string }[]) =>
    Object.fromEntries(entities.map((entity) => [entity.name, entity.id]));
  const ids = {
    users: Object.fromEntries(users),
    queues: byName(organization.queues),
    wrapupCodes: byName(organization.wrapupCodes),
  };
  const definitions = new Map(organization.presenceDefinitions.map((each) => [each.systemPresence, each.id]));

  const { client, publisher } = connectGenesys({
    hosts: { apiBaseUrl: flags.simulator, loginBaseUrl: flags.simulator },
    clientId: defaultSimulatorClient.clientId,
    clientSecret: defaultSimulatorClient.clientSecret,
    requestsPerMinute: flags.requestsPerMinute,
    budgetHeadroom: 0.1,
    maxEventsPerBatch: 100,
    maxBatchBytes: 1_048_576,
    publishIntervalMs: 250,
  });
  const stats = { received: 0, published: 0, failed: 0, untranslatable: 0, firstFailures: [] as string[] };
  const failed = (error: unknown) => {
    stats.failed++;
    if (stats.firstFailures.length < 10)
      stats.firstFailures.push(error instanceof Error ? error.message : String(error));
  };

  // One chain per stream: an event goes once the one before it of its agent stream or conversation has.
  const chains = new Map<string, Promise<void>>();
  const inOrder = (key: string, work: () => Promise<void>) => {
    const next = (chains.get(key) ?? Promise.resolve()).then(work).catch(failed);
    chains.set(key, next);
    void next.then(() => {
      if (chains.get(key) === next) chains.delete(key);
    });
  };
  const conversations = new Map<string, LifecycleState>();

  const forwardAgent = async (event: AgentEvent) => {
    const userId = users.get(event.agentId);
    if (userId === undefined) throw new Error(`agent ${event.agentId} is not in Genesys`);
    const base = { eventId: randomUUID(), eventDateTime: event.occurredAt, sourceId };
    if (event.change.kind === 'routingStatus') {
      await publisher.publishRoutingStatus({ ...base, agentId: userId, status: event.change.status });
    } else {
      const target = namesAsMapping.presence(event.change.state);
      const presenceDefinitionId =
        target && 'systemPresence' in target ? definitions.get(target.systemPresence) : undefined;
      await publisher.publishPresence({ ...base, userId, presenceDefinitionId });
    }
    stats.published++;
  };

  const forwardInteraction = async (event: InteractionEvent) => {
    const translation = translate(conversations.get(event.interactionId), event, {
      sourceId,
      ids,
      mint: randomUUID,
    });
    if (!translation.ok) {
      stats.untranslatable++;
      throw new Error(translation.reason);
    }
    conversations.set(event.interactionId, translation.state);
    for (const planned of translation.events) {
      const { key, event: body } = {
        ...planned,
        event: { ...planned.event, eventId: randomUUID(), eventDateTime: event.occurredAt },
      } as GenesysConversationEvent;
      await publisher.publishConversationEvent(key, body);
    }
    stats.published++;
  };

  const app = Fastify({ bodyLimit: 16 * 1_048_576 });
  app.post('/v1/events', async (request, reply) => {
    const events = Array.isArray(request.body) ? (request.body as unknown[]) : [request.body];
    const outcomes = events.map((raw) => {
      const parsed = eventSchema.safeParse(raw);
      if (!parsed.success)
        return { outcome: 'refused', errors: [{ field: '', message: parsed.error.message }] };
      stats.received++;
      const event = parsed.data;
      if (event.kind === 'agent') {
        inOrder(`agent/${event.agentId}/${event.change.kind}`, () => forwardAgent(event));
      } else {
        inOrder(`conversation/${event.interactionId}`, () => forwardInteraction(event));
      }
      return { outcome: 'accepted' };
    });
    return reply.code(202).send({ outcomes });
  });
  app.get('/stats', () => ({ ...stats, streamsInFlight: chains.size }));
  await app.listen({ host: '127.0.0.1', port: flags.port });
  console.log(JSON.stringify({ url: `http://127.0.0.1:${flags.port}` }));
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await app.close();
  client.close();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
