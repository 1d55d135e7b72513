/**
 * The benchmark's baseline: forwarding with no Temporal. Each normalised event is translated (the
 * bridge's own pure translation) and published straight to Genesys through the bridge's client and
 * batching publisher, one event at a time per stream so order holds. Nothing is durable: a crash loses
 * what is in memory, a refusal is only counted, and recordings are not uploaded. Ids come from the
 * simulator's inspection API rather than from look-ups.
 */
import { randomUUID } from 'node:crypto';
import axios from 'axios';
import { z } from 'zod';
import { namesAsMapping } from '../../activities/directory/mapping';
import type { GenesysConversationEvent } from '../../activities/conversations';
import type { EventPublisher } from '../../activities/genesys/publisher';
import { agentEventSchema, type AgentEvent } from '../../domain/events/agent-event';
import { interactionEventSchema, type InteractionEvent } from '../../domain/events/interaction-event';
import { translate, type LifecycleState, type ResolvedIds } from '../../workflows/conversation-lifecycle';

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

/** A normalised event as posted to `/v1/events`. */
export const forwardedEventSchema = z.union([
  agentEventSchema.extend({ kind: z.literal('agent') }),
  z.object({ kind: z.literal('conversation') }).and(interactionEventSchema),
]);

/** What the forwarder did. */
export interface ForwarderStats {
  received: number;
  published: number;
  failed: number;
  untranslatable: number;
  firstFailures: string[];
}

/** Genesys ids of the source's presence source, users, queues, codes and presence definitions. */
interface OrganizationIds {
  sourceId: string;
  parties: ResolvedIds;
  presenceDefinitions: Map<string, string>;
}

/** Reads the ids the forwarder needs from the simulator's inspection API. */
export async function organizationIds(simulatorUrl: string, source: string): Promise<OrganizationIds> {
  const organization = organizationSchema.parse(
    (await axios.get(`${simulatorUrl}/__simulator/organization`)).data,
  );
  const sourceId = organization.presenceSources.find((each) => each.name === source)?.id;
  if (sourceId === undefined) throw new Error(`the simulator has no presence source ${source}`);
  const users: Record<string, string> = {};
  for (const user of organization.users) {
    const key = user.externalIds.find((id) => id.authorityName === source)?.externalKey;
    if (key !== undefined) users[key] = user.id;
  }
  const byName = (entities: { id: string; name: string }[]) =>
    Object.fromEntries(entities.map((entity) => [entity.name, entity.id]));
  return {
    sourceId,
    parties: { users, queues: byName(organization.queues), wrapupCodes: byName(organization.wrapupCodes) },
    presenceDefinitions: new Map(
      organization.presenceDefinitions.map((each) => [each.systemPresence, each.id]),
    ),
  };
}

/** Forwards events to Genesys as they come, in order per agent stream and per conversation. */
export class PlainForwarder {
  readonly stats: ForwarderStats = {
    received: 0,
    published: 0,
    failed: 0,
    untranslatable: 0,
    firstFailures: [],
  };
  /** One chain per stream: an event goes once the one before it of its agent stream or conversation has. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly conversations = new Map<string, LifecycleState>();

  constructor(
    private readonly ids: OrganizationIds,
    private readonly publisher: EventPublisher,
  ) {}

  /** Streams with an event on its way. */
  get streamsInFlight(): number {
    return this.chains.size;
  }

  /** Takes one event: it leaves after the ones before it of its stream. */
  accept(event: z.infer<typeof forwardedEventSchema>): void {
    this.stats.received++;
    if (event.kind === 'agent') {
      this.inOrder(`agent/${event.agentId}/${event.change.kind}`, () => this.forwardAgent(event));
    } else {
      this.inOrder(`conversation/${event.interactionId}`, () => this.forwardInteraction(event));
    }
  }

  private inOrder(key: string, work: () => Promise<void>): void {
    const next = (this.chains.get(key) ?? Promise.resolve())
      .then(work)
      .catch((error: unknown) => this.failed(error));
    this.chains.set(key, next);
    void next.then(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
  }

  private failed(error: unknown): void {
    this.stats.failed++;
    if (this.stats.firstFailures.length < 10)
      this.stats.firstFailures.push(error instanceof Error ? error.message : String(error));
  }

  private async forwardAgent(event: AgentEvent): Promise<void> {
    const userId = this.ids.parties.users[event.agentId];
    if (userId === undefined) throw new Error(`agent ${event.agentId} is not in Genesys`);
    const base = { eventId: randomUUID(), eventDateTime: event.occurredAt, sourceId: this.ids.sourceId };
    if (event.change.kind === 'routingStatus') {
      await this.publisher.publishRoutingStatus({ ...base, agentId: userId, status: event.change.status });
    } else {
      const target = namesAsMapping.presence(event.change.state);
      const presenceDefinitionId =
        target && 'systemPresence' in target
          ? this.ids.presenceDefinitions.get(target.systemPresence)
          : undefined;
      await this.publisher.publishPresence({ ...base, userId, presenceDefinitionId });
    }
    this.stats.published++;
  }

  private async forwardInteraction(event: InteractionEvent): Promise<void> {
    const translation = translate(this.conversations.get(event.interactionId), event, {
      sourceId: this.ids.sourceId,
      ids: this.ids.parties,
      mint: randomUUID,
    });
    if (!translation.ok) {
      this.stats.untranslatable++;
      throw new Error(translation.reason);
    }
    this.conversations.set(event.interactionId, translation.state);
    for (const planned of translation.events) {
      const { key, event: body } = {
        ...planned,
        event: { ...planned.event, eventId: randomUUID(), eventDateTime: event.occurredAt },
      } as GenesysConversationEvent;
      await this.publisher.publishConversationEvent(key, body);
    }
    this.stats.published++;
  }
}
