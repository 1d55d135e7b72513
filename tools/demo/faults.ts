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
import { byoiKind, byoiSource, byoiStatus } from '../../workflows/search-attributes';
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

/** What an agent's latest events said. */
export interface AgentState {
  presence?: string;
  routing?: string;
  /** The instant of its latest event. */
  lastMs: number;
}

/** Follows the events the main job sends, so later scenarios carry on from each agent's last state. */
export class AgentStates {
  private readonly states = new Map<string, AgentState>();
  /** The instant of the latest event sent, of any kind. */
  lastMs = -Infinity;

  see(event: { kind: string; occurredAt?: unknown; agentId?: unknown; change?: unknown }): void {
    const atMs = Date.parse(String(event.occurredAt));
    this.lastMs = Math.max(this.lastMs, atMs);
    if (event.kind !== 'agent' || typeof event.agentId !== 'string') return;
    const state = this.states.get(event.agentId) ?? { lastMs: -Infinity };
    const change = event.change as { kind: string; state?: string; status?: string };
    if (change.kind === 'presence') state.presence = change.state;
    else state.routing = change.status;
    state.lastMs = Math.max(state.lastMs, atMs);
    this.states.set(event.agentId, state);
  }

  of(agentId: string): AgentState | undefined {
    return this.states.get(agentId);
  }

  /** On queue and free to take an interaction. */
  isReady(agentId: string): boolean {
    const state = this.of(agentId);
    return state?.presence === readyState && state.routing === 'Idle';
  }
}

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

/** Plays every scenario and prints what became of it; ends with the blocked-and-waiting report. */
export async function playFaults(context: FaultContext): Promise<void> {
  const { client, source, step, agentStates } = context;
  const post = async (events: unknown[]) =>
    (
      await axios.post<Answer>(`${context.ingress.url}/v1/events`, events, {
        headers: { authorization: `Bearer ${context.ingress.token}` },
      })
    ).data;
  /** Posts new events, following what they say of their agents. */
  const send = (events: { kind: string }[]) => {
    for (const event of events) agentStates.see(event);
    return post(events);
  };
  const counters = () => simulatorCounters(context.simulatorUrl);
  const agentStatus = (agentId: string) =>
    client.workflow.getHandle(agentWorkflowId(source, agentId)).query(agentStatusQuery);
  const conversationStatus = (interactionId: string) =>
    client.workflow.getHandle(conversationWorkflowId(source, interactionId)).query(conversationStatusQuery);
  /** The conversation's status once it reads `wanted`, or as it is after `timeoutMs`. */
  const conversationUntil = (
    interactionId: string,
    wanted: ConversationStatus['status'],
    timeoutMs: number,
  ) =>
    poll(
      () => conversationStatus(interactionId),
      (status) => status.status === wanted,
      timeoutMs,
    );
  const agentEvent = (agentId: string, change: object, occurredAt: number, sequence?: number) => ({
    kind: 'agent',
    source,
    agentId,
    eventId: randomUUID(),
    occurredAt: new Date(occurredAt).toISOString(),
    ...(sequence === undefined ? {} : { sequence }),
    change,
  });
  const asAgentEvents = (events: AgentEventInput[]) => events.map((event) => ({ kind: 'agent', ...event }));
  /** The log-in of an agent not on queue and idle at `atMs` (after its last event); nothing for one who is. */
  const readyAt = (agentId: string, atMs: number) =>
    agentStates.isReady(agentId) ? [] : asAgentEvents(logIn(source, agentId, atMs));
  /** Now, or later if the main job's events went further (the load's last steps were stamped ahead). */
  const notBefore = (agentIds: string[], stepsBack = 0) =>
    Math.max(
      Date.now() - stepsBack * 1_000,
      ...agentIds.map((agentId) => (agentStates.of(agentId)?.lastMs ?? -Infinity) + 1),
    );
  step('things that go wrong:');

  // 1. An adapter that lost its acknowledgements redelivers what it sent, three times at once.
  const before = await counters();
  const burst = await Promise.all([1, 2, 3].map(() => post(context.recentEvents)));
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const after = await counters();
  step(
    `  duplicate burst: the last ${context.recentEvents.length} events sent again 3 times at once → ${countOutcomes(burst)}; ` +
      `Genesys saw ${after.duplicateEventIds - before.duplicateEventIds} event ids twice`,
  );

  // 2. A presence change that arrives after a later one of the same agent was published: the agent went
  // on a break (off queue) and the adapter then delivers its log-in of 90 s ago.
  const lateAgent = 'agent-2';
  const breakAt = notBefore([lateAgent]);
  const loggedIn = readyAt(lateAgent, breakAt);
  const onBreakAt = breakAt + loggedIn.length;
  const current = agentEvent(lateAgent, { kind: 'presence', state: 'Break' }, onBreakAt);
  await send([
    ...loggedIn,
    current,
    agentEvent(lateAgent, { kind: 'routingStatus', status: 'OffQueue' }, onBreakAt, 1),
  ]);
  await poll(
    () => agentStatus(lateAgent),
    (status) => status.pending === 0 && status.lastPublished?.occurredAt === current.occurredAt,
    30_000,
  );
  const late = agentEvent(lateAgent, { kind: 'presence', state: readyState }, Date.now() - 90_000);
  // Sent as an adapter would, but not followed: the agent's state is still the break.
  const lateAnswer = await post([late]);
  const ledgered = await poll(
    () => agentStatus(lateAgent),
    (status) => status.ledger.some((entry) => entry.eventId === late.eventId),
    30_000,
  );
  const entry = ledgered.ledger.find((each) => each.eventId === late.eventId);
  step(
    `  late event: ${lateAgent}'s presence of 90 s ago, after a newer one was published → ingress ${countOutcomes([lateAnswer])}; ` +
      `the agent workflow ${entry ? `recorded it as ${entry.outcome}: ${entry.reason}` : 'has not recorded it yet'}`,
  );

  // 3–5. An agent missing from Genesys, a call whose recording never comes, an unsupported sequence.
  // Each on a queue of its agent's, which logs in first unless it is on queue and idle already.
  const newcomer = `agent-${context.agents + 1}`;
  const directory = contactCentreDirectory({ agents: context.agents + 1, source });
  const memberships = queueMemberships(directory);
  const queueOf = (agentId: string) => memberships[agentId]?.[0] ?? 'queue-1';
  /** The interaction's events a second apart after its agent's last event, with the agent's own events. */
  const handledBy = (agentId: string, channel: 'voice' | 'email', changes: object[]) => {
    const startMs = notBefore([agentId], changes.length + 1);
    const events = interactionEventsFrom(source, channel, changes, startMs + 1_000);
    return { events, agentEvents: [...readyAt(agentId, startMs), ...asAgentEvents(agentStatusesOf(events))] };
  };
  const email = handledBy(newcomer, 'email', [
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
  const silentCall = handledBy('agent-4', 'voice', [
    { type: 'started', direction: 'inbound', ani: '+15550123', dnis: '+18005550100' },
    { type: 'queued', queueId: queueOf('agent-4') },
    { type: 'offered', agentId: 'agent-4' },
    { type: 'answered', agentId: 'agent-4' },
    { type: 'disconnected', party: { kind: 'customer' } },
    { type: 'wrapUp', agentId: 'agent-4', code: 'code-2' },
  ]);
  const strangeCall = handledBy('agent-6', 'voice', [
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
  const scenarios = [email, silentCall, strangeCall];
  await send([
    ...scenarios.flatMap((scenario) => scenario.agentEvents),
    ...scenarios.flatMap((scenario) => scenario.events).map((event) => ({ kind: 'conversation', ...event })),
  ]);
  const emailId = email.events[0]!.interactionId;
  const waiting = await poll(
    () => Promise.all([agentStatus(newcomer), conversationStatus(emailId)]),
    ([agent, conversation]) =>
      agent.status === 'WaitingForMapping' && conversation.status === 'WaitingForMapping',
    30_000,
  );
  step(
    `  unmapped agent: ${newcomer} is not in Genesys yet → agent workflow ${waiting[0].status} (${waiting[0].message ?? ''}), ` +
      `email ${emailId} ${waiting[1].status} (${waiting[1].message ?? ''})`,
  );
  const strangeId = strangeCall.events[0]!.interactionId;
  const blocked = await conversationUntil(strangeId, 'Blocked', 30_000);
  step(
    `  unsupported sequence: call ${strangeId} ${blocked.status}: ${blocked.blocked?.reason ?? blocked.message ?? ''}`,
  );

  // The directory gains the agent; the sync tells the waiting workflows, which carry on by themselves.
  writeFileSync(context.snapshotFile, JSON.stringify(directory));
  const report = await runDirectorySync(client, {
    source,
    snapshot: { kind: 'file', path: context.snapshotFile },
    taskQueue: context.taskQueue,
  });
  const flowed = await poll(
    () => agentStatus(newcomer),
    (agent) => agent.counters.published >= email.agentEvents.length,
    60_000,
  );
  const emailOutcome = await conversationUntil(emailId, 'Completed', 30_000);
  step(
    `  … ${newcomer} synced to Genesys (${report.users.created ?? 0} user created); the sync told the waiting workflows: ` +
      `agent ${flowed.status}, ${flowed.counters.published} events published; email ${emailOutcome.status}`,
  );

  const silentId = silentCall.events[0]!.interactionId;
  const missing = await conversationUntil(silentId, 'RecordingMissing', 60_000);
  step(
    `  recording that never comes: call ${silentId} ${missing.status}${missing.message ? `: ${missing.message}` : ''}`,
  );

  await reportAttention(context);
}

/** The workflows that need an operator or are still waiting, each with its reason, and where to look. */
async function reportAttention(context: FaultContext): Promise<void> {
  const { client, source, step, uiUrl } = context;
  const attention = [
    'Blocked',
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
    const kind = execution.searchAttributes[byoiKind.name]?.[0];
    const handle = client.workflow.getHandle(execution.workflowId);
    let line: string;
    if (kind === 'agent') {
      const status: AgentStatus = await handle.query(agentStatusQuery);
      line = `${status.status}: ${status.message ?? ''}`;
    } else {
      const status: ConversationStatus = await handle.query(conversationStatusQuery);
      line = `${status.status}: ${status.blocked ? `${status.blocked.type} (event ${status.blocked.eventId}) — ${status.blocked.reason}` : (status.message ?? '')}`;
    }
    step(`  ${execution.workflowId} — ${line}`);
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
    'agents not in Genesys',
    `${byoiKind.name} = 'agent' AND ${byoiStatus.name} IN ('WaitingForMapping', 'Conflict')`,
  );
  link(
    'recordings that never came or failed',
    `${byoiStatus.name} IN ('RecordingMissing', 'RecordingFailed')`,
  );
  step('what an operator does about it (npm run cli -- --help):');
  step(`  npm run cli -- conversation list --status Blocked --source ${source}`);
  step(`  npm run cli -- conversation status ${source} <interactionId>`);
  step(`  npm run cli -- conversation skip ${source} <interactionId>   # or retry, or abandon --reason "…"`);
}
