/**
 * The main job's second act: the things that go wrong in a real contact centre, played through the
 * ingress after the generated traffic, each shown with what the bridge made of it — a duplicate burst
 * (an adapter redelivering), a late event, an agent missing from Genesys until the next directory
 * sync, a call whose recording never comes, and an unsupported sequence that blocks its conversation.
 * The agents in them stay consistent, as in a real contact centre: on queue and idle before they take
 * an interaction, Interacting from its offer to their wrap-up, off queue on a break — carrying on from
 * the state their last events gave them. Then the report of what is blocked or waiting and why, with
 * the Web UI queries and the operator commands that act on it.
 */
import { writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import axios from 'axios';
import { agentWorkflowId } from '../../client/library/agent-events';
import { conversationWorkflowId } from '../../client/library/conversation-events';
import { runDirectorySync } from '../../client/library/directory-sync';
import { agentStatusQuery, type AgentStatus } from '../../workflows/agent';
import { conversationStatusQuery, type ConversationStatus } from '../../workflows/conversation';
import { byoiExternalId, byoiKind, byoiSource, byoiStatus } from '../../workflows/search-attributes';
import type { AgentEventInput } from '../../domain/events/agent-event';
import {
  agentStatusesOf,
  contactCentreDirectory,
  interactionEventsFrom,
  logIn,
  queueMemberships,
  readyState,
} from '../load/contact-centre';
import type { TimedEvent } from '../load/generator';
import { poll, simulatorCounters } from '../stack/stack';
import type { AgentStates } from './agent-states';

/** What the fault scenarios need from the main job. */
export interface FaultContext {
  client: Client;
  source: string;
  taskQueue: string;
  namespace: string;
  ingress: { url: string; token: string };
  simulatorUrl: string;
  uiUrl: string | undefined;
  /** Agents of the directory the demo synced (`agent-1` … `agent-N`). */
  agents: number;
  /** The snapshot file the directory sync and the worker read. */
  snapshotFile: string;
  /** Events the contact-centre phase sent last, for the duplicate burst. */
  recentEvents: TimedEvent['event'][];
  /** What every agent's last event said; the scenarios' events are added as they are sent. */
  agentStates: AgentStates;
  recordingUrl: string;
  recordingBytes: number;
  step: (message: string) => void;
}

interface Answer {
  outcomes: { outcome: string; errors?: { field: string; message: string }[] }[];
}

function countOutcomes(answers: Answer[]): string {
  const counts = new Map<string, number>();
  for (const outcome of answers.flatMap((answer) => answer.outcomes)) {
    counts.set(outcome.outcome, (counts.get(outcome.outcome) ?? 0) + 1);
  }
  return [...counts].map(([outcome, count]) => `${count} ${outcome}`).join(', ');
}

const asAgentEvents = (events: AgentEventInput[]) => events.map((event) => ({ kind: 'agent', ...event }));

/** Plays every scenario and prints what became of it; ends with the blocked-and-waiting report. */
export async function playFaults(context: FaultContext): Promise<void> {
  const faults = new FaultPlayer(context);
  context.step('things that go wrong:');
  await faults.duplicateBurst();
  await faults.lateEvent();
  const troubled = await faults.sendTroubledInteractions();
  await faults.unmappedAgent(troubled);
  await faults.unsupportedSequence(troubled);
  await faults.agentJoinsTheDirectory(troubled);
  await faults.recordingNeverComes(troubled);
  await reportAttention(context);
}

/** An interaction's events and its agent's own (log-in first unless on queue and idle already). */
interface HandledInteraction {
  events: ReturnType<typeof interactionEventsFrom>;
  agentEvents: ReturnType<typeof asAgentEvents>;
}

/** Three interactions sent together: an email of an agent Genesys does not know yet, a call whose recording never comes and one with a step Genesys cannot express. */
interface TroubledInteractions {
  newcomer: string;
  directory: ReturnType<typeof contactCentreDirectory>;
  email: HandledInteraction;
  silentCall: HandledInteraction;
  strangeCall: HandledInteraction;
}

/** The scenes of the second act, each sending what a real adapter would and reading what became of it. */
class FaultPlayer {
  constructor(private readonly context: FaultContext) {}

  /** An adapter that lost its acknowledgements redelivers what it sent, three times at once. */
  async duplicateBurst(): Promise<void> {
    const { context } = this;
    const before = await simulatorCounters(context.simulatorUrl);
    const burst = await Promise.all([1, 2, 3].map(() => this.post(context.recentEvents)));
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const after = await simulatorCounters(context.simulatorUrl);
    context.step(
      `  duplicate burst: the last ${context.recentEvents.length} events sent again 3 times at once → ${countOutcomes(burst)}; ` +
        `Genesys saw ${after.duplicateEventIds - before.duplicateEventIds} event ids twice`,
    );
  }

  /**
   * A presence change that arrives after a later one of the same agent was published: the agent went on
   * a break (off queue) and the adapter then delivers its log-in of 90 s ago.
   */
  async lateEvent(): Promise<void> {
    const lateAgent = 'agent-2';
    const breakAt = this.notBefore([lateAgent]);
    const loggedIn = this.readyAt(lateAgent, breakAt);
    const onBreakAt = breakAt + loggedIn.length;
    const current = this.agentEvent(lateAgent, { kind: 'presence', state: 'Break' }, onBreakAt);
    await this.send([
      ...loggedIn,
      current,
      this.agentEvent(lateAgent, { kind: 'routingStatus', status: 'OffQueue' }, onBreakAt, 1),
    ]);
    await poll(
      () => this.agentStatus(lateAgent),
      (status) => status.pending === 0 && status.lastPublished?.occurredAt === current.occurredAt,
      30_000,
    );
    const late = this.agentEvent(lateAgent, { kind: 'presence', state: readyState }, Date.now() - 90_000);
    // Sent as an adapter would, but not followed: the agent's state is still the break.
    const lateAnswer = await this.post([late]);
    const ledgered = await poll(
      () => this.agentStatus(lateAgent),
      (status) => status.ledger.some((entry) => entry.eventId === late.eventId),
      30_000,
    );
    const entry = ledgered.ledger.find((each) => each.eventId === late.eventId);
    this.context.step(
      `  late event: ${lateAgent}'s presence of 90 s ago, after a newer one was published → ingress ${countOutcomes([lateAnswer])}; ` +
        `the agent workflow ${entry ? `recorded it as ${entry.outcome}: ${entry.reason}` : 'has not recorded it yet'}`,
    );
  }

  /** Sends the three troubled interactions, each on a queue of its agent's, with their agents' events. */
  async sendTroubledInteractions(): Promise<TroubledInteractions> {
    const { context } = this;
    const newcomer = `agent-${context.agents + 1}`;
    const directory = contactCentreDirectory({ agents: context.agents + 1, source: context.source });
    const memberships = queueMemberships(directory);
    const queueOf = (agentId: string) => memberships[agentId]?.[0] ?? 'queue-1';
    const email = this.handledBy(newcomer, 'email', [
      {
        type: 'received',
        to: ['support@contact-centre.example'],
        from: 'new.customer@example.org',
        subject: 'Hello',
      },
      { type: 'queued', queueId: queueOf(newcomer) },
      { type: 'assigned', agentId: newcomer },
      { type: 'replySent', agentId: newcomer },
      { type: 'closed', agentId: newcomer, reason: 'resolved' },
      { type: 'wrapUp', agentId: newcomer, code: 'code-1' },
    ]);
    const silentCall = this.handledBy('agent-4', 'voice', [
      { type: 'started', direction: 'inbound', ani: '+15550123', dnis: '+18005550100' },
      { type: 'queued', queueId: queueOf('agent-4') },
      { type: 'offered', agentId: 'agent-4' },
      { type: 'answered', agentId: 'agent-4' },
      { type: 'disconnected', party: { kind: 'customer' } },
      { type: 'wrapUp', agentId: 'agent-4', code: 'code-2' },
    ]);
    const strangeCall = this.handledBy('agent-6', 'voice', [
      { type: 'started', direction: 'inbound', ani: '+15550124', dnis: '+18005550100' },
      { type: 'queued', queueId: queueOf('agent-6') },
      // A hold by an agent who is not on the call: nothing in Genesys can express it.
      { type: 'held', agentId: 'agent-5' },
      { type: 'offered', agentId: 'agent-6' },
      { type: 'answered', agentId: 'agent-6' },
      { type: 'disconnected', party: { kind: 'customer' } },
      { type: 'wrapUp', agentId: 'agent-6', code: 'code-1' },
      {
        type: 'recordingReady',
        url: context.recordingUrl,
        contentType: 'audio/wav',
        sizeBytes: context.recordingBytes,
      },
    ]);
    const interactions = [email, silentCall, strangeCall];
    await this.send([
      ...interactions.flatMap((interaction) => interaction.agentEvents),
      ...interactions
        .flatMap((interaction) => interaction.events)
        .map((event) => ({ kind: 'conversation', ...event })),
    ]);
    return { newcomer, directory, email, silentCall, strangeCall };
  }

  /** The agent Genesys does not know yet: its workflow and its email wait for the mapping. */
  async unmappedAgent({ newcomer, email }: TroubledInteractions): Promise<void> {
    const emailId = email.events[0]!.interactionId;
    const [agent, conversation] = await poll(
      () => Promise.all([this.agentStatus(newcomer), this.conversationStatus(emailId)]),
      ([agentNow, conversationNow]) =>
        agentNow.status === 'WaitingForMapping' && conversationNow.status === 'WaitingForMapping',
      30_000,
    );
    this.context.step(
      `  unmapped agent: ${newcomer} is not in Genesys yet → agent workflow ${agent.status} (${agent.message ?? ''}), ` +
        `email ${emailId} ${conversation.status} (${conversation.message ?? ''})`,
    );
  }

  /** The call with a hold by an agent who is not on it stops Blocked, saying why. */
  async unsupportedSequence({ strangeCall }: TroubledInteractions): Promise<void> {
    const strangeId = strangeCall.events[0]!.interactionId;
    const blocked = await this.conversationUntil(strangeId, 'Blocked', 30_000);
    this.context.step(
      `  unsupported sequence: call ${strangeId} ${blocked.status}: ${blocked.blocked?.reason ?? blocked.message ?? ''}`,
    );
  }

  /** The directory gains the agent; the sync tells the waiting workflows, which carry on by themselves. */
  async agentJoinsTheDirectory({ newcomer, directory, email }: TroubledInteractions): Promise<void> {
    const { context } = this;
    writeFileSync(context.snapshotFile, JSON.stringify(directory));
    const report = await runDirectorySync(context.client, {
      source: context.source,
      snapshot: { kind: 'file', path: context.snapshotFile },
      taskQueue: context.taskQueue,
    });
    const flowed = await poll(
      () => this.agentStatus(newcomer),
      (agent) => agent.counters.published >= email.agentEvents.length,
      60_000,
    );
    const emailOutcome = await this.conversationUntil(email.events[0]!.interactionId, 'Completed', 30_000);
    context.step(
      `  … ${newcomer} synced to Genesys (${report.users.created ?? 0} user created); the sync told the waiting workflows: ` +
        `agent ${flowed.status}, ${flowed.counters.published} events published; email ${emailOutcome.status}`,
    );
  }

  /** The answered call whose recording never comes ends RecordingMissing after the demo's short wait. */
  async recordingNeverComes({ silentCall }: TroubledInteractions): Promise<void> {
    const silentId = silentCall.events[0]!.interactionId;
    const missing = await this.conversationUntil(silentId, 'RecordingMissing', 60_000);
    this.context.step(
      `  recording that never comes: call ${silentId} ${missing.status}${missing.message ? `: ${missing.message}` : ''}`,
    );
  }

  private async post(events: unknown[]): Promise<Answer> {
    const { ingress } = this.context;
    const answer = await axios.post<Answer>(`${ingress.url}/v1/events`, events, {
      headers: { authorization: `Bearer ${ingress.token}` },
    });
    return answer.data;
  }

  /** Posts new events, following what they say of their agents. */
  private send(events: { kind: string }[]): Promise<Answer> {
    for (const event of events) this.context.agentStates.see(event);
    return this.post(events);
  }

  private agentStatus(agentId: string): Promise<AgentStatus> {
    const { client, source } = this.context;
    return client.workflow.getHandle(agentWorkflowId(source, agentId)).query(agentStatusQuery);
  }

  private conversationStatus(interactionId: string): Promise<ConversationStatus> {
    const { client, source } = this.context;
    return client.workflow
      .getHandle(conversationWorkflowId(source, interactionId))
      .query(conversationStatusQuery);
  }

  /** The conversation's status once it reads `wanted`, or as it is after `timeoutMs`. */
  private conversationUntil(
    interactionId: string,
    wanted: ConversationStatus['status'],
    timeoutMs: number,
  ): Promise<ConversationStatus> {
    return poll(
      () => this.conversationStatus(interactionId),
      (status) => status.status === wanted,
      timeoutMs,
    );
  }

  private agentEvent(agentId: string, change: object, occurredAt: number, sequence?: number) {
    return {
      kind: 'agent',
      source: this.context.source,
      agentId,
      eventId: randomUUID(),
      occurredAt: new Date(occurredAt).toISOString(),
      ...(sequence === undefined ? {} : { sequence }),
      change,
    };
  }

  /** The log-in of an agent not on queue and idle at `atMs` (after its last event); nothing for one who is. */
  private readyAt(agentId: string, atMs: number) {
    return this.context.agentStates.isReady(agentId)
      ? []
      : asAgentEvents(logIn(this.context.source, agentId, atMs));
  }

  /** Now, or later if the main job's events went further (the load's last steps were stamped ahead). */
  private notBefore(agentIds: string[], stepsBack = 0): number {
    return Math.max(
      Date.now() - stepsBack * 1_000,
      ...agentIds.map((agentId) => (this.context.agentStates.of(agentId)?.lastMs ?? -Infinity) + 1),
    );
  }

  /** The interaction's events a second apart after its agent's last event, with the agent's own events. */
  private handledBy(agentId: string, channel: 'voice' | 'email', changes: object[]): HandledInteraction {
    const startMs = this.notBefore([agentId], changes.length + 1);
    const events = interactionEventsFrom(this.context.source, channel, changes, startMs + 1_000);
    return {
      events,
      agentEvents: [...this.readyAt(agentId, startMs), ...asAgentEvents(agentStatusesOf(events))],
    };
  }
}

/** The workflows that need an operator or are still waiting, each with its reason, and where to look. */
async function reportAttention(context: FaultContext): Promise<void> {
  const { client, source, step, uiUrl } = context;
  const attention = [
    'Blocked',
    'Stalled',
    'WaitingForMapping',
    'WaitingForRecording',
    'RecordingMissing',
    'RecordingFailed',
    'Conflict',
  ];
  const query = `${byoiSource.name} = '${source}' AND ${byoiStatus.name} IN (${attention.map((status) => `'${status}'`).join(', ')})`;
  step('blocked and waiting work, and why:');
  let found = 0;
  for await (const execution of client.workflow.list({ query })) {
    found++;
    const kind = execution.typedSearchAttributes.get(byoiKind);
    const externalId = execution.typedSearchAttributes.get(byoiExternalId) ?? '<id>';
    const handle = client.workflow.getHandle(execution.workflowId);
    let line: string;
    if (kind === 'agent') {
      const status: AgentStatus = await handle.query(agentStatusQuery);
      line = `${status.status}: ${status.message ?? ''}`;
    } else {
      const status: ConversationStatus = await handle.query(conversationStatusQuery);
      // A blocked step's reason names its cause, the step and its event.
      line = `${status.status}: ${status.blocked?.reason ?? status.message ?? ''}`;
    }
    step(`  ${execution.workflowId} — ${line}`);
    step(`    why, and what to do: npm run cli -- explain ${kind ?? 'conversation'} ${source} ${externalId}`);
  }
  if (found === 0) step('  nothing');
  const link = (title: string, visibility: string) =>
    step(
      `  ${title}: ${uiUrl ? `${uiUrl}/namespaces/${context.namespace}/workflows?query=${encodeURIComponent(visibility)}` : visibility}`,
    );
  step('in the Temporal Web UI:');
  link('blocked conversations', `${byoiKind.name} = 'conversation' AND ${byoiStatus.name} = 'Blocked'`);
  link(
    'waiting conversations',
    `${byoiKind.name} = 'conversation' AND ${byoiStatus.name} IN ('WaitingForMapping', 'WaitingForWrapUp', 'WaitingForRecording')`,
  );
  link(
    'conversations that cannot end',
    `${byoiKind.name} = 'conversation' AND ${byoiStatus.name} = 'Stalled'`,
  );
  link(
    'agents not in Genesys',
    `${byoiKind.name} = 'agent' AND ${byoiStatus.name} IN ('WaitingForMapping', 'Conflict')`,
  );
  link(
    'recordings that never came or failed',
    `${byoiStatus.name} IN ('RecordingMissing', 'RecordingFailed')`,
  );
  step('what an operator does about it (npm run cli -- --help):');
  step(
    `  npm run cli -- explain conversation ${source} <interactionId>   # or explain agent ${source} <agentId>`,
  );
  step(`  npm run cli -- conversation list --status Blocked --source ${source}`);
  step(`  npm run cli -- conversation skip ${source} <interactionId>   # or retry, or abandon --reason "…"`);
  step(
    `  npm run cli -- conversation skip --status Blocked --source ${source}   # all of them: a dry run; --yes acts`,
  );
}
