import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GenesysClient } from '../activities/genesys/client';
import { users } from '../activities/genesys/directory';
import { DirectoryMapping, mappingTablesFrom, mappingTablesOf } from '../activities/directory/mapping';
import { parseDirectorySnapshot } from '../domain/directory/snapshot';
import { clientFor, requestsTo, startTestSimulator, type TestSimulator } from './genesys-fixtures';

describe('the directory mapping', () => {
  let sim: TestSimulator;
  let client: GenesysClient;
  let now: number;
  let mapping: DirectoryMapping;

  beforeEach(async () => {
    sim = await startTestSimulator({ agents: 3 });
    client = clientFor(sim.simulator);
    now = 1_000_000;
    mapping = new DirectoryMapping(client, { hitTtlMs: 60_000, missTtlMs: 5_000, now: () => now });
  });
  afterEach(async () => {
    client.close();
    await sim.simulator.stop();
  });

  it('resolves an external agent id through Genesys once, and serves repeats from its cache', async () => {
    const answers = await Promise.all(Array.from({ length: 10 }, () => mapping.userId('acd', 'agent-2')));
    assert.ok(answers.every((answer) => answer === sim.agents[1]!.id));
    assert.equal(await mapping.userId('acd', 'agent-2'), sim.agents[1]!.id);
    assert.equal(mapping.lookups, 1);
    assert.equal((await requestsTo(sim.simulator, '/api/v2/users/externalid/')).length, 1);
    now += 61_000;
    await mapping.userId('acd', 'agent-2');
    assert.equal(mapping.lookups, 2, 'a hit is trusted for its lifetime only');
  });

  it('remembers an unmapped agent briefly, and finds it once a sync has mapped it', async () => {
    assert.equal(await mapping.userId('acd', 'agent-new'), undefined);
    const supervisor = sim.seed.users[0]!;
    await users.addExternalId(client, supervisor.id, { authorityName: 'acd', externalKey: 'agent-new' });
    assert.equal(await mapping.userId('acd', 'agent-new'), undefined, 'the miss is still trusted');
    mapping.forgetMisses();
    assert.equal(await mapping.userId('acd', 'agent-new'), supervisor.id);
  });

  it('resolves queues and wrap-up codes by name and presence states through the snapshot’s mapping', async () => {
    const snapshot = parseDirectorySnapshot({
      source: 'acd',
      users: [],
      queues: [{ externalId: 'q-7', name: 'sales' }],
      wrapupCodes: [{ externalId: 'w-1', name: 'Resolved' }],
      presenceMapping: [
        { externalState: 'Lunch', systemPresence: 'Meal' },
        { externalState: 'Coaching', presenceDefinitionId: 'no-such-definition' },
      ],
    });
    const tables = mappingTablesOf(snapshot);
    const queue = sim.seed.queues.find((each) => each.name === 'Sales')!;
    assert.equal(await mapping.queueId(tables.queueName('q-7')!), queue.id);
    const code = sim.seed.wrapupCodes.find((each) => each.name === 'Resolved')!;
    assert.equal(await mapping.wrapupCodeId(tables.wrapupCodeName('w-1')!), code.id);
    const meal = sim.seed.presenceDefinitions.find((each) => each.systemPresence === 'Meal')!;
    assert.equal(await mapping.presenceDefinitionId(tables.presence('Lunch')!), meal.id);
    assert.equal(await mapping.presenceDefinitionId(tables.presence('Coaching')!), undefined);
    assert.equal(tables.presence('Unknown state'), undefined);
  });

  it('reads presence definitions once for every state, ahead of agent lookups waiting for the budget', async () => {
    // One request per window: every call waits its turn, and the order of the turns is the priority.
    const slow = clientFor(sim.simulator, { requestsPerMinute: 1, budgetHeadroom: 0, budgetWindowMs: 300 });
    try {
      const paced = new DirectoryMapping(slow);
      const done: string[] = [];
      const agents = ['agent-1', 'agent-2', 'agent-3', 'agent-4'].map((agentId) =>
        paced.userId('acd', agentId).then(() => done.push(agentId)),
      );
      await new Promise((resolve) => setImmediate(resolve));
      const states = (['Available', 'Busy', 'Meal'] as const).map((systemPresence) =>
        paced.presenceDefinitionId({ systemPresence }).then((id) => {
          done.push(systemPresence);
          return id;
        }),
      );
      const ids = await Promise.all(states);
      await Promise.all(agents);
      assert.equal(new Set(ids).size, 3);
      assert.deepEqual(done.slice(0, 5), ['agent-1', 'Available', 'Busy', 'Meal', 'agent-2']);
      assert.equal((await requestsTo(sim.simulator, '/api/v2/presence/definitions')).length, 1);
    } finally {
      slow.close();
    }
  });

  it('reads the presence mapping from the snapshot again after its lifetime, keeping the last good one', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'presence-tables-'));
    const file = join(folder, 'directory.json');
    const snapshotWith = (systemPresence: string) =>
      JSON.stringify({
        source: 'acd',
        users: [],
        presenceMapping: [{ externalState: 'Lunch', systemPresence }],
      });
    try {
      await writeFile(file, snapshotWith('Meal'));
      let clock = 0;
      const tables = mappingTablesFrom({ kind: 'file', path: file }, 1_000, () => clock);
      assert.deepEqual((await tables()).presence('Lunch'), { systemPresence: 'Meal' });
      await writeFile(file, snapshotWith('Break'));
      assert.deepEqual(
        (await tables()).presence('Lunch'),
        { systemPresence: 'Meal' },
        'still within its lifetime',
      );
      clock = 1_000;
      assert.deepEqual((await tables()).presence('Lunch'), { systemPresence: 'Break' });
      await rm(file);
      clock = 2_000;
      assert.deepEqual((await tables()).presence('Lunch'), { systemPresence: 'Break' }, 'the last good one');
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
