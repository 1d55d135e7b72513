/**
 * After the load: waiting for the bridge to finish what it was given, then reading what its workflows
 * did (conversations by status, the reasons of blocked ones, history events per run).
 */
import type { Client } from '@temporalio/client';
import { summarise } from '../../simulator/latency';
import { conversationStatusQuery } from '../../workflows/conversation';
import { poll, simulatorLatency } from '../stack/stack';
import { log } from './log';
import type { BenchFlags } from './options';
import type { Offered } from './play';
import { withTemporalClient, type TemporalTarget } from './temporal';

/** One run of a bridge workflow as the bench counts it. */
export interface WorkflowRun {
  workflowId: string;
  runId: string;
  kind: 'conversation' | 'agent';
  status: string;
  historyLength: number;
}

/** What the bridge's workflows did with the load, and whether they finished in time. */
export type BridgeOutcome = Awaited<ReturnType<typeof settleBridge>>;

/** Every run of the bridge's workflows with its kind, status and history length, a few describes at a time. */
export async function workflowRuns(client: Client): Promise<WorkflowRun[]> {
  const runs: WorkflowRun[] = [];
  for await (const workflow of client.workflow.list({ query: `ByoiKind IN ('conversation', 'agent')` })) {
    runs.push({
      workflowId: workflow.workflowId,
      runId: workflow.runId,
      kind: workflow.searchAttributes.ByoiKind?.[0] as 'conversation' | 'agent',
      status: String(workflow.searchAttributes.ByoiStatus?.[0] ?? workflow.status.name),
      historyLength: 0,
    });
  }
  for (let index = 0; index < runs.length; index += 16) {
    await Promise.all(
      runs.slice(index, index + 16).map(async (run) => {
        run.historyLength = (
          await client.workflow.getHandle(run.workflowId, run.runId).describe()
        ).historyLength;
      }),
    );
  }
  return runs;
}

/**
 * Waits for the bridge to finish what the load gave it, then reads what its workflows did; history
 * events written before the load (`historyBefore`: the shift opening's) are not the load's.
 */
export async function settleBridge(
  flags: BenchFlags,
  temporal: TemporalTarget,
  simulatorUrl: string,
  offered: Offered,
  startedAt: number,
  historyBefore = 0,
) {
  return withTemporalClient(temporal, async (client) => {
    const running = async () =>
      (await client.workflow.count(`ByoiKind = 'conversation' AND ExecutionStatus = 'Running'`)).count;
    const agentEventsDelivered = async () => {
      const latency = await simulatorLatency(simulatorUrl, startedAt);
      return latency.events.presence.count + latency.events.routingStatus.count;
    };
    const settled = await poll(
      async () =>
        (await running()) === 0 && (await agentEventsDelivered()) >= offered.presence + offered.routingStatus,
      (done) => done,
      flags.settleSeconds * 1_000,
      2_000,
    );
    const settledAfterMs = Date.now();
    log(settled ? 'the bridge has settled everything' : `not settled after ${flags.settleSeconds} s`);

    const conversationStatuses: Record<string, number> = {};
    const histories: Record<'conversation' | 'agent', number[]> = { conversation: [], agent: [] };
    const blocked: string[] = [];
    // An agent's continued runs each count; per conversation only completed ones, whose history is whole.
    const runs = await workflowRuns(client);
    for (const { workflowId, runId, kind, status, historyLength } of runs) {
      if (status === 'Blocked' && blocked.length < 10) {
        const reason = (await client.workflow.getHandle(workflowId, runId).query(conversationStatusQuery))
          .blocked;
        blocked.push(
          `${workflowId}: ${reason ? `${reason.kind} ${reason.type} — ${reason.reason}` : 'unknown'}`,
        );
      }
      if (kind === 'conversation') conversationStatuses[status] = (conversationStatuses[status] ?? 0) + 1;
      if (kind === 'agent' || status === 'Completed') histories[kind].push(historyLength);
    }
    const totalHistoryEvents = runs.reduce((sum, run) => sum + run.historyLength, 0) - historyBefore;
    return {
      settled,
      settleMs: settledAfterMs,
      conversationStatuses,
      blocked,
      historyEvents: {
        conversation: summarise(histories.conversation),
        agent: summarise(histories.agent),
        total: totalHistoryEvents,
      },
    };
  });
}
