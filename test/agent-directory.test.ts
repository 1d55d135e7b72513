import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DirectorySyncReport } from '../activities';
import { createAgentActivities } from '../activities/agents';
import { createConversationActivities } from '../activities/conversations';
import { AgentDirectory, agentDirectoryFileSchema } from '../activities/directory/agent-directory';
import { DirectoryMapping } from '../activities/directory/mapping';
import type { DirectorySnapshotInput } from '../domain/directory/snapshot';
import type { GenesysClient } from '../activities/genesys/client';
import { presence, users } from '../activities/genesys/directory';
import { EventPublisher } from '../activities/genesys/publisher';
import { contactCentreDirectory } from '../tools/load/contact-centre';
import { directorySyncWorkflow } from '../workflows';
import { loadConfig } from '../config';
import { createBridgeWorker } from '../workers/worker';
import {
  clientFor,
  inspect,
  setFaults,
  simulatorStats,
  startTestSimulator,
  type TestSimulator,
} from './genesys-fixtures';
import { localEnvironment, uniqueTaskQueue, workflowBundle } from './harness';

/** The two reads an agent's look-up costs without a directory. */
const lookupEndpoints = [
  'GET /api/v2/users/externalid/:authorityName/:externalKey',
  'GET /api/v2/presence/users/:userId/primarysource',
];

interface OrganizationView {
  users: { id: string; externalIds: { authorityName: string; externalKey: string }[] }[];
}

describe('the agent directory a directory sync leaves for the workers', function () {
  this.timeout(120_000);
  let sim: TestSimulator;
  let folder: string;
  let syncClient: GenesysClient;
  let lookupClient: GenesysClient;
  let stopWorker: () => Promise<void>;
  const taskQueue = uniqueTaskQueue('agent-directory');
  const centre = contactCentreDirectory({ agents: 60, queues: 4 });

  /** A worker's agent activities and conversation activities reading the directory folder, as another worker would. */
  function workerActivities(withDirectory: boolean) {
    const agentDirectory = withDirectory
      ? new AgentDirectory(folder, { genesys: lookupClient.apiBaseUrl })
      : undefined;
    const dependencies = {
      genesys: {
        client: lookupClient,
        publisher: new EventPublisher(lookupClient, { maxEventsPerBatch: 100, maxBatchBytes: 1_048_576 }),
      },
      mapping: new DirectoryMapping(lookupClient),
      agentDirectory,
    };
    return {
      agentDirectory,
      agents: createAgentActivities(dependencies),
      conversations: createConversationActivities(dependencies),
    };
  }

  async function sync(snapshot: DirectorySnapshotInput): Promise<DirectorySyncReport> {
    const path = join(folder, `snapshot-${randomUUID()}.json`);
    await writeFile(path, JSON.stringify(snapshot));
    return localEnvironment().client.workflow.execute(directorySyncWorkflow, {
      taskQueue,
      workflowId: `directory/acd/${randomUUID()}`,
      args: [{ source: 'acd', snapshot: { kind: 'file', path } }],
    });
  }

  /** Look-up requests the simulator served while `body` ran, and every API request. */
  async function requestsDuring(body: () => Promise<unknown>): Promise<{ lookups: number; all: number }> {
    const before = await simulatorStats(sim.simulator);
    await body();
    const after = await simulatorStats(sim.simulator);
    const lookups = lookupEndpoints.reduce(
      (sum, endpoint) =>
        sum + (after.requestsByEndpoint[endpoint] ?? 0) - (before.requestsByEndpoint[endpoint] ?? 0),
      0,
    );
    // The stats reading itself is not an API request: the counters count /api/ and /oauth/ requests.
    return { lookups, all: after.requests - before.requests };
  }

  const userIdOf = async (externalKey: string) => {
    const organization = await inspect<OrganizationView>(sim.simulator, 'organization');
    const user = organization.users.find((candidate) =>
      candidate.externalIds.some((id) => id.authorityName === 'acd' && id.externalKey === externalKey),
    );
    assert.ok(user, `a Genesys user carries acd/${externalKey}`);
    return user.id;
  };

  before(async () => {
    sim = await startTestSimulator({ agents: 0, limits: { requestsPerWindow: 1_000_000 } });
    folder = await mkdtemp(join(tmpdir(), 'agent-directory-'));
    syncClient = clientFor(sim.simulator, { requestsPerMinute: 1_000_000 });
    lookupClient = clientFor(sim.simulator, { requestsPerMinute: 1_000_000 });
    const worker = await createBridgeWorker({
      connection: localEnvironment().nativeConnection,
      config: { ...loadConfig({}), taskQueue },
      dependencies: {
        bridgeVersion: 'test',
        genesys: {
          client: syncClient,
          publisher: new EventPublisher(syncClient, { maxEventsPerBatch: 100, maxBatchBytes: 1_048_576 }),
        },
        mapping: new DirectoryMapping(syncClient),
        temporal: localEnvironment().client,
        agentDirectory: new AgentDirectory(folder, { genesys: syncClient.apiBaseUrl }),
      },
      workflowBundle: await workflowBundle(require.resolve('../workflows')),
    });
    const running = worker.run();
    stopWorker = async () => {
      worker.shutdown();
      await running;
    };
  });
  after(async () => {
    await stopWorker();
    syncClient.close();
    lookupClient.close();
    await sim.simulator.stop();
    await rm(folder, { recursive: true, force: true });
  });

  it('writes every synced agent’s Genesys user and primary source beside the snapshots', async () => {
    const report = await sync(centre);
    assert.deepEqual(report.failures, []);
    assert.equal(report.agentDirectory?.agents, 60);
    const file = join(folder, 'acd.agents.json');
    assert.equal(report.agentDirectory?.file, file);
    const written = agentDirectoryFileSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    assert.equal(written.source, 'acd');
    assert.equal(written.genesys, sim.simulator.url);
    assert.equal(Object.keys(written.agents).length, 60);
    assert.ok(
      Object.values(written.agents).every((agent) => agent.primarySourceId === written.presenceSourceId),
    );
    assert.equal(written.agents['agent-17']?.userId, await userIdOf('agent-17'));
  });

  it('resolves 50 listed agents, alone and as conversation parties, without one Genesys request', async () => {
    const agentIds = Array.from({ length: 50 }, (_, index) => `agent-${index + 1}`);
    const looked = workerActivities(false);
    const withLookups = await requestsDuring(() =>
      Promise.all(agentIds.map((id) => looked.agents.resolveAgent('acd', id))),
    );
    // Without the directory: a reverse look-up and a primary-source read per agent.
    assert.equal(withLookups.lookups, 100);

    const listed = workerActivities(true);
    let resolutions: Awaited<ReturnType<typeof listed.agents.resolveAgent>>[] = [];
    const fromDirectory = await requestsDuring(async () => {
      resolutions = await Promise.all(agentIds.map((id) => listed.agents.resolveAgent('acd', id)));
      const parties = await listed.conversations.resolveConversationParties({
        source: 'acd',
        agents: agentIds.slice(0, 10),
        queues: [],
        wrapupCodes: [],
      });
      assert.equal(parties.status, 'resolved');
    });
    assert.deepEqual(fromDirectory, { lookups: 0, all: 0 });
    assert.ok(resolutions.every((resolution) => resolution.status === 'mapped'));
    assert.deepEqual(
      resolutions[16],
      await looked.agents.resolveAgent('acd', 'agent-17'),
      'the directory answers as the look-up does',
    );
    assert.equal(listed.agentDirectory?.loads, 1, 'one read of the file for every agent');
    console.log(
      `      look-up requests for 50 agents: ${withLookups.lookups} without the directory, ${fromDirectory.lookups} with it`,
    );
  });

  it('falls back to the reverse look-up for an agent the directory does not list', async () => {
    const supervisor = sim.seed.users[0]!;
    await users.addExternalId(syncClient, supervisor.id, { authorityName: 'acd', externalKey: 'agent-900' });
    const listing = JSON.parse(await readFile(join(folder, 'acd.agents.json'), 'utf8')) as {
      presenceSourceId: string;
    };
    await presence.setPrimarySource(syncClient, supervisor.id, listing.presenceSourceId);
    const { agents } = workerActivities(true);
    let resolution: Awaited<ReturnType<typeof agents.resolveAgent>> | undefined;
    const requests = await requestsDuring(async () => {
      resolution = await agents.resolveAgent('acd', 'agent-900');
    });
    assert.deepEqual(resolution, {
      status: 'mapped',
      userId: supervisor.id,
      sourceId: listing.presenceSourceId,
    });
    assert.equal(requests.lookups, 2);
    const unknown = await agents.resolveAgent('acd', 'agent-901');
    assert.equal(unknown.status, 'unmapped');
  });

  it('answers a conflict from the directory when the sync could not make the source primary', async () => {
    const userId = await userIdOf('agent-7');
    await presence.setPrimarySource(syncClient, userId, 'PURECLOUD');
    // Genesys refuses to hand this user's presence to the source: the sync records it and goes on.
    await setFaults(sim.simulator, {
      rules: [{ method: 'PUT', path: `/api/v2/presence/users/${userId}/primarysource`, status: 403 }],
    });
    try {
      const report = await sync(centre);
      assert.deepEqual(
        report.failures.map((failure) => [failure.target, failure.operation]),
        [['agent-7', 'setPrimarySource']],
      );
      assert.equal(report.agentDirectory?.agents, 60);
    } finally {
      await setFaults(sim.simulator, {});
    }
    const { agents } = workerActivities(true);
    let resolution: Awaited<ReturnType<typeof agents.resolveAgent>> | undefined;
    const requests = await requestsDuring(async () => {
      resolution = await agents.resolveAgent('acd', 'agent-7', true);
    });
    assert.equal(requests.all, 0);
    assert.equal(resolution?.status, 'conflict');
    assert.match(
      resolution?.status === 'conflict' ? resolution.message : '',
      new RegExp(`user ${userId}'s primary presence source is PURECLOUD, not acd`),
    );
  });

  it('reads the directory again after a new sync: at once when fresh, within seconds otherwise', async () => {
    const now = { ms: Date.now() };
    const reader = new AgentDirectory(folder, {
      genesys: lookupClient.apiBaseUrl,
      recheckMs: 5_000,
      now: () => now.ms,
    });
    assert.equal((await reader.agent('acd', 'agent-61'))?.userId, undefined);
    const grown = contactCentreDirectory({ agents: 61, queues: 4 });
    const report = await sync(grown);
    assert.equal(report.agentDirectory?.agents, 61);
    const added = await userIdOf('agent-61');
    assert.equal(await reader.agent('acd', 'agent-61'), undefined, 'trusted for a few seconds');
    assert.equal((await reader.agent('acd', 'agent-61', true))?.userId, added, 'fresh: read at once');

    await sync(contactCentreDirectory({ agents: 62, queues: 4 }));
    now.ms += 5_000;
    assert.equal((await reader.agent('acd', 'agent-62'))?.userId, await userIdOf('agent-62'));
    assert.equal(reader.loads, 3);
  });

  it('ignores a directory synced against another Genesys, and one that is not valid', async () => {
    const problems: string[] = [];
    const elsewhere = new AgentDirectory(folder, {
      genesys: 'https://api.mypurecloud.example',
      onProblem: (problem) => problems.push(problem),
    });
    assert.equal(await elsewhere.agent('acd', 'agent-1'), undefined);
    assert.match(problems[0] ?? '', /was synced against http/);
    const broken = new AgentDirectory(folder, {
      genesys: lookupClient.apiBaseUrl,
      onProblem: (problem) => problems.push(problem),
    });
    await writeFile(join(folder, 'crm.agents.json'), JSON.stringify({ source: 'crm', agents: [] }));
    assert.equal(await broken.agent('crm', 'agent-1'), undefined);
    assert.match(problems[1] ?? '', /invalid/);
  });
});
