/**
 * The main job's second act: the things that go wrong in a real contact centre, played through the
 * ingress after the generated traffic, each shown with what the bridge made of it — a duplicate burst
 * (an adapter redelivering), a late event, an agent missing from Genesys until the next directory
 * sync, a call whose recording never comes, and an unsupported sequence that blocks its conversation.
 * Then the report of what is blocked or waiting and why, with the Web UI queries and the operator
 * commands that act on it.
 */
import { writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import axios from 'axios';
import { agentWorkflowId } from '../client/agent-events';
import { conversationWorkflowId } from '../client/conversation-events';
import { runDirectorySync } from '../client/directory-sync';
import { agentStatusQuery, type AgentStatus } from '../workflows/agent';
import { conversationStatusQuery, type ConversationStatus } from '../workflows/conversation';
import { byoiKind, byoiSource, byoiStatus } from '../workflows/search-attributes';
import { contactCentreDirectory, interactionEvents } from './contact-centre';
import type { TimedEvent } from './load-generator';
import { poll, simulatorCounters } from './stack';

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
  const { client, source, step } = context;
  const post = async (events: unknown[]) =>
    (
      await axios.post<Answer>(`${context.ingress.url}/v1/events`, events, {
        headers: { authorization: `Bearer ${context.ingress.token}` },
      })
    ).data;
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
  const agentEvent = (agentId: string, change: object, occurredAt = new Date()) => ({
    kind: 'agent',
    source,
    agentId,
    eventId: randomUUID(),
    occurredAt: occurredAt.toISOString(),
    change,
  });
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

  // 2. A presence change that arrives after a later one of the same agent was published.
  const lateAgent = 'agent-2';
  const current = agentEvent(lateAgent, { kind: 'presence', state: 'Break' });
  await post([current]);
  await poll(
    () => agentStatus(lateAgent),
    (status) => status.lastPublished?.eventId === current.eventId,
    30_000,
  );
  const late = agentEvent(lateAgent, { kind: 'presence', state: 'Available' }, new Date(Date.now() - 90_000));
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
  const newcomer = `agent-${context.agents + 1}`;
  const email = interactionEvents(source, 'email', [
    {
      type: 'received',
      to: ['support@contact-centre.example'],
      from: 'new.customer@example.org',
      subject: 'Hello',
    },
    { type: 'queued', queueId: 'queue-1' },
    { type: 'assigned', agentId: newcomer },
    { type: 'replySent', agentId: newcomer },
    { type: 'closed', agentId: newcomer, reason: 'resolved' },
    { type: 'wrapUp', agentId: newcomer, code: 'code-1' },
  ]);
  const silentCall = interactionEvents(source, 'voice', [
    { type: 'started', direction: 'inbound', ani: '+15550123', dnis: '+18005550100' },
    { type: 'queued', queueId: 'queue-2' },
    { type: 'offered', agentId: 'agent-4' },
    { type: 'answered', agentId: 'agent-4' },
    { type: 'disconnected', party: { kind: 'customer' } },
    { type: 'wrapUp', agentId: 'agent-4', code: 'code-2' },
  ]);
  const strangeCall = interactionEvents(source, 'voice', [
    { type: 'started', direction: 'inbound', ani: '+15550124', dnis: '+18005550100' },
    { type: 'queued', queueId: 'queue-1' },
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
  await post([
    agentEvent(newcomer, { kind: 'presence', state: 'Available' }),
    agentEvent(newcomer, { kind: 'routingStatus', status: 'Idle' }),
    ...[email, silentCall, strangeCall].flat().map((event) => ({ kind: 'conversation', ...event })),
  ]);
  const emailId = email[0]!.interactionId;
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
  const strangeId = strangeCall[0]!.interactionId;
  const blocked = await conversationUntil(strangeId, 'Blocked', 30_000);
  step(
    `  unsupported sequence: call ${strangeId} ${blocked.status}: ${blocked.blocked?.reason ?? blocked.message ?? ''}`,
  );

  // The directory gains the agent; the sync tells the waiting workflows, which carry on by themselves.
  const directory = contactCentreDirectory({ agents: context.agents + 1, source });
  writeFileSync(context.snapshotFile, JSON.stringify(directory));
  const report = await runDirectorySync(client, {
    source,
    snapshot: { kind: 'file', path: context.snapshotFile },
    taskQueue: context.taskQueue,
  });
  const flowed = await poll(
    () => agentStatus(newcomer),
    (agent) => agent.counters.published >= 2,
    60_000,
  );
  const emailOutcome = await conversationUntil(emailId, 'Completed', 30_000);
  step(
    `  … ${newcomer} synced to Genesys (${report.users.created ?? 0} user created); the sync told the waiting workflows: ` +
      `agent ${flowed.status}, ${flowed.counters.published} events published; email ${emailOutcome.status}`,
  );

  const silentId = silentCall[0]!.interactionId;
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
