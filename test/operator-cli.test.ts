import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { agentWorkflowId, sendAgentEvent } from '../client/library/agent-events';
import { conversationWorkflowId, sendInteractionEvent } from '../client/library/conversation-events';
import type { Explanation } from '../client/library/workflow-explanation';
import { interactionEventSchema, type InteractionEvent } from '../domain/events/interaction-event';
import { interactionEvents } from '../tools/load/contact-centre';
import { inbound } from '../tools/load/conversation-scenarios';
import { temporalCliPath } from '../tools/stack/toolchain';
import {
  conversationStatusQuery,
  type ConversationStatus,
  type ConversationWorkflowSettings,
  type conversationWorkflow,
} from '../workflows/conversation';
import { agentChanges, untilAgent, untilQueried } from './agent-fixtures';
import { runBridgeWorker, type TestBridgeWorker } from './bridge-fixtures';
import { answeredCall } from './conversation-fixtures';
import { startTestSimulator, type TestSimulator } from './genesys-fixtures';
import { localEnvironment, uniqueTaskQueue } from './harness';
import { cliOutput, cliRun } from './processes';

const source = 'acd-operator-cli';
const settings: Partial<ConversationWorkflowSettings> = {
  reorderWindowMs: 500,
  wrapUpWaitMs: 3_000,
  expectRecording: 'never',
};

/** Polls a conversation's status query until `check` holds. */
function untilConversation(
  interactionId: string,
  check: (status: ConversationStatus) => boolean,
): Promise<ConversationStatus> {
  return untilQueried(
    localEnvironment().client,
    conversationWorkflowId(source, interactionId),
    conversationStatusQuery,
    check,
  );
}

/** Waits until visibility shows `count` workflows for `query` (it catches up with upserts shortly). */
async function untilListed(client: Client, query: string, count: number): Promise<void> {
  while ((await client.workflow.count(query)).count !== count) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('the operator CLI', function () {
  this.timeout(120_000);
  let sim: TestSimulator;
  let bridge: TestBridgeWorker;
  const taskQueue = uniqueTaskQueue('operator-cli');
  const client = () => localEnvironment().client;

  before(async () => {
    sim = await startTestSimulator({ agents: 3, sourceName: source });
    bridge = await runBridgeWorker(sim, taskQueue);
  });
  after(async () => {
    await bridge.stop();
    await sim.simulator.stop();
  });

  /** An answered call with a consult's end that never started after its answer: it stops Blocked. */
  async function blockedCall(): Promise<{ interactionId: string; blockedEventId: string }> {
    const call = answeredCall(source, 'agent-1', 'Sales');
    const bogus = interactionEventSchema.parse({
      ...call[2]!,
      eventId: randomUUID(),
      occurredAt: new Date(Date.parse(call[2]!.occurredAt) + 500).toISOString(),
      change: { type: 'consultCompleted', consultId: 'never-started' },
    });
    await send([...call.slice(0, 3), bogus, ...call.slice(3)]);
    const { interactionId } = call[0]!;
    await untilConversation(interactionId, (status) => status.status === 'Blocked');
    return { interactionId, blockedEventId: bogus.eventId };
  }

  /** A call that has started and not ended: it runs, with nothing blocked. */
  async function liveCall(): Promise<string> {
    const events = interactionEvents(source, 'voice', [inbound, { type: 'queued', queueId: 'Sales' }]);
    await send(events);
    const { interactionId } = events[0]!;
    await untilConversation(interactionId, (status) => status.counters.applied === 2);
    return interactionId;
  }

  async function send(events: InteractionEvent[]): Promise<void> {
    for (const event of events) await sendInteractionEvent(client(), taskQueue, event, settings);
  }

  function statusOf(interactionId: string): Promise<ConversationStatus> {
    return client()
      .workflow.getHandle(conversationWorkflowId(source, interactionId))
      .query(conversationStatusQuery);
  }

  it('explains a blocked conversation: the reason, the ledger, and the exact skip command that unblocks it', async () => {
    const { interactionId, blockedEventId } = await blockedCall();
    const workflowId = conversationWorkflowId(source, interactionId);
    const explained = await cliOutput(['explain', 'conversation', source, interactionId], taskQueue);
    assert.match(
      explained,
      new RegExp(
        `^${workflowId}: Blocked — no consult never-started is in progress: consultCompleted \\(event ${blockedEventId}\\) .*$`,
        'm',
      ),
    );
    assert.match(
      explained,
      /^ {2}blocked +voice\.consultCompleted, event [0-9a-f-]{36} \(a step it cannot express\)$/m,
    );
    assert.match(explained, /workflow +RUNNING, run [0-9a-f-]{36}, task queue operator-cli-/);
    assert.match(explained, /ByoiStatus=Blocked/);
    const skip = `npm run cli -- conversation skip ${source} ${interactionId} --event-id ${blockedEventId}`;
    assert.ok(explained.includes(skip), `names the skip command:\n${explained}`);
    assert.ok(explained.includes(`npm run cli -- conversation abandon ${source} ${interactionId} --reason`));

    const json = JSON.parse(
      await cliOutput(['explain', 'conversation', source, interactionId, '--json'], taskQueue),
    ) as Explanation;
    assert.ok(json.found);
    assert.equal(json.execution.status, 'RUNNING');
    assert.equal(json.reported?.status, 'Blocked');
    assert.equal(json.reported?.kind === 'conversation' && json.reported.blocked?.eventId, blockedEventId);

    // The command as printed is the one that works.
    const skipped = await cliOutput(skip.split(' ').slice(4), taskQueue);
    assert.equal(skipped.trim(), `${workflowId}: skipped event ${blockedEventId}`);
    const outcome = await client().workflow.getHandle<typeof conversationWorkflow>(workflowId).result();
    assert.equal(outcome.status, 'Completed');
    const afterwards = await cliOutput(['explain', 'conversation', source, interactionId], taskQueue);
    assert.match(afterwards, new RegExp(`^${workflowId}: Completed`));
    assert.match(
      afterwards,
      new RegExp(`skipped voice\\.consultCompleted ${blockedEventId} .*skipped by an operator`),
    );
    assert.match(afterwards, /what to do:\n {2}- nothing: it has ended$/m);
  });

  it('explains an agent: one that publishes, and one Genesys does not know, with the sync that maps it', async () => {
    const [first, second] = agentChanges(source, 'agent-2', 2, Date.now() - 5_000);
    for (const event of [first!, second!])
      await sendAgentEvent(client(), taskQueue, event, { reorderWindowMs: 500 });
    await untilAgent(client(), source, 'agent-2', (status) => status.counters.published === 2);
    const running = JSON.parse(
      await cliOutput(['explain', 'agent', source, 'agent-2', '--json'], taskQueue),
    ) as Explanation;
    assert.ok(running.found && running.reported?.kind === 'agent');
    assert.equal(running.workflowId, agentWorkflowId(source, 'agent-2'));
    assert.equal(running.reported.status, 'Running');
    assert.equal(running.reported.counters.published, 2);
    assert.equal(running.reported.genesysUserId, sim.agents[1]!.id);
    assert.deepEqual(running.advice, ['nothing: its events flow']);

    const [stranger] = agentChanges(source, 'agent-404', 1, Date.now() - 1_000);
    await sendAgentEvent(client(), taskQueue, stranger!, { reorderWindowMs: 500 });
    await untilAgent(client(), source, 'agent-404', (status) => status.status === 'WaitingForMapping');
    const waiting = await cliOutput(['explain', 'agent', source, 'agent-404'], taskQueue);
    assert.match(
      waiting,
      new RegExp(
        `^agent/${source}/agent-404: WaitingForMapping — no Genesys user carries external id ${source}/agent-404`,
      ),
    );
    assert.match(waiting, /Genesys +user \(not mapped\)/);
    assert.match(waiting, /1 received, 0 published, 1 pending/);
    assert.ok(waiting.includes(`npm run cli -- directory sync --source ${source}`), waiting);
  });

  it('says when there is no such workflow: the id it looked for, how ids are formed, and the same id elsewhere', async () => {
    const missing = await cliRun(['explain', 'conversation', source, 'no-such-call'], taskQueue);
    assert.equal(missing.code, 3);
    assert.match(missing.output, new RegExp(`^conversation/${source}/no-such-call: not found`));
    assert.match(missing.output, /conversation workflow ids are conversation\/<source>\/<interactionId>/);

    const interactionId = await liveCall();
    await untilListed(client(), `WorkflowId = '${conversationWorkflowId(source, interactionId)}'`, 1);
    const mistyped = await cliRun(['explain', 'conversation', 'acd', interactionId], taskQueue);
    assert.equal(mistyped.code, 3);
    assert.ok(
      mistyped.output.includes(
        `exists under another source: ${conversationWorkflowId(source, interactionId)}`,
      ),
    );
    assert.ok(mistyped.output.includes(`npm run cli -- explain conversation ${source} ${interactionId}`));
  });

  it('says when no worker answers its status query, naming the task queue to look at', async () => {
    // A task queue no worker polls: the workflow is there, its status query goes unanswered.
    const orphanQueue = uniqueTaskQueue('operator-cli-no-worker');
    const [event] = interactionEvents(source, 'voice', [inbound]);
    await sendInteractionEvent(client(), orphanQueue, event!, settings);
    const started = Date.now();
    const explained = await cliOutput(['explain', 'conversation', source, event!.interactionId], orphanQueue);
    assert.ok(Date.now() - started < 30_000, 'gives up on the query in time');
    assert.match(
      explained,
      new RegExp(
        `^conversation/${source}/${event!.interactionId}: RUNNING \\(its own status unknown\\)$`,
        'm',
      ),
    );
    assert.match(explained, /^ {2}status +the status query went unanswered: /m);
    assert.ok(
      explained.includes(
        `is a worker running on task queue ${orphanQueue}? \`temporal task-queue describe --task-queue ${orphanQueue}\``,
      ),
      explained,
    );
    await client()
      .workflow.getHandle(conversationWorkflowId(source, event!.interactionId))
      .terminate('test over');
  });

  it('explains a recording upload that keeps failing: its activity, attempt, last failure, and once paused how to resume it', async () => {
    const down = createServer((_request, response) => response.writeHead(503).end('down for maintenance'));
    await new Promise<void>((resolve) => down.listen(0, '127.0.0.1', resolve));
    const { port } = down.address() as AddressInfo;
    try {
      const events = answeredCall(source, 'agent-3', 'Sales', [
        {
          type: 'recordingReady',
          url: `http://127.0.0.1:${port}/call.wav`,
          contentType: 'audio/wav',
          sizeBytes: 44,
        },
      ]);
      for (const event of events) {
        await sendInteractionEvent(client(), taskQueue, event, { ...settings, expectRecording: 'answered' });
      }
      const { interactionId } = events[0]!;
      const workflowId = conversationWorkflowId(source, interactionId);
      const handle = client().workflow.getHandle(workflowId);
      while (((await handle.describe()).raw.pendingActivities?.[0]?.attempt ?? 0) < 2) {
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      const retrying = JSON.parse(
        await cliOutput(['explain', 'conversation', source, interactionId, '--json'], taskQueue),
      ) as Explanation;
      assert.ok(retrying.found);
      assert.equal(retrying.reported?.status, 'UploadingRecording');
      const [upload] = retrying.pendingActivities;
      assert.equal(upload?.type, 'uploadRecording');
      assert.ok(upload.attempt >= 2);
      assert.match(upload.lastFailure ?? '', /503/);
      assert.ok(upload.nextAttemptAt === undefined || !Number.isNaN(Date.parse(upload.nextAttemptAt)));
      assert.match(retrying.lastFailure ?? '', /^uploadRecording \(activity .*503/);
      const which = `-w ${workflowId} -a ${upload.activityId}`;
      assert.ok(
        retrying.advice.some((line) => line.includes(`temporal activity pause ${which}`)),
        retrying.advice.join('\n'),
      );

      // Paused the way the advice says, it says how to resume it.
      const paused = spawnSync(
        temporalCliPath(),
        ['activity', 'pause', '--address', localEnvironment().address, ...which.split(' ')],
        { encoding: 'utf8' },
      );
      assert.equal(paused.status, 0, paused.stderr);
      let explained = '';
      while (!/^ {2}activity +uploadRecording .* PAUSED/m.test(explained)) {
        explained = await cliOutput(['explain', 'conversation', source, interactionId], taskQueue);
      }
      assert.match(explained, /^ {2}- the upload keeps failing \(the activity below says why\)/m);
      assert.ok(explained.includes(`resume it with \`temporal activity unpause ${which}\``), explained);
      await handle.terminate('test over');
    } finally {
      down.close();
    }
  });

  it('acts on conversations by query only with --yes: a dry run first, then exactly those matched', async () => {
    const [one, two, untouched] = [await blockedCall(), await blockedCall(), await blockedCall()];
    const live = await liveCall();
    const ids = [one.interactionId, two.interactionId, live];
    const query = `ByoiExternalId IN (${ids.map((id) => `'${id}'`).join(', ')})`;
    await untilListed(client(), `ByoiStatus = 'Blocked' AND ${query}`, 2);
    await untilListed(client(), `ByoiStatus = 'Running' AND ${query}`, 1);

    const dryRun = await cliOutput(
      ['conversation', 'skip', '--status', 'Blocked', '--source', source, '--query', query],
      taskQueue,
    );
    assert.match(dryRun, /^2 conversations match /);
    for (const { interactionId, blockedEventId } of [one, two]) {
      assert.ok(
        dryRun.includes(
          `${conversationWorkflowId(source, interactionId)}\tBlocked — no consult never-started is in progress: consultCompleted (event ${blockedEventId})`,
        ),
        dryRun,
      );
      assert.ok(dryRun.includes(`would skip event ${blockedEventId}`));
    }
    assert.ok(
      !dryRun.includes(`${conversationWorkflowId(source, live)}\t`) &&
        !dryRun.includes(untouched.interactionId),
      dryRun,
    );
    assert.match(
      dryRun,
      /dry run: nothing was changed\. To skip these 2: npm run cli -- conversation skip .* --yes$/m,
    );
    for (const { interactionId, blockedEventId } of [one, two, untouched]) {
      const status = await statusOf(interactionId);
      assert.equal(status.status, 'Blocked');
      assert.equal(status.blocked?.eventId, blockedEventId);
      assert.equal(status.counters.skipped, 0);
    }

    const acted = await cliRun(
      ['conversation', 'skip', '--source', source, '--query', query, '--yes'],
      taskQueue,
    );
    assert.equal(acted.code, 2, 'a refusal makes the exit code non-zero');
    assert.match(acted.output, /^3 conversations match /);
    assert.match(acted.output, /\(the workflow would refuse: nothing is blocked/);
    for (const { interactionId, blockedEventId } of [one, two]) {
      assert.match(
        acted.output,
        new RegExp(
          `^\\[[123]/3\\] ${conversationWorkflowId(source, interactionId)}: skipped event ${blockedEventId}$`,
          'm',
        ),
      );
      const outcome = await client()
        .workflow.getHandle<typeof conversationWorkflow>(conversationWorkflowId(source, interactionId))
        .result();
      assert.equal(outcome.status, 'Completed');
    }
    assert.match(
      acted.output,
      new RegExp(
        `^\\[[123]/3\\] ${conversationWorkflowId(source, live)}: refused: name the eventId to skip: nothing is blocked$`,
        'm',
      ),
    );
    assert.match(acted.output, /^skip: 2 done, 1 refused or failed$/m);
    assert.equal((await statusOf(untouched.interactionId)).status, 'Blocked');
    assert.equal((await statusOf(live)).status, 'Running');
  });
});
