/**
 * Agent-stream fixtures for tests on a dev server: chronological change streams per agent, a delivery
 * plan that shuffles and duplicates them within the reorder window, and the checks that the simulator's
 * timelines hold each change exactly once, in order.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Client, QueryDefinition } from '@temporalio/client';
import { agentEventSchema, type AgentEvent } from '../domain/events/agent-event';
import { agentWorkflowId } from '../client/library/agent-events';
import { BridgeClient } from '../client/library/bridge-client';
import type { Random } from '../simulator/random';
import type { TimelineEntry } from '../simulator/state';
import { agentStatusQuery, type AgentStatus, type AgentWorkflowSettings } from '../workflows/agent';
import { inspect, type TestSimulator } from './genesys-fixtures';

const presenceStates = ['Available', 'Busy', 'Break', 'Meal', 'Available', 'Training'];
const routingStatuses = ['Idle', 'Interacting', 'Communicating', 'Idle', 'OffQueue'] as const;

/**
 * `count` changes of `agentId` at `source`, one a second from `startMs`, alternating presence and
 * routing status.
 */
export function agentChanges(source: string, agentId: string, count: number, startMs: number): AgentEvent[] {
  return Array.from({ length: count }, (_, index) =>
    agentEventSchema.parse({
      source,
      agentId,
      eventId: randomUUID(),
      occurredAt: new Date(startMs + index * 1_000).toISOString(),
      change:
        index % 2 === 0
          ? { kind: 'presence', state: presenceStates[(index / 2) % presenceStates.length] }
          : { kind: 'routingStatus', status: routingStatuses[((index - 1) / 2) % routingStatuses.length] },
    }),
  );
}

/**
 * Rounds of delivery: round k holds block k of every agent's stream (`blockSize` consecutive changes),
 * shuffled, with about `duplicateRate` of them sent twice. Blocks never overlap in time, so an event is
 * never overtaken by more than its block: the reorder window covers it as long as a round is delivered
 * within the window.
 */
export function deliveryRounds<E>(
  streams: E[][],
  random: Random,
  { blockSize, duplicateRate }: { blockSize: number; duplicateRate: number },
): E[][] {
  const rounds: E[][] = [];
  const longest = Math.max(...streams.map((stream) => stream.length));
  for (let start = 0; start < longest; start += blockSize) {
    const round = streams.flatMap((stream) => {
      const block = stream.slice(start, start + blockSize);
      return [...block, ...block.filter(() => random() < duplicateRate)];
    });
    rounds.push(shuffle(round, random));
  }
  return rounds;
}

/** How many events of the rounds are repeats of one already in them. */
export function duplicatesIn(rounds: { eventId: string }[][]): number {
  const all = rounds.flat();
  return all.length - new Set(all.map((event) => event.eventId)).size;
}

/**
 * Submits each round's agent events through a {@link BridgeClient} — the ingress's way in: held for the
 * reorder window, then one signal per agent — round after round; answers what {@link submitRounds} does.
 */
export function deliver(
  client: Client,
  taskQueue: string,
  rounds: AgentEvent[][],
  settings: Partial<AgentWorkflowSettings>,
): Promise<number> {
  return submitRounds(new BridgeClient(client, { taskQueue, agentSettings: settings }), 'agent', rounds);
}

/**
 * Submits rounds of normalised events of one kind through `bridge`, round after round, and asserts every
 * event was taken. Answers how many the client answered `duplicate` itself (twins within one hold, never
 * signalled); the workflows count the others.
 */
export async function submitRounds(
  bridge: BridgeClient,
  kind: 'agent' | 'conversation',
  rounds: object[][],
): Promise<number> {
  let duplicates = 0;
  for (const round of rounds) {
    const outcomes = await bridge.submit(round.map((event) => ({ kind, ...event })));
    const taken = outcomes.filter(
      (outcome) => outcome.outcome === 'accepted' || outcome.outcome === 'duplicate',
    );
    assert.equal(
      taken.length,
      round.length,
      JSON.stringify(outcomes.find((outcome) => !taken.includes(outcome))),
    );
    duplicates += outcomes.filter((outcome) => outcome.outcome === 'duplicate').length;
  }
  return duplicates;
}

/** Polls an agent's status query until `check` holds (the workflow may not have started yet). */
export function untilAgent(
  client: Client,
  source: string,
  agentId: string,
  check: (status: AgentStatus) => boolean,
): Promise<AgentStatus> {
  return untilQueried(client, agentWorkflowId(source, agentId), agentStatusQuery, check);
}

/**
 * Polls a workflow's query until `check` holds (the workflow may not have started yet): its latest run, or
 * `runId`'s; with `withinMs`, fails naming the last answer once that has passed.
 */
export async function untilQueried<T>(
  client: Client,
  workflowId: string,
  query: QueryDefinition<T>,
  check: (answer: T) => boolean,
  options: { runId?: string; withinMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.withinMs ?? Infinity);
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const answer = await client.workflow.getHandle(workflowId, options.runId).query(query);
      last = answer;
      if (check(answer)) return answer;
    } catch (error) {
      // Not started yet, or between two runs of a continue-as-new.
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return assert.fail(`${workflowId}: the condition never held; last answer ${JSON.stringify(last)}`);
}

/**
 * Waits until every stream's agent has published all its changes, with nothing in its ledger, and
 * checks each agent's simulator timeline with {@link assertDeliveredExactlyOnce}; returns the statuses.
 */
export async function assertStreamsDelivered(
  client: Client,
  sim: TestSimulator,
  streams: AgentEvent[][],
): Promise<AgentStatus[]> {
  const statuses: AgentStatus[] = [];
  for (const stream of streams) {
    const { source, agentId } = stream[0]!;
    const status = await untilAgent(
      client,
      source,
      agentId,
      (current) => current.counters.published === stream.length,
    );
    assert.deepEqual(status.ledger, [], `${agentId}: nothing in the ledger`);
    await assertDeliveredExactlyOnce(sim, stream);
    statuses.push(status);
  }
  return statuses;
}

/**
 * Asserts that the simulator's timeline of the stream's agent holds exactly the changes of `stream`,
 * each once, in occurrence order, per Genesys stream (presence, routing status).
 */
export async function assertDeliveredExactlyOnce(sim: TestSimulator, stream: AgentEvent[]): Promise<void> {
  const agentId = stream[0]!.agentId;
  const user = sim.agents.find((candidate) =>
    candidate.externalIds.some((externalId) => externalId.externalKey === agentId),
  );
  assert.ok(user, `the simulator has no user for ${agentId}`);
  const timeline = await inspect<{ presence: TimelineEntry[]; routingStatus: TimelineEntry[] }>(
    sim.simulator,
    `users/${user.id}/timeline`,
  );
  for (const kind of ['presence', 'routingStatus'] as const) {
    const sent = stream.filter((event) => event.change.kind === kind);
    const accepted = timeline[kind];
    assert.deepEqual(
      accepted.map((entry) => entry.eventDateTime),
      sent.map((event) => event.occurredAt),
      `${kind} of ${agentId}: every change once, in order`,
    );
    assert.deepEqual(
      accepted.map((entry) => entry.value),
      sent.map((event) => (event.change.kind === 'presence' ? event.change.state : event.change.status)),
    );
    assert.equal(new Set(accepted.map((entry) => entry.eventId)).size, accepted.length);
  }
}

function shuffle<T>(items: T[], random: Random): T[] {
  const copy = [...items];
  for (let index = copy.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [copy[index], copy[other]] = [copy[other]!, copy[index]!];
  }
  return copy;
}
