/**
 * The client library adapters use, and the ingress under its HTTP surface: hand it normalised events
 * (one or a batch, as parsed JSON), it validates each one, holds the valid ones for the reorder window —
 * gathering every event of one agent or conversation that arrives meanwhile, from any batch — and then
 * hands each workflow its events in one signal-with-start. It answers each event's outcome in the batch's
 * order: `accepted` once Temporal holds the event (a signal is durable the moment the server answers,
 * whatever the workers' backlog), `unavailable` when Temporal did not take it (send it again as it is).
 * Duplicates of events already handed over are dropped and counted by the workflow; the same event twice
 * within one hold is answered `duplicate` here.
 */
import { type Client } from '@temporalio/client';
import type { z } from 'zod';
import type { BridgeConfig } from '../../config';
import type { ServiceMetrics } from '../../config/metrics';
import { agentEventSchema, type AgentEvent, type AgentEventInput } from '../../domain/events/agent-event';
import {
  interactionEventSchema,
  type InteractionEvent,
  type InteractionEventInput,
} from '../../domain/events/interaction-event';
import { fieldErrorsOf, type FieldError } from '../../domain/events/field-errors';
import { genesysLimits } from '../../domain/genesys';
import { defaultAgentWorkflowSettings, type AgentWorkflowSettings } from '../../workflows/agent';
import {
  defaultConversationWorkflowSettings,
  type ConversationWorkflowSettings,
} from '../../workflows/conversation';
import type { ReceivedEvent } from '../../workflows/event-stream';
import { agentWorkflowId, signalAgentEvents } from './agent-events';
import { conversationWorkflowId, signalInteractionEvents } from './conversation-events';

/** A normalised event as an adapter in TypeScript writes it: the type-checked input of {@link BridgeClient.send}. */
export type { FieldError } from '../../domain/events/field-errors';

export type NormalisedEventInput =
  ({ kind: 'agent' } & AgentEventInput) | ({ kind: 'conversation' } & InteractionEventInput);

/** What became of one submitted event, at its index in the batch. */
export type EventOutcome =
  | { index: number; eventId: string; outcome: 'accepted' | 'duplicate'; workflowId: string }
  | { index: number; eventId?: string; outcome: 'refused'; errors: FieldError[] }
  | { index: number; eventId: string; outcome: 'conversationFinished'; workflowId: string; reason: string }
  | { index: number; eventId: string; outcome: 'unavailable'; workflowId: string; reason: string };

/** A validated event and the workflow it goes to. */
type Routed =
  | { kind: 'agent'; index: number; event: AgentEvent; workflowId: string }
  | { kind: 'conversation'; index: number; event: InteractionEvent; workflowId: string };

/** What a {@link BridgeClient} takes from the bridge's configuration: the workflows' settings and recordings. */
export function bridgeClientOptionsFrom(
  config: Pick<BridgeConfig, 'taskQueue' | 'ingress' | 'recordings'>,
): BridgeClientOptions {
  const { reorderWindowMs, agentHistoryEvents } = config.ingress;
  return {
    taskQueue: config.taskQueue,
    agentSettings: { reorderWindowMs, continueAsNewAfterHistoryEvents: agentHistoryEvents },
    conversationSettings: { reorderWindowMs },
    expectRecordingBySource: config.recordings.expect,
  };
}

/** Settings of a {@link BridgeClient}. */
export interface BridgeClientOptions {
  taskQueue: string;
  /** The agent workflows' settings; their reorder window is also how long events are held here. */
  agentSettings?: Partial<AgentWorkflowSettings>;
  /** The conversation workflows' settings; their reorder window is also how long events are held here. */
  conversationSettings?: Partial<ConversationWorkflowSettings>;
  /** Per source, which of its calls are expected to have a recording (BYOI_EXPECT_RECORDINGS), over `conversationSettings`. */
  expectRecordingBySource?: Record<string, ConversationWorkflowSettings['expectRecording']>;
  /** How long Temporal has to take a workflow's events before they are answered `unavailable` (default 10 s). */
  deadlineMs?: number;
  /** How many signals may be on their way to Temporal at once (default 64). */
  concurrency?: number;
  /** The clock, for the timestamp checks and the receipt times. */
  now?: () => number;
  /** Where every event's answer is counted (default: nowhere). */
  metrics?: ServiceMetrics;
}

/** Events of one workflow gathered during its hold, with each event's answer waiting for the signal. */
interface Hold {
  routed: Routed[];
  receivedAtMs: number[];
  answers: ((outcome: EventOutcome['outcome'], reason?: string) => void)[];
}

/** Genesys refuses events more than this far in the future (the contract's clock-skew allowance). */
const futureSkewMs = genesysLimits.futureSkewMs;
const maxEventAgeMs = genesysLimits.maxEventAgeMs;

/** Validates normalised events, holds them for the reorder window and signals their workflows. */
export class BridgeClient {
  private readonly deadlineMs: number;
  private readonly concurrency: number;
  private readonly now: () => number;
  private readonly holds = new Map<string, Hold>();
  /** Per workflow, the signal on its way: the next hold of that workflow waits for it, so holds never overtake. */
  private readonly sending = new Map<string, Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private inFlight = 0;
  private readonly waitingForRoom: (() => void)[] = [];
  private held = 0;

  constructor(
    private readonly client: Client,
    private readonly options: BridgeClientOptions,
  ) {
    this.deadlineMs = options.deadlineMs ?? 10_000;
    this.concurrency = options.concurrency ?? 64;
    this.now = options.now ?? Date.now;
  }

  /**
   * Checks one event: its outcome if refused, else where it goes. With `sender`, the event must be that
   * source's (one that names no source is taken as the sender's).
   */
  validate(
    input: unknown,
    index: number,
    sender?: string,
  ): Routed | Extract<EventOutcome, { outcome: 'refused' }> {
    const refused = (errors: FieldError[]) => ({
      index,
      ...(eventIdOf(input) === undefined ? {} : { eventId: eventIdOf(input) }),
      outcome: 'refused' as const,
      errors,
    });
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return refused([{ field: '(event)', message: 'must be a JSON object', code: 'invalidType' }]);
    }
    const { kind, ...rest } = input as Record<string, unknown>;
    if (sender !== undefined) {
      if (rest.source === undefined) rest.source = sender;
      else if (rest.source !== sender) {
        return refused([
          {
            field: 'source',
            message: `is ${JSON.stringify(rest.source)}, but the sender is authenticated as ${sender}`,
            code: 'wrongSource',
          },
        ]);
      }
    }
    const checked =
      kind === 'agent'
        ? parse(agentEventSchema, rest)
        : kind === 'conversation'
          ? parse(interactionEventSchema, rest)
          : undefined;
    if (checked === undefined) {
      return refused([
        {
          field: 'kind',
          message: `must be "agent" or "conversation", not ${JSON.stringify(kind) ?? 'missing'}`,
          code: kind === undefined ? 'missing' : typeof kind === 'string' ? 'invalidValue' : 'invalidType',
        },
      ]);
    }
    if (!checked.success) return refused(checked.errors);
    const occurredAtMs = Date.parse(checked.data.occurredAt);
    if (occurredAtMs > this.now() + futureSkewMs) {
      return refused([
        {
          field: 'occurredAt',
          message: `is more than ${futureSkewMs / 60_000} minutes in the future`,
          code: 'inFuture',
        },
      ]);
    }
    if (occurredAtMs < this.now() - maxEventAgeMs) {
      return refused([
        { field: 'occurredAt', message: "is older than Genesys's 7-day limit", code: 'tooOld' },
      ]);
    }
    if (kind === 'agent') {
      const event = checked.data as AgentEvent;
      return { kind, index, event, workflowId: agentWorkflowId(event.source, event.agentId) };
    }
    const event = checked.data as InteractionEvent;
    return {
      kind: 'conversation',
      index,
      event,
      workflowId: conversationWorkflowId(event.source, event.interactionId),
    };
  }

  /** Events held for their reorder window or on their way to Temporal. */
  get pendingEvents(): number {
    return this.held;
  }

  /**
   * Validates, routes and hands over a batch; answers every event's outcome in the batch's order once
   * each has been signalled (after the reorder window). With `source`, every event must be that source's
   * (the ingress passes the authenticated sender).
   */
  async submit(inputs: unknown[], { source }: { source?: string } = {}): Promise<EventOutcome[]> {
    const labels: { kind: string; source: string }[] = [];
    const outcomes = await Promise.all(
      inputs.map((input, index): Promise<EventOutcome> => {
        const routed = this.validate(input, index, source);
        labels.push(
          'outcome' in routed
            ? { kind: kindOf(input), source: source ?? 'unknown' }
            : { kind: routed.kind, source: routed.event.source },
        );
        return 'outcome' in routed ? Promise.resolve(routed) : this.hold(routed);
      }),
    );
    this.count(outcomes, labels);
    return outcomes;
  }

  /**
   * Counts a batch's answers by kind, source and outcome, one add per combination. A refused event is
   * labelled with the authenticated sender, never with what it claims: a sender could otherwise grow the
   * series without bound.
   */
  private count(outcomes: EventOutcome[], labels: { kind: string; source: string }[]): void {
    const metrics = this.options.metrics;
    if (metrics === undefined) return;
    const tally = new Map<string, { kind: string; source: string; outcome: string; count: number }>();
    outcomes.forEach(({ outcome }, index) => {
      const { kind, source } = labels[index]!;
      const key = `${kind} ${source} ${outcome}`;
      const entry = tally.get(key) ?? { kind, source, outcome, count: 0 };
      entry.count++;
      tally.set(key, entry);
    });
    for (const { count, ...tags } of tally.values()) metrics.ingressEvents.add(count, tags);
  }

  /**
   * The typed way in for adapters written in TypeScript: the compiler checks the events' shape, the
   * bridge still validates their values (timestamps, lengths) and answers as {@link submit} does.
   */
  send(events: readonly NormalisedEventInput[]): Promise<EventOutcome[]> {
    return this.submit([...events]);
  }

  /** Signals every held event now (before a shutdown); resolves when Temporal has answered for all. */
  async flush(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all([...this.holds.keys()].map((workflowId) => this.deliver(workflowId)));
  }

  /**
   * Adds an event to its workflow's hold — opened by the workflow's first event, signalled one reorder
   * window later — and answers once the signal has.
   */
  private hold(routed: Routed): Promise<EventOutcome> {
    const { index, event, workflowId } = routed;
    let hold = this.holds.get(workflowId);
    if (hold === undefined) {
      hold = { routed: [], receivedAtMs: [], answers: [] };
      this.holds.set(workflowId, hold);
      const windowMs =
        routed.kind === 'agent'
          ? (this.options.agentSettings?.reorderWindowMs ?? defaultAgentWorkflowSettings.reorderWindowMs)
          : (this.options.conversationSettings?.reorderWindowMs ??
            defaultConversationWorkflowSettings.reorderWindowMs);
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void this.deliver(workflowId);
      }, windowMs);
      this.timers.add(timer);
    }
    const twin = hold.routed.some((held) => held.event.eventId === event.eventId);
    if (!twin) {
      hold.routed.push(routed);
      hold.receivedAtMs.push(this.now());
      this.held++;
    }
    return new Promise((resolve) => {
      hold.answers.push((outcome, reason) => {
        const eventId = event.eventId;
        if (outcome === 'accepted' || outcome === 'duplicate') {
          resolve({ index, eventId, outcome: twin ? 'duplicate' : outcome, workflowId });
        } else if (outcome === 'conversationFinished' || outcome === 'unavailable') {
          resolve({ index, eventId, outcome, workflowId, reason: reason ?? '' });
        }
      });
    });
  }

  /** Signals a workflow's hold, after any earlier hold of that workflow still on its way. */
  private deliver(workflowId: string): Promise<void> {
    const hold = this.holds.get(workflowId);
    if (hold === undefined) return this.sending.get(workflowId) ?? Promise.resolve();
    this.holds.delete(workflowId);
    const previous = this.sending.get(workflowId);
    const sent = (previous ?? Promise.resolve()).then(() => this.signal(workflowId, hold));
    this.sending.set(workflowId, sent);
    return sent.finally(() => {
      if (this.sending.get(workflowId) === sent) this.sending.delete(workflowId);
    });
  }

  /** One signal-with-start for a hold; answers each of its events. */
  private async signal(workflowId: string, hold: Hold): Promise<void> {
    const answer = (outcome: EventOutcome['outcome'], reason?: string) => {
      for (const each of hold.answers) each(outcome, reason);
    };
    await this.room();
    try {
      // One workflow's hold: every event in it is of that workflow's kind.
      const received = hold.routed.map(({ event }, position) => ({
        event,
        receivedAtMs: hold.receivedAtMs[position]!,
      }));
      const deadline = Date.now() + this.deadlineMs;
      if (hold.routed[0]!.kind === 'agent') {
        const events = received as ReceivedEvent<AgentEvent>[];
        await this.client.connection.withDeadline(deadline, () =>
          signalAgentEvents(this.client, this.options.taskQueue, events, this.options.agentSettings),
        );
        answer('accepted');
      } else {
        const events = received as ReceivedEvent<InteractionEvent>[];
        const expectRecording = this.options.expectRecordingBySource?.[events[0]!.event.source];
        const settings = expectRecording
          ? { ...this.options.conversationSettings, expectRecording }
          : this.options.conversationSettings;
        const delivery = await this.client.connection.withDeadline(deadline, () =>
          signalInteractionEvents(this.client, this.options.taskQueue, events, settings),
        );
        if (delivery.outcome === 'delivered') answer('accepted');
        else
          answer(
            'conversationFinished',
            `conversation ${workflowId} has finished; its events are not applied`,
          );
      }
    } catch (error) {
      // Temporal did not answer (unreachable, overloaded, past the deadline): nothing is known to be held.
      answer(
        'unavailable',
        `Temporal did not take the events: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      this.held -= hold.routed.length;
      this.inFlight--;
      this.waitingForRoom.shift()?.();
    }
  }

  /** Waits for one of the `concurrency` places for a signal on its way to Temporal, and takes it. */
  private async room(): Promise<void> {
    if (this.inFlight >= this.concurrency) {
      await new Promise<void>((resolve) => this.waitingForRoom.push(resolve));
    }
    this.inFlight++;
  }
}

function parse<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
): { success: true; data: z.output<Schema> } | { success: false; errors: FieldError[] } {
  const result = schema.safeParse(input);
  if (result.success) return { success: true, data: result.data };
  return {
    success: false,
    errors: fieldErrorsOf(result.error, input, '(event)'),
  };
}

/** The kind a refused event claims, if it is one the bridge knows (a label takes no other value). */
function kindOf(input: unknown): 'agent' | 'conversation' | 'unknown' {
  const kind =
    typeof input === 'object' && input !== null ? (input as Record<string, unknown>).kind : undefined;
  return kind === 'agent' || kind === 'conversation' ? kind : 'unknown';
}

function eventIdOf(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const eventId = (input as Record<string, unknown>).eventId;
  return typeof eventId === 'string' ? eventId : undefined;
}
