/**
 * The client library adapters use, and the ingress under its HTTP surface: hand it normalised events
 * (one or a batch, as parsed JSON), it validates each one, routes the valid ones to their agent or
 * conversation workflow by update-with-start (one update per workflow per batch), and answers each
 * event's outcome in the batch's order. `accepted` is only answered once Temporal holds the event: the
 * workflow has taken it into its history. A resubmitted event is a `duplicate`, never a second
 * injection; an event Temporal did not take is `unavailable` and may be sent again as it is.
 */
import {
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { ApplicationFailure, WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { z } from 'zod';
import { agentEventSchema, type AgentEvent, type AgentEventInput } from '../activities/events/agent-event';
import {
  interactionEventSchema,
  type InteractionEvent,
  type InteractionEventInput,
} from '../activities/events/interaction-event';
import { genesysLimits } from '../activities/genesys/contract';
import { agentWorkflow, submitAgentEventsUpdate, type AgentWorkflowSettings } from '../workflows/agent';
import {
  conversationEndedType,
  conversationWorkflow,
  submitInteractionEventsUpdate,
  type ConversationWorkflowSettings,
} from '../workflows/conversation';
import { agentWorkflowId } from './agent-events';
import { conversationWorkflowId } from './conversation-events';

/** A normalised event as an adapter in TypeScript writes it: the type-checked input of {@link BridgeClient.send}. */
export type NormalisedEventInput =
  ({ kind: 'agent' } & AgentEventInput) | ({ kind: 'conversation' } & InteractionEventInput);

/** A problem with one field of a submitted event. */
export interface FieldError {
  /** Dotted path of the field, e.g. `change.type`; `(event)` for the event as a whole. */
  field: string;
  message: string;
}

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

/** Settings of a {@link BridgeClient}. */
export interface BridgeClientOptions {
  taskQueue: string;
  agentSettings?: Partial<AgentWorkflowSettings>;
  conversationSettings?: Partial<ConversationWorkflowSettings>;
  /** How long Temporal has to hold a batch before its events are answered `unavailable` (default 10 s). */
  deadlineMs?: number;
  /** How many workflows are updated at once (default 32). */
  concurrency?: number;
  /** The clock, for the timestamp checks. */
  now?: () => number;
}

/** Genesys refuses events more than this far in the future (the contract's clock-skew allowance). */
const futureSkewMs = genesysLimits.futureSkewMs;
const maxEventAgeMs = genesysLimits.maxEventAgeMs;

/** Validates and routes normalised events to their workflows. */
export class BridgeClient {
  private readonly deadlineMs: number;
  private readonly concurrency: number;
  private readonly now: () => number;

  constructor(
    private readonly client: Client,
    private readonly options: BridgeClientOptions,
  ) {
    this.deadlineMs = options.deadlineMs ?? 10_000;
    this.concurrency = options.concurrency ?? 32;
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
      return refused([{ field: '(event)', message: 'must be a JSON object' }]);
    }
    const { kind, ...rest } = input as Record<string, unknown>;
    if (sender !== undefined) {
      if (rest.source === undefined) rest.source = sender;
      else if (rest.source !== sender) {
        return refused([
          {
            field: 'source',
            message: `is ${JSON.stringify(rest.source)}, but the sender is authenticated as ${sender}`,
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
        },
      ]);
    }
    if (!checked.success) return refused(checked.errors);
    const occurredAtMs = Date.parse(checked.data.occurredAt);
    if (occurredAtMs > this.now() + futureSkewMs) {
      return refused([
        { field: 'occurredAt', message: `is more than ${futureSkewMs / 60_000} minutes in the future` },
      ]);
    }
    if (occurredAtMs < this.now() - maxEventAgeMs) {
      return refused([{ field: 'occurredAt', message: "is older than Genesys's 7-day limit" }]);
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

  /**
   * Validates, routes and hands over a batch; answers every event's outcome in the batch's order. With
   * `source`, every event must be that source's (the ingress passes the authenticated sender).
   */
  async submit(inputs: unknown[], { source }: { source?: string } = {}): Promise<EventOutcome[]> {
    const outcomes: EventOutcome[] = [];
    const byWorkflow = new Map<string, Routed[]>();
    inputs.forEach((input, index) => {
      const routed = this.validate(input, index, source);
      if ('outcome' in routed) outcomes.push(routed);
      else byWorkflow.set(routed.workflowId, [...(byWorkflow.get(routed.workflowId) ?? []), routed]);
    });
    const groups = [...byWorkflow.values()];
    let next = 0;
    const worker = async () => {
      while (next < groups.length) outcomes.push(...(await this.deliver(groups[next++]!)));
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, groups.length) }, worker));
    return outcomes.sort((a, b) => a.index - b.index);
  }

  /**
   * The typed way in for adapters written in TypeScript: the compiler checks the events' shape, the
   * bridge still validates their values (timestamps, lengths) and answers as {@link submit} does.
   */
  send(events: readonly NormalisedEventInput[]): Promise<EventOutcome[]> {
    return this.submit([...events]);
  }

  /** One update-with-start for the events of one workflow. */
  private async deliver(group: Routed[]): Promise<EventOutcome[]> {
    const [first] = group;
    const { workflowId } = first!;
    const answer = (outcome: 'conversationFinished' | 'unavailable', reason: string): EventOutcome[] =>
      group.map(({ index, event }) => ({ index, eventId: event.eventId, outcome, workflowId, reason }));
    try {
      const submissions = await this.client.connection.withDeadline(Date.now() + this.deadlineMs, () =>
        first!.kind === 'agent'
          ? this.toAgent(group as AgentRouted[])
          : this.toConversation(group as ConversationRouted[]),
      );
      return group.map(({ index, event }, position) => ({
        index,
        eventId: event.eventId,
        outcome: submissions[position]!.outcome,
        workflowId,
      }));
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        return answer(
          'conversationFinished',
          `conversation ${workflowId} has finished; its events are not applied`,
        );
      }
      if (
        error instanceof WorkflowUpdateFailedError &&
        error.cause instanceof ApplicationFailure &&
        error.cause.type === conversationEndedType
      ) {
        return answer('conversationFinished', `conversation ${workflowId}: ${error.cause.message}`);
      }
      // Temporal did not answer (unreachable, overloaded, past the deadline): nothing is known to be held.
      return answer(
        'unavailable',
        `Temporal did not take the events: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private async toAgent(group: AgentRouted[]) {
    const { source, agentId } = group[0]!.event;
    return this.client.workflow.executeUpdateWithStart(submitAgentEventsUpdate, {
      args: [group.map((routed) => routed.event)],
      startWorkflowOperation: new WithStartWorkflowOperation(agentWorkflow, {
        workflowId: group[0]!.workflowId,
        taskQueue: this.options.taskQueue,
        args: [{ source, agentId, settings: this.options.agentSettings }],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      }),
    });
  }

  private async toConversation(group: ConversationRouted[]) {
    const { source, interactionId } = group[0]!.event;
    return this.client.workflow.executeUpdateWithStart(submitInteractionEventsUpdate, {
      args: [group.map((routed) => routed.event)],
      startWorkflowOperation: new WithStartWorkflowOperation(conversationWorkflow, {
        workflowId: group[0]!.workflowId,
        taskQueue: this.options.taskQueue,
        args: [{ source, interactionId, settings: this.options.conversationSettings }],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        // A finished conversation is never started again: its late events are reported instead.
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      }),
    });
  }
}

type AgentRouted = Extract<Routed, { kind: 'agent' }>;
type ConversationRouted = Extract<Routed, { kind: 'conversation' }>;

function parse<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
): { success: true; data: z.output<Schema> } | { success: false; errors: FieldError[] } {
  const result = schema.safeParse(input);
  if (result.success) return { success: true, data: result.data };
  return {
    success: false,
    errors: result.error.issues.map((issue) => ({
      field: issue.path.length === 0 ? '(event)' : issue.path.join('.'),
      message: issue.message,
    })),
  };
}

function eventIdOf(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const eventId = (input as Record<string, unknown>).eventId;
  return typeof eventId === 'string' ? eventId : undefined;
}
