import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  planDirectorySync,
  type DirectoryOperation,
  type GenesysDirectory,
  type GenesysUser,
} from '../activities/directory/plan';
import {
  DirectorySnapshotError,
  parseDirectorySnapshot,
  type DirectorySnapshot,
  type DirectorySnapshotInput,
} from '../domain/directory/snapshot';

/** A snapshot of `agents` agents, all in queue q-sales with skill s-en at 3. */
function snapshotOf(agents: number, changes: Partial<DirectorySnapshotInput> = {}): DirectorySnapshot {
  return parseDirectorySnapshot({
    source: 'acd',
    users: Array.from({ length: agents }, (_, index) => ({
      externalId: `agent-${index + 1}`,
      name: `Agent ${index + 1}`,
      email: `agent-${index + 1}@example.com`,
      queues: ['q-sales'],
      skills: [{ skill: 's-en', proficiency: 3 }],
    })),
    queues: [{ externalId: 'q-sales', name: 'Sales', wrapupCodes: ['w-done'] }],
    skills: [{ externalId: 's-en', name: 'English' }],
    wrapupCodes: [{ externalId: 'w-done', name: 'Resolved' }],
    ...changes,
  });
}

const emptyGenesys = (): GenesysDirectory => ({
  divisionId: randomUUID(),
  presenceSourceId: undefined,
  skills: [],
  wrapupCodes: [],
  queues: [],
  users: [],
});

/** Genesys after a perfect sync of `snapshot`. */
function syncedGenesys(snapshot: DirectorySnapshot): GenesysDirectory {
  const skills = snapshot.skills.map((skill) => ({ id: randomUUID(), name: skill.name }));
  const codes = snapshot.wrapupCodes.map((code) => ({ id: randomUUID(), name: code.name }));
  const sourceId = randomUUID();
  const users: GenesysUser[] = snapshot.users.map((user) => ({
    id: randomUUID(),
    name: user.name,
    email: user.email,
    state: 'active',
    version: 3,
    externalKey: user.externalId,
    primarySourceId: sourceId,
    managedElsewhere: false,
    skills: user.skills.map(({ skill, proficiency }) => ({
      id: skills[snapshot.skills.findIndex((each) => each.externalId === skill)]!.id,
      proficiency,
    })),
  }));
  return {
    divisionId: randomUUID(),
    presenceSourceId: sourceId,
    skills,
    wrapupCodes: codes,
    queues: snapshot.queues.map((queue) => ({
      id: randomUUID(),
      name: queue.name,
      memberIds: users
        .filter((_, index) => snapshot.users[index]!.queues.includes(queue.externalId))
        .map((u) => u.id),
      wrapupCodeIds: codes.map((code) => code.id),
    })),
    users,
  };
}

const kinds = (operations: DirectoryOperation[]) => operations.map((operation) => operation.kind);

describe('the directory snapshot', () => {
  it('refuses a snapshot with dangling references and duplicates, naming every problem by path', () => {
    try {
      parseDirectorySnapshot({
        source: 'acd',
        users: [
          {
            externalId: 'a1',
            name: 'A',
            email: 'a@example.com',
            queues: ['nope'],
            skills: [{ skill: 'x', proficiency: 2 }],
          },
          { externalId: 'a1', name: 'B', email: 'A@example.com' },
          { externalId: 'a3', name: 'C', email: 'not-an-email' },
        ],
        queues: [{ externalId: 'q1', name: 'Sales', wrapupCodes: ['missing'] }],
        presenceMapping: [{ externalState: 'Lunch' }],
      });
      assert.fail('the snapshot was accepted');
    } catch (error) {
      assert.ok(error instanceof DirectorySnapshotError);
      const text = error.problems.join('\n');
      for (const expected of [
        /users\.2\.email/,
        /users\.1: externalId a1 repeats users\[0\]/,
        /users\.1: email a@example.com repeats users\[0\]/,
        /users\.0\.queues\.0: unknown queue nope/,
        /users\.0\.skills\.0: unknown skill x/,
        /queues\.0\.wrapupCodes\.0: unknown wrap-up code missing/,
        /presenceMapping\.0: give exactly one of systemPresence and presenceDefinitionId/,
      ]) {
        assert.match(text, expected);
      }
    }
  });
});

describe('the directory sync plan', () => {
  it('creates everything an empty organisation lacks, members in calls of at most 100', () => {
    const snapshot = snapshotOf(150);
    const { operations, summary } = planDirectorySync(snapshot, emptyGenesys());
    assert.deepEqual(kinds(operations).slice(0, 4), [
      'createPresenceSource',
      'createSkill',
      'createWrapupCode',
      'createQueue',
    ]);
    assert.equal(summary.usersCreated, 150);
    for (const kind of ['createUser', 'setExternalId', 'setPrimarySource', 'setSkills'] as const) {
      assert.equal(kinds(operations).filter((each) => each === kind).length, 150, kind);
    }
    const additions = operations.filter((operation) => operation.kind === 'addQueueMembers');
    assert.deepEqual(
      additions.map((operation) => operation.externalIds.length),
      [100, 50],
    );
    assert.deepEqual(operations.at(-1), { kind: 'addQueueWrapupCodes', queue: 'Sales', codes: ['Resolved'] });
  });

  it('plans nothing when Genesys already follows the snapshot', () => {
    const snapshot = snapshotOf(20);
    const { operations, summary } = planDirectorySync(snapshot, syncedGenesys(snapshot));
    assert.deepEqual(operations, []);
    assert.equal(summary.usersUnchanged, 20);
  });

  it('turns one change, one removal and one addition at the source into one update, one deactivation and one creation', () => {
    const before = snapshotOf(10);
    const genesys = syncedGenesys(before);
    const users = before.users.filter((user) => user.externalId !== 'agent-2');
    users[0] = { ...users[0]!, name: 'Agent One Renamed' };
    users.push({
      ...before.users[0]!,
      externalId: 'agent-11',
      name: 'Agent 11',
      email: 'agent-11@example.com',
    });
    const { operations, summary } = planDirectorySync({ ...before, users }, genesys);
    assert.deepEqual(
      [summary.usersCreated, summary.usersUpdated, summary.usersDeactivated, summary.usersUnchanged],
      [1, 1, 1, 8],
    );
    const removed = genesys.users.find((user) => user.externalKey === 'agent-2')!;
    assert.deepEqual(
      operations.filter((operation) =>
        ['updateUser', 'deactivateUser', 'createUser'].includes(operation.kind),
      ),
      [
        {
          kind: 'updateUser',
          externalId: 'agent-1',
          userId: genesys.users[0]!.id,
          changes: { name: 'Agent One Renamed' },
        },
        {
          kind: 'createUser',
          externalId: 'agent-11',
          profile: {
            name: 'Agent 11',
            email: 'agent-11@example.com',
            department: undefined,
            title: undefined,
          },
        },
        { kind: 'deactivateUser', externalId: 'agent-2', userId: removed.id },
      ],
    );
    assert.deepEqual(
      operations.filter((operation) => operation.kind.endsWith('QueueMembers')),
      [
        { kind: 'addQueueMembers', queue: 'Sales', externalIds: ['agent-11'] },
        { kind: 'removeQueueMembers', queue: 'Sales', userIds: [removed.id] },
      ],
    );
  });

  it('adopts a Genesys user with the same email instead of creating a second one', () => {
    const snapshot = snapshotOf(1);
    const genesys = syncedGenesys(snapshot);
    genesys.users[0] = { ...genesys.users[0]!, externalKey: undefined, primarySourceId: undefined };
    const { operations, summary } = planDirectorySync(snapshot, genesys);
    assert.deepEqual(kinds(operations), ['setExternalId', 'setPrimarySource']);
    assert.equal(summary.usersCreated, 0);
    assert.equal(summary.usersUpdated, 1);
  });

  it('reactivates a user who is back at the source, and keeps people Genesys manages in the queue', () => {
    const snapshot = snapshotOf(2);
    const genesys = syncedGenesys(snapshot);
    genesys.users[1] = { ...genesys.users[1]!, state: 'inactive' };
    const supervisor = randomUUID();
    genesys.queues[0]!.memberIds.push(supervisor);
    const { operations } = planDirectorySync(snapshot, genesys);
    assert.deepEqual(operations, [
      {
        kind: 'updateUser',
        externalId: 'agent-2',
        userId: genesys.users[1].id,
        changes: { state: 'active' },
      },
    ]);
  });

  it('sets skills again when a proficiency changed, and deactivates users made inactive at the source', () => {
    const snapshot = snapshotOf(2);
    const genesys = syncedGenesys(snapshot);
    const users = [
      { ...snapshot.users[0]!, skills: [{ skill: 's-en', proficiency: 5 }] },
      { ...snapshot.users[1]!, active: false },
    ];
    const { operations } = planDirectorySync({ ...snapshot, users }, genesys);
    assert.deepEqual(kinds(operations), ['setSkills', 'deactivateUser', 'removeQueueMembers']);
  });

  it('never adopts by email a user another source claims, and re-keys one this source knew under an old key', () => {
    const snapshot = snapshotOf(2);
    const genesys = syncedGenesys(snapshot);
    genesys.users[0] = { ...genesys.users[0]!, externalKey: undefined, managedElsewhere: true };
    genesys.users[1] = { ...genesys.users[1]!, externalKey: 'old-key-2' };
    const { operations, summary } = planDirectorySync(snapshot, genesys);
    assert.equal(summary.usersCreated, 1, 'agent-1 is created, not taken from the other source');
    assert.deepEqual(operations.find((operation) => operation.kind === 'createUser')?.externalId, 'agent-1');
    assert.ok(
      operations.some(
        (operation) => operation.kind === 'setExternalId' && operation.externalId === 'agent-2',
      ),
    );
    assert.ok(
      !operations.some((operation) => operation.kind === 'deactivateUser'),
      're-keyed, not deactivated',
    );
  });

  it('takes the source’s members out of queues it no longer lists', () => {
    const snapshot = snapshotOf(3);
    const genesys = syncedGenesys(snapshot);
    const supervisor = randomUUID();
    genesys.queues.push({
      id: randomUUID(),
      name: 'Old Sales',
      memberIds: [genesys.users[0]!.id, supervisor],
      wrapupCodeIds: [],
    });
    const { operations } = planDirectorySync(snapshot, genesys);
    assert.deepEqual(operations, [
      { kind: 'removeQueueMembers', queue: 'Old Sales', userIds: [genesys.users[0]!.id] },
    ]);
  });

  it('reactivates with a PATCH of the state alone, then changes the profile', () => {
    const snapshot = snapshotOf(1);
    const genesys = syncedGenesys(snapshot);
    genesys.users[0] = { ...genesys.users[0]!, state: 'inactive', name: 'Old Name' };
    const { operations } = planDirectorySync(snapshot, genesys);
    assert.deepEqual(
      operations.map((operation) => (operation.kind === 'updateUser' ? operation.changes : operation.kind)),
      [{ state: 'active' }, { name: 'Agent 1' }],
    );
  });

  it('deactivates a user inactive at the source whom Genesys has only by email (created just before a crash)', () => {
    const snapshot = snapshotOf(2);
    const genesys = syncedGenesys(snapshot);
    genesys.users[1] = { ...genesys.users[1]!, externalKey: undefined };
    const users = [snapshot.users[0]!, { ...snapshot.users[1]!, active: false }];
    const { operations } = planDirectorySync({ ...snapshot, users }, genesys);
    assert.ok(
      operations.some(
        (operation) =>
          operation.kind === 'deactivateUser' &&
          operation.userId === genesys.users[1]!.id &&
          operation.externalId === 'agent-2',
      ),
    );
  });
});
