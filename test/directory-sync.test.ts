import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DirectorySyncReport } from '../activities';
import type { DirectorySnapshotInput } from '../domain/directory/snapshot';
import { contactCentreDirectory } from '../tools/load/contact-centre';
import {
  directoryScheduleId,
  ensureDirectorySyncSchedule,
  runDirectorySync,
} from '../client/library/directory-sync';
import { directorySyncWorkflow } from '../workflows';
import { waitingForMappingQuery } from '../workflows/directory-signals';
import { inspect, requestsTo, setFaults, startTestSimulator, type TestSimulator } from './genesys-fixtures';
import { runBridgeWorker, type TestBridgeWorker } from './bridge-fixtures';
import { cliOutput, exited, workerProcess } from './processes';
import { mappingWaiterWorkflow } from './fixtures/workflows';
import { fixtureBundle, localEnvironment, uniqueTaskQueue, withWorker } from './harness';

interface OrganizationView {
  presenceSources: { id: string; name: string }[];
  queues: { id: string; name: string; memberIds: string[]; wrapupCodeIds: string[] }[];
  skills: { id: string; name: string }[];
  wrapupCodes: { id: string; name: string }[];
  users: {
    id: string;
    name: string;
    state: string;
    externalIds: { authorityName: string; externalKey: string }[];
    primarySourceId?: string;
    skills: { id: string; proficiency: number }[];
  }[];
}

describe('the directory sync workflow against the simulator', function () {
  this.timeout(120_000);
  let sim: TestSimulator;
  let bridge: TestBridgeWorker;
  let folder: string;
  const taskQueue = uniqueTaskQueue('directory');

  before(async () => {
    // The sync reads three times per user; a generous limit keeps the test about correctness, not pacing.
    sim = await startTestSimulator({ agents: 0, limits: { requestsPerWindow: 1_000_000 } });
    folder = await mkdtemp(join(tmpdir(), 'directory-'));
    bridge = await runBridgeWorker(sim, taskQueue, { client: { requestsPerMinute: 1_000_000 } });
  });
  after(async () => {
    await bridge.stop();
    await sim.simulator.stop();
    await rm(folder, { recursive: true, force: true });
  });

  async function sync(snapshot: DirectorySnapshotInput): Promise<DirectorySyncReport & { notified: number }> {
    const path = join(folder, `${randomUUID()}.json`);
    await writeFile(path, JSON.stringify(snapshot));
    return localEnvironment().client.workflow.execute(directorySyncWorkflow, {
      taskQueue,
      workflowId: `directory/acd/${randomUUID()}`,
      args: [{ source: 'acd', snapshot: { kind: 'file', path } }],
    });
  }

  const writesSince = async (since: number) =>
    (await requestsTo(sim.simulator, '/api/v2/')).filter(
      (request) => request.at >= since && request.method !== 'GET',
    );

  const centre = contactCentreDirectory({ agents: 500, queues: 50, skills: 30, wrapupCodes: 40 });

  it('lands 500 users, 50 queues, 30 skills and 40 wrap-up codes with external ids and primary sources', async () => {
    const report = await sync(centre);
    assert.deepEqual(report.failures, []);
    assert.deepEqual(report.users, { created: 500, updated: 0, deactivated: 0, unchanged: 0, failed: 0 });
    // Per user: create, external id, primary source, skills. Then the presence source, 30 skills,
    // 40 codes, 50 queues, and per queue one members call (20 agents each) and one wrap-up codes call.
    assert.equal(report.writeCalls, 500 * 4 + 1 + 30 + 40 + 50 + 50 + 50);
    const organization = await inspect<OrganizationView>(sim.simulator, 'organization');
    const source = organization.presenceSources.find((each) => each.name === 'acd');
    assert.ok(source, 'the presence source is registered');
    const agents = organization.users.filter((user) =>
      user.externalIds.some((id) => id.authorityName === 'acd'),
    );
    assert.equal(agents.length, 500);
    assert.ok(agents.every((user) => user.primarySourceId === source.id && user.state === 'active'));
    assert.ok(agents.every((user) => user.skills.length === 2));
    const queues = organization.queues.filter((queue) => queue.name.startsWith('Queue '));
    assert.equal(queues.length, 50);
    assert.equal(
      queues.reduce((sum, queue) => sum + queue.memberIds.length, 0),
      1_000,
      'every agent is in its two queues',
    );
    assert.ok(queues.every((queue) => queue.wrapupCodeIds.length === 2));
    assert.equal(organization.skills.filter((skill) => skill.name.startsWith('Skill ')).length, 30);
    assert.equal(organization.wrapupCodes.filter((code) => code.name.startsWith('Code ')).length, 40);
  });

  it('makes no write call when run again at once', async () => {
    const since = Date.now();
    const report = await sync(centre);
    assert.deepEqual(report.users, { created: 0, updated: 0, deactivated: 0, unchanged: 500, failed: 0 });
    assert.equal(report.writeCalls, 0);
    assert.deepEqual(await writesSince(since), []);
  });

  it('turns one change, one removal and one addition at the source into one update, one deactivation and one creation', async () => {
    const users = centre.users.filter((user) => user.externalId !== 'agent-2');
    users[0] = { ...users[0]!, name: 'Agent One Renamed' };
    users.push({
      ...centre.users[0]!,
      externalId: 'agent-501',
      name: 'Agent 501',
      email: 'agent-501@contact-centre.example',
    });
    const since = Date.now();
    const report = await sync({ ...centre, users });
    assert.deepEqual(report.users, { created: 1, updated: 1, deactivated: 1, unchanged: 498, failed: 0 });
    const writes = await writesSince(since);
    assert.equal(
      writes.filter((write) => write.method === 'POST' && write.path === '/api/v2/users').length,
      1,
    );
    assert.equal(
      writes.filter((write) => write.method === 'PATCH').length,
      2,
      'one rename, one deactivation',
    );
    const organization = await inspect<OrganizationView>(sim.simulator, 'organization');
    const removed = organization.users.find((user) =>
      user.externalIds.some((id) => id.externalKey === 'agent-2'),
    );
    assert.equal(removed?.state, 'inactive');
    centre.users.splice(0, centre.users.length, ...users);
  });

  it('runs on demand through its Temporal Schedule, and the CLI prints the report', async () => {
    const path = join(folder, 'scheduled.json');
    await writeFile(path, JSON.stringify(centre));
    const options = { source: 'acd', snapshot: { kind: 'file' as const, path }, taskQueue };
    const temporal = localEnvironment().client;
    await ensureDirectorySyncSchedule(temporal, { ...options, interval: '1h' });
    await ensureDirectorySyncSchedule(temporal, { ...options, interval: '2h' });
    const schedule = temporal.schedule.getHandle(directoryScheduleId('acd'));
    try {
      const report = await runDirectorySync(temporal, options);
      assert.equal(report.writeCalls, 0);
      assert.equal(report.users.unchanged, centre.users.length);
      const { info, spec } = await schedule.describe();
      assert.equal(info.recentActions.length, 1);
      assert.deepEqual(
        (spec.intervals ?? []).map((each) => each.every),
        [7_200_000],
      );
      const printed = await cliOutput(
        ['directory', 'sync', '--snapshot', path, '--source', 'acd'],
        taskQueue,
      );
      assert.match(printed, /users: 0 created, 0 updated, 0 deactivated, \d+ unchanged, 0 failed/);
      assert.equal(
        (await schedule.describe()).info.recentActions.length,
        2,
        'the CLI went through the schedule',
      );
    } finally {
      await schedule.delete();
    }
  });

  it('tells the workflows of its source that wait for a mapping, and only those', async () => {
    const environment = localEnvironment();
    const fixtureQueue = uniqueTaskQueue('mapping-waiters');
    await withWorker(
      environment,
      { taskQueue: fixtureQueue, workflowBundle: await fixtureBundle() },
      async () => {
        const start = (source: string) =>
          environment.client.workflow.start(mappingWaiterWorkflow, {
            taskQueue: fixtureQueue,
            workflowId: `agent/${source}/${randomUUID()}`,
            args: [source],
          });
        const ours = await start('acd');
        const theirs = await start('other-acd');
        // Visibility follows the search-attribute upsert shortly after the workflow starts.
        for (;;) {
          const listed = await environment.client.workflow.count(waitingForMappingQuery('acd'));
          if (listed.count >= 1) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        const report = await sync(centre);
        assert.equal(report.notified, 1);
        assert.equal((await ours.result()).source, 'acd');
        const { status } = await theirs.describe();
        assert.equal(status.name, 'RUNNING');
        await theirs.terminate('test over');
      },
    );
  });

  it('resolves a version conflict on a user by re-reading it', async () => {
    await setFaults(sim.simulator, {
      rules: [{ method: 'PATCH', path: '/api/v2/users/', status: 409, times: 1 }],
    });
    const users = centre.users.map((user) =>
      user.externalId === 'agent-3' ? { ...user, name: 'Agent Three' } : user,
    );
    const since = Date.now();
    const report = await sync({ ...centre, users });
    await setFaults(sim.simulator, {});
    assert.deepEqual(report.failures, []);
    assert.equal(report.users.updated, 1);
    const patches = (await writesSince(since)).filter((write) => write.method === 'PATCH');
    assert.deepEqual(
      patches.map((patch) => patch.status),
      [409, 200],
    );
    const organization = await inspect<OrganizationView>(sim.simulator, 'organization');
    assert.ok(organization.users.some((user) => user.name === 'Agent Three'));
  });
});

describe('a directory sync whose worker is killed mid-run', function () {
  this.timeout(180_000);

  it('finishes on a restarted worker without creating anyone twice', async () => {
    // Slow user creation a little so the kill lands in the middle of the write phase.
    const sim = await startTestSimulator({
      agents: 0,
      limits: { requestsPerWindow: 1_000_000 },
      faults: { rules: [{ method: 'POST', path: '/api/v2/users', latencyMs: 10 }] },
    });
    const folder = await mkdtemp(join(tmpdir(), 'directory-crash-'));
    const taskQueue = uniqueTaskQueue('directory-crash');
    let worker = workerProcess(sim, taskQueue);
    try {
      const path = join(folder, 'snapshot.json');
      await writeFile(
        path,
        JSON.stringify(contactCentreDirectory({ agents: 300, queues: 10, skills: 5, wrapupCodes: 5 })),
      );
      const handle = await localEnvironment().client.workflow.start(directorySyncWorkflow, {
        taskQueue,
        workflowId: `directory/acd/${randomUUID()}`,
        args: [{ source: 'acd', snapshot: { kind: 'file', path } }],
      });
      const agentsCreated = async () =>
        (await requestsTo(sim.simulator, '/api/v2/users')).filter(
          (request) =>
            request.method === 'POST' && request.path === '/api/v2/users' && request.status === 200,
        ).length;
      while ((await agentsCreated()) < 60) await new Promise((resolve) => setTimeout(resolve, 50));
      worker.kill('SIGKILL');
      await exited(worker);
      const createdBeforeKill = await agentsCreated();
      assert.ok(createdBeforeKill < 300, `the kill came after ${createdBeforeKill} creations`);
      worker = workerProcess(sim, taskQueue);
      const report = await handle.result();
      assert.equal(report.attempts, 2, 'the activity ran again after its heartbeat went silent');
      assert.deepEqual(report.failures, []);
      assert.equal(await agentsCreated(), 300, 'every agent created exactly once');
      const organization = await inspect<OrganizationView>(sim.simulator, 'organization');
      const agents = organization.users.filter((user) =>
        user.externalIds.some((id) => id.authorityName === 'acd'),
      );
      assert.equal(agents.length, 300);
      assert.equal(new Set(agents.map((user) => user.externalIds[0]!.externalKey)).size, 300);
    } finally {
      worker.kill('SIGTERM');
      await exited(worker);
      await sim.simulator.stop();
      await rm(folder, { recursive: true, force: true });
    }
  });
});
