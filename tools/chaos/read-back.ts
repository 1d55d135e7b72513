/**
 * What the oracle reads after a run: each agent's Genesys streams (the simulator's user timelines) and
 * its workflow's ledger; each interaction's Genesys conversation (events, recordings, the uploaded
 * file's own MD5 from the simulator's upload directory) and its workflow's status with why it waits.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import axios from 'axios';
import { z } from 'zod';
import { agentWorkflowId } from '../../client/library/agent-events';
import { conversationWorkflowId } from '../../client/library/conversation-events';
import { agentStatusQuery } from '../../workflows/agent';
import { conversationStatusQuery, type conversationWorkflow } from '../../workflows/conversation';
import type { ConversationResult, ConversationStatus } from '../../workflows/conversation-status';
import type { AcknowledgedEvent } from './acknowledgements';
import type { AgentReadBack, ConversationReadBack, GenesysEvent, LedgerNote } from './oracle';

const usersSchema = z.object({
  users: z.array(
    z.object({
      id: z.string(),
      externalIds: z.array(z.object({ authorityName: z.string(), externalKey: z.string() })),
    }),
  ),
});
const genesysEventSchema = z.object({
  eventId: z.string(),
  eventDateTime: z.string(),
  key: z.string().optional(),
  communicationId: z.string().optional(),
});
const timelineSchema = z.object({
  presence: z.array(genesysEventSchema),
  routingStatus: z.array(genesysEventSchema),
});
const conversationSchema = z.object({
  events: z.array(genesysEventSchema),
  recordings: z.array(z.object({ status: z.string(), uploadKey: z.string() })),
});

/** Where to read. */
export interface ReadBackOptions {
  simulatorUrl: string;
  /** The simulator's upload directory (its `--upload-dir`). */
  uploadDir: string;
  client: Client;
  source: string;
}

/** Steps after which an interaction has nothing more to come from its source. */
const lastSteps = new Set(['wrapUp', 'recordingReady']);

/** Reads back every agent and interaction the acknowledged events name, a few at a time. */
export async function readBack(
  options: ReadBackOptions,
  acknowledged: readonly AcknowledgedEvent[],
): Promise<{ agents: AgentReadBack[]; conversations: ConversationReadBack[] }> {
  const organization = usersSchema.parse(
    (await axios.get(`${options.simulatorUrl}/__simulator/organization`)).data,
  );
  const userOf = new Map<string, string>();
  for (const user of organization.users) {
    const external = user.externalIds.find((id) => id.authorityName === options.source);
    if (external) userOf.set(external.externalKey, user.id);
  }
  const agentIds = [
    ...new Set(acknowledged.filter((event) => event.kind === 'agent').map((event) => event.entityId)),
  ];
  const interactions = new Map<string, AcknowledgedEvent[]>();
  for (const event of acknowledged) {
    if (event.kind === 'conversation')
      interactions.set(event.entityId, [...(interactions.get(event.entityId) ?? []), event]);
  }
  const agents = await inBatches(agentIds, (agentId) => readAgent(options, agentId, userOf.get(agentId)));
  const conversations = await inBatches([...interactions], ([interactionId, events]) =>
    readConversation(options, interactionId, events),
  );
  return { agents, conversations };
}

async function readAgent(
  options: ReadBackOptions,
  agentId: string,
  userId: string | undefined,
): Promise<AgentReadBack> {
  const streams: Record<string, GenesysEvent[]> = {};
  if (userId !== undefined) {
    const timeline = timelineSchema.parse(
      (await axios.get(`${options.simulatorUrl}/__simulator/users/${userId}/timeline`)).data,
    );
    streams.presence = timeline.presence;
    streams.routingStatus = timeline.routingStatus;
  }
  const handle = options.client.workflow.getHandle(agentWorkflowId(options.source, agentId));
  const status = await handle.query(agentStatusQuery).catch(() => undefined);
  return {
    agentId,
    streams,
    ledger: (status?.ledger ?? []).map(({ eventId, outcome, reason }) => ({ eventId, outcome, reason })),
  };
}

async function readConversation(
  options: ReadBackOptions,
  interactionId: string,
  acknowledged: readonly AcknowledgedEvent[],
): Promise<ConversationReadBack> {
  const handle = options.client.workflow.getHandle<typeof conversationWorkflow>(
    conversationWorkflowId(options.source, interactionId),
  );
  let view: WorkflowView;
  try {
    const description = await handle.describe();
    const name = description.status.name;
    view =
      name === 'RUNNING'
        ? viewOf(await handle.query(conversationStatusQuery))
        : name === 'COMPLETED'
          ? viewOf(await handle.result())
          : { status: name, reason: 'the workflow closed without a result', ledger: [] };
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    return { interactionId, status: 'NoWorkflow', events: [], ledger: [], recordings: [] };
  }
  // By the source's time: the driver's resends acknowledge some steps out of order.
  const lastStep =
    [...acknowledged].sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt)).at(-1)?.change ??
    '';
  const reason =
    view.reason ??
    (view.status === 'Running' && !lastSteps.has(lastStep)
      ? `open at the source (its last step so far: ${lastStep})`
      : undefined);
  const read: ConversationReadBack = {
    interactionId,
    status: view.status,
    ...(reason === undefined ? {} : { reason }),
    events: [],
    ledger: view.ledger,
    recordings: [],
  };
  if (view.conversationId === undefined) return read;
  const response = await axios.get(
    `${options.simulatorUrl}/__simulator/conversations/${view.conversationId}`,
    {
      validateStatus: (code) => code === 200 || code === 404,
    },
  );
  if (response.status === 404) return read;
  const conversation = conversationSchema.parse(response.data);
  read.events = conversation.events;
  read.recordings = await Promise.all(
    conversation.recordings.map(async (recording) => ({
      status: recording.status,
      md5: await fileMd5(path.join(options.uploadDir, recording.uploadKey)),
    })),
  );
  return read;
}

/** A conversation workflow as the oracle sees it. */
interface WorkflowView {
  status: string;
  reason?: string;
  conversationId?: string;
  ledger: LedgerNote[];
}

function viewOf(status: ConversationResult & Partial<Pick<ConversationStatus, 'blocked'>>): WorkflowView {
  const reason = status.blocked?.reason ?? status.recording.reason ?? status.message;
  return {
    status: status.status,
    ...(reason === undefined ? {} : { reason }),
    ...(status.conversationId === undefined ? {} : { conversationId: status.conversationId }),
    ledger: status.ledger.map(({ eventId, outcome, reason: why }) => ({ eventId, outcome, reason: why })),
  };
}

async function fileMd5(file: string): Promise<string | undefined> {
  try {
    return createHash('md5')
      .update(await readFile(file))
      .digest('base64');
  } catch {
    return undefined;
  }
}

async function inBatches<T, R>(items: readonly T[], read: (item: T) => Promise<R>, size = 16): Promise<R[]> {
  const results: R[] = [];
  for (let index = 0; index < items.length; index += size) {
    results.push(...(await Promise.all(items.slice(index, index + size).map(read))));
  }
  return results;
}
