/**
 * What an agent workflow carries, read from the running agents (their status query's `carried`): how many
 * eventIds each remembers for deduplication and the bytes of the state that crosses continue-as-new; and
 * what a remembered id costs in a V8 heap, measured here for the compact set the workflows keep and for
 * the map of ids to times it replaced.
 */
import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { agentStatusQuery } from '../../workflows/agent';
import { markSeen, type SeenIds } from '../../workflows/seen-ids';
import { withTemporalClient, type TemporalTarget } from '../bench/temporal';

/** The carried state of the agents sampled. */
export interface CarriedStateSample {
  agents: number;
  /** Agents asked that did not answer (a busy worker): left out of the figures. */
  unanswered: number;
  eventIds: { mean: number; max: number };
  bytes: { mean: number; max: number };
  /** History events of each agent's current run: what its cached state machines in the worker grow with. */
  historyEvents: { mean: number; max: number };
}

/** Queries up to `count` running agent workflows for what they carry. */
export async function sampleAgentState(temporal: TemporalTarget, count: number): Promise<CarriedStateSample> {
  return withTemporalClient(temporal, async (client) => {
    const ids: string[] = [];
    for await (const execution of client.workflow.list({
      query: `ByoiKind = 'agent' AND ExecutionStatus = 'Running'`,
    })) {
      ids.push(execution.workflowId);
      if (ids.length >= count) break;
    }
    // Every query settles before the connection closes: a query still retrying on a closed connection
    // throws from a timer and takes the process down (the first hour-long soak ended so).
    const answers = await Promise.allSettled(
      ids.map(async (id) => {
        const handle = client.workflow.getHandle(id);
        const [status, description] = await Promise.all([handle.query(agentStatusQuery), handle.describe()]);
        return { ...status.carried, historyEvents: description.historyLength };
      }),
    );
    const carried = answers.flatMap((answer) => (answer.status === 'fulfilled' ? [answer.value] : []));
    const stat = (values: number[]) => ({
      mean: Math.round(values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length)),
      max: Math.max(0, ...values),
    });
    return {
      agents: carried.length,
      unanswered: answers.length - carried.length,
      eventIds: stat(carried.map((each) => each.eventIds)),
      bytes: stat(carried.map((each) => each.bytes)),
      historyEvents: stat(carried.map((each) => each.historyEvents)),
    };
  });
}

/** Heap bytes a remembered id costs: the compact set against the map it replaced. */
export interface IdFootprint {
  compactHeapBytesPerId: number;
  mapHeapBytesPerId: number;
  compactJsonBytesPerId: number;
  mapJsonBytesPerId: number;
}

/**
 * Builds `agents` agents' day of `idsPerAgent` ids (vendor UUIDs, one every minute or so) both ways and
 * weighs each in this process's heap, after a full garbage collection.
 */
export function measureIdFootprint(agents = 1_000, idsPerAgent = 1_400): IdFootprint {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const weigh = <T>(build: () => T): { heapBytes: number; kept: T } => {
    gc();
    const before = process.memoryUsage().heapUsed;
    const kept = build();
    gc();
    return { heapBytes: process.memoryUsage().heapUsed - before, kept };
  };
  const dayMs = 86_400_000;
  const start = Date.now();
  const times = Array.from({ length: idsPerAgent }, (_, index) => start + (index * dayMs) / idsPerAgent);
  const compact = weigh(() =>
    Array.from({ length: agents }, () => {
      const seen: SeenIds = [];
      for (const atMs of times) markSeen(seen, randomUUID(), atMs, dayMs);
      // As a workflow holds it after continue-as-new: flat strings, parsed from the input.
      return JSON.parse(JSON.stringify(seen)) as SeenIds;
    }),
  );
  const map = weigh(() =>
    Array.from({ length: agents }, () => {
      const seen: Record<string, number> = {};
      for (const atMs of times) seen[randomUUID()] = atMs;
      return JSON.parse(JSON.stringify(seen)) as Record<string, number>;
    }),
  );
  const ids = agents * idsPerAgent;
  return {
    compactHeapBytesPerId: Math.round(compact.heapBytes / ids),
    mapHeapBytesPerId: Math.round(map.heapBytes / ids),
    compactJsonBytesPerId: Number((JSON.stringify(compact.kept[0]).length / idsPerAgent).toFixed(1)),
    mapJsonBytesPerId: Number((JSON.stringify(map.kept[0]).length / idsPerAgent).toFixed(1)),
  };
}
