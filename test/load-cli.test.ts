import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mappingTablesFrom, DirectoryMapping } from '../activities/directory/mapping';
import { EventPublisher } from '../activities/genesys/publisher';
import { vendorAdapters } from '../client/ingress/adapters';
import { fileDirectoryIntake } from '../client/ingress/directory-intake';
import { startIngress, type Ingress } from '../client/ingress/ingress';
import { BridgeClient } from '../client/library/bridge-client';
import { loadConfig } from '../config';
import type { directorySyncWorkflow } from '../workflows';
import { driveLoad } from '../tools/load/driver';
import { emptyTally } from '../tools/load/tally';
import { deliveredEverything, formatSummary, summarise, type LoadSummary } from '../tools/load/load-summary';
import { projectRoot } from '../tools/stack/toolchain';
import { createBridgeWorker } from '../workers/worker';
import { clientFor, simulatorStats, startTestSimulator, type TestSimulator } from './genesys-fixtures';
import { localEnvironment, uniqueTaskQueue, workflowBundle } from './harness';

const source = 'acd-load-cli';
const token = 'load-cli-token';
const secret = 'load-cli-signing-secret';

/** What a run of the CLI left: its exit status and what it printed. */
interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npm run load`'s entry point as its own process with `args`; `env` holds its only BYOI settings. */
function runLoadCli(args: string[], env: Record<string, string>): Promise<CliRun> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(BYOI_|GENESYS_|TEMPORAL_)/.test(name)),
  );
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(projectRoot, 'scripts', 'load.ts'), ...args],
    {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...inherited, ...env },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stdout, stderr })));
}

describe('the load CLI played at an ingress', function () {
  this.timeout(90_000);
  let sim: TestSimulator;
  let ingress: Ingress;
  let folder: string;
  let stopWorker: () => Promise<void>;
  const taskQueue = uniqueTaskQueue('load-cli');

  before(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'byoi-load-cli-'));
    // No agents yet: the directory the CLI pushes creates them.
    sim = await startTestSimulator({ agents: 0, sourceName: source });
    const genesys = clientFor(sim.simulator, { requestsPerMinute: 100_000 });
    const worker = await createBridgeWorker({
      connection: localEnvironment().nativeConnection,
      config: { ...loadConfig({}), taskQueue },
      dependencies: {
        bridgeVersion: 'test',
        genesys: {
          client: genesys,
          publisher: new EventPublisher(genesys, { maxEventsPerBatch: 100, maxBatchBytes: 1_048_576 }),
        },
        mapping: new DirectoryMapping(genesys),
        // The worker maps queues, wrap-up codes and presence states through the snapshot pushed to the ingress.
        mappingTables: mappingTablesFrom({ kind: 'file', path: path.join(folder, `${source}.json`) }),
        temporal: localEnvironment().client,
      },
      workflowBundle: await workflowBundle(require.resolve('../workflows')),
    });
    const running = worker.run();
    stopWorker = async () => {
      worker.shutdown();
      await running;
      genesys.close();
    };
    ingress = await startIngress({
      bridge: new BridgeClient(localEnvironment().client, {
        taskQueue,
        agentSettings: { reorderWindowMs: 300 },
        conversationSettings: { reorderWindowMs: 300, wrapUpWaitMs: 1_000, recordingWaitMs: 5_000 },
      }),
      temporal: localEnvironment().client,
      sources: { [source]: { tokens: [token], hmacSecrets: [secret] } },
      adapters: vendorAdapters(),
      directory: fileDirectoryIntake(folder, localEnvironment().client, taskQueue),
    });
  });
  after(async () => {
    await ingress.close();
    await stopWorker();
    await sim.simulator.stop();
    await rm(folder, { recursive: true, force: true });
  });

  it('gives the target its directory (pushed, then synced there), then plays traffic signed with the source’s HMAC secret, every event accepted and published', async () => {
    // Only a signing secret: the CLI must sign, as the ingress reads the same variable.
    const environment = { BYOI_INGRESS_HMAC_SECRETS: `${source}:${secret}` };
    const target = ['--target', ingress.url, '--source', source, '--agents', '6'];
    const pushed = await runLoadCli([...target, '--push-directory', '--seconds', '0'], environment);
    assert.equal(pushed.status, 0, `the push failed:\n${pushed.stdout}\n${pushed.stderr}`);
    assert.match(
      pushed.stdout,
      /the target took the directory: 6 users, 5 queues, 4 skills, 4 wrap-up codes; its sync started/,
    );
    // Waited for here so the events find their agents (else they wait in their workflows for the sync).
    const sync = await localEnvironment()
      .client.workflow.getHandle<typeof directorySyncWorkflow>(`directory/${source}`)
      .result();
    assert.equal(sync.users.created, 6);
    for (let agent = 1; agent <= 6; agent++) {
      assert.ok(sim.simulator.context.state.userByExternalId(source, `agent-${agent}`), `agent-${agent}`);
    }

    const before = await simulatorStats(sim.simulator);
    const json = path.join(folder, 'summary.json');
    const run = await runLoadCli(
      [
        ...target,
        '--seconds',
        '3',
        '--presence-per-minute',
        '120',
        '--interactions-per-second',
        '2',
        // A fixed seed: the same arrivals every run (at 2 a second, some in 3 s).
        '--seed',
        '1',
        '--time-scale',
        '0.01',
        '--json',
        json,
      ],
      environment,
    );
    assert.equal(run.status, 0, `the CLI failed:\n${run.stdout}\n${run.stderr}`);
    const summary = JSON.parse(await readFile(json, 'utf8')) as LoadSummary;
    console.log(
      `      (${summary.events.sent} events, ${summary.offered.interactions} interactions in ${summary.elapsedSeconds} s; answer p99 ${summary.answerLatencyMs.p99} ms)`,
    );
    assert.ok(summary.events.sent > 12, `${summary.events.sent} events sent`);
    assert.equal(summary.events.accepted, summary.events.sent);
    assert.equal(summary.events.refused + summary.events.unavailable + summary.events.duplicate, 0);
    assert.deepEqual(summary.refusalReasons, {});
    assert.ok(summary.offered.interactions >= 1, `${summary.offered.interactions} interactions`);
    assert.match(
      run.stdout,
      new RegExp(`events: ${summary.events.sent} sent, ${summary.events.sent} accepted`),
    );

    // Their events reached Genesys, in order and once.
    const agentEvents = summary.offered.presence + summary.offered.routingStatus;
    const deadline = Date.now() + 45_000;
    let published = 0;
    while (Date.now() < deadline) {
      const stats = await simulatorStats(sim.simulator);
      published = stats.eventsAccepted - before.eventsAccepted;
      if (published >= agentEvents + summary.offered.interactions) {
        assert.equal(stats.orderViolations - before.orderViolations, 0);
        assert.equal(stats.duplicateEventIds - before.duplicateEventIds, 0);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.ok(
      published >= agentEvents + summary.offered.interactions,
      `${published} Genesys events published for ${agentEvents} agent events and ${summary.offered.interactions} interactions`,
    );
  });

  it('counts refused events by field and reason code, and calls the run undelivered', async () => {
    const eightDaysAgo = new Date(Date.now() - 8 * 86_400_000).toISOString();
    const stale = (agentId: string, state: string) => ({
      atMs: Date.now(),
      event: {
        kind: 'agent' as const,
        source,
        agentId,
        eventId: `stale-${agentId}-${Date.now()}`,
        occurredAt: eightDaysAgo,
        change: { kind: 'presence', state },
      },
    });
    const stats = await driveLoad({
      ingressUrl: ingress.url,
      credential: { kind: 'hmac', source, secret },
      events: [stale('agent-1', 'Ready'), stale('agent-2', 'Break')],
    });
    assert.equal(stats.refused, 2);
    assert.equal(stats.accepted, 0);
    assert.deepEqual(stats.refusalReasons, { 'occurredAt tooOld': 2 });
    const summary = summarise({
      target: ingress.url,
      source,
      runId: 'stale',
      mix: 'realistic',
      agents: 2,
      seconds: 0,
      timeScale: 1,
      asked: { presencePerMinute: 0, interactionsPerSecond: 0 },
      offered: emptyTally(),
      stats,
      elapsedMs: 1,
    });
    assert.equal(deliveredEverything(summary), false);
    assert.ok(
      formatSummary(summary).includes('refusals by field and reason: occurredAt tooOld ×2'),
      formatSummary(summary).join('\n'),
    );
  });

  it('refuses a bad flag, naming it and why, before sending anything', async () => {
    const run = await runLoadCli(['--target', ingress.url, '--agents', 'six'], {
      BYOI_INGRESS_TOKENS: `${source}:${token}`,
    });
    assert.equal(run.status, 1);
    assert.match(
      run.stderr,
      /option '--agents <n>' argument 'six' is invalid\. it must be a whole number ≥ 1/,
    );
  });

  it('stops with the ingress’s reason and a non-zero exit when the ingress does not know its token', async () => {
    const run = await runLoadCli(
      ['--target', ingress.url, '--source', source, '--agents', '2', '--seconds', '1'],
      { BYOI_INGRESS_TOKENS: `${source}:not-the-token` },
    );
    assert.equal(run.status, 1);
    assert.match(
      run.stderr,
      /the ingress refused a batch of \d+ events with 401 \w+: the bearer token is not one this ingress knows/,
    );
  });
});
