/**
 * The directory sync's write step: applies a plan in order, resolving the names and external ids it
 * uses to Genesys ids (including those of entities it has just created). A version conflict on a user
 * is resolved by re-reading the user; any other refusal is recorded against the user or queue it
 * concerns and the rest goes on; a retryable failure is thrown, and the activity's retry re-reads
 * Genesys and re-plans, so nothing already done is done twice.
 */
import type { GenesysClient } from '../genesys/client';
import { presence, queues, routing, users } from '../genesys/directory';
import { GenesysApiError } from '../genesys/errors';
import type { DirectoryOperation, DirectoryPlan, GenesysDirectory, UserProfile } from './plan';
import type { DirectorySnapshot } from '../../domain/directory/snapshot';

/** One change Genesys refused for good. */
export interface DirectorySyncFailure {
  /** The user's external id or the queue, skill or code name it concerns. */
  target: string;
  operation: DirectoryOperation['kind'];
  reason: string;
}

/** What applying a plan did. */
export interface DirectoryApplyResult {
  usersCreated: number;
  usersUpdated: number;
  usersDeactivated: number;
  usersFailed: number;
  otherChanges: number;
  failures: DirectorySyncFailure[];
  writeCalls: number;
  /** The source's presence source once applied (registered now or before), if it is registered. */
  presenceSourceId: string | undefined;
  /**
   * Each snapshot user's Genesys user (matched or created) by external id, and whether this attempt
   * wrote its external id and made the source its primary: with the read state, where it stands now.
   */
  placed: Record<string, { userId: string; externalIdWritten: boolean; primarySourceWritten: boolean }>;
}

const conflictRetries = 3;

/** Applies `plan`, computed from `snapshot` and `directory`; `progress` hears after each operation. */
export async function applyDirectoryPlan(
  client: GenesysClient,
  snapshot: DirectorySnapshot,
  directory: GenesysDirectory,
  plan: DirectoryPlan,
  progress: (done: number, total: number) => void = () => undefined,
): Promise<DirectoryApplyResult> {
  const byName = (list: { id: string; name: string }[]) =>
    new Map(list.map((item) => [item.name.toLowerCase(), item.id]));
  const skills = byName(directory.skills);
  const codes = byName(directory.wrapupCodes);
  const queueIds = byName(directory.queues);
  let sourceId = directory.presenceSourceId;
  const userIds = new Map(Object.entries(plan.matchedUserIds));
  const versions = new Map(directory.users.map((user) => [user.id, user.version]));

  const result: DirectoryApplyResult = {
    usersCreated: 0,
    usersUpdated: 0,
    usersDeactivated: 0,
    usersFailed: 0,
    otherChanges: 0,
    failures: [],
    writeCalls: 0,
    presenceSourceId: undefined,
    placed: {},
  };
  const written = new Set<string>();
  const outcome = new Map<string, 'created' | 'updated' | 'deactivated' | 'failed'>();
  /** A Genesys id by name (skills, codes, queues: case-insensitive) or by external id (users: exact). */
  const known = (map: Map<string, string>, key: string, what: string): string => {
    const value = map.get(what === 'user' ? key : key.toLowerCase());
    if (value === undefined) throw new Error(`${what} ${key} is not in Genesys`);
    return value;
  };
  const userId = (externalId: string) => known(userIds, externalId, 'user');
  /** PATCHes a user, re-reading it after a version conflict. */
  const patchUser = async (id: string, changes: Partial<UserProfile> & { state?: 'active' | 'inactive' }) => {
    for (let attempt = 1; ; attempt++) {
      try {
        result.writeCalls++;
        const updated = await users.update(client, id, { ...changes, version: versions.get(id) ?? 1 });
        versions.set(id, updated.version);
        return;
      } catch (error) {
        if (!(error instanceof GenesysApiError && error.status === 409) || attempt > conflictRetries)
          throw error;
        // A second 409 with the version unchanged is not a version conflict (an email taken…): stop.
        const current = (await users.get(client, id)).version;
        if (current === versions.get(id) && attempt > 1) throw error;
        versions.set(id, current);
      }
    }
  };

  /**
   * Creates a named entity, or adopts the one that already exists by that name (created by an
   * attempt that died before it could record it, or by someone else meanwhile).
   */
  const createNamed = async (
    name: string,
    create: () => Promise<{ id?: string }>,
    list: () => Promise<{ id?: string; name: string }[]>,
  ): Promise<string> => {
    try {
      result.writeCalls++;
      const created = await create();
      if (created.id !== undefined) return created.id;
    } catch (error) {
      if (!(error instanceof GenesysApiError && error.status === 409)) throw error;
    }
    const existing = (await list()).find((entity) => entity.name.toLowerCase() === name.toLowerCase())?.id;
    if (existing === undefined) throw new Error(`${name} could not be created and does not exist`);
    return existing;
  };

  const apply = async (operation: DirectoryOperation): Promise<void> => {
    switch (operation.kind) {
      case 'createPresenceSource':
        sourceId = await createNamed(
          operation.name,
          () => presence.createSource(client, operation.name),
          () => presence.sources(client),
        );
        return;
      case 'createSkill':
        skills.set(
          operation.name.toLowerCase(),
          await createNamed(
            operation.name,
            () => routing.createSkill(client, operation.name),
            () => routing.skills(client),
          ),
        );
        return;
      case 'createWrapupCode':
        codes.set(
          operation.name.toLowerCase(),
          await createNamed(
            operation.name,
            () => routing.createWrapupCode(client, operation.name),
            () => routing.wrapupCodes(client),
          ),
        );
        return;
      case 'createQueue': {
        const queueId = await createNamed(
          operation.name,
          () =>
            queues.create(client, {
              name: operation.name,
              description: operation.description,
              division: { id: directory.divisionId },
            }),
          () => queues.list(client),
        );
        queueIds.set(operation.name.toLowerCase(), queueId);
        return;
      }
      case 'createUser': {
        result.writeCalls++;
        const user = await users.create(client, { ...operation.profile, divisionId: directory.divisionId });
        userIds.set(operation.externalId, user.id);
        versions.set(user.id, user.version);
        return;
      }
      case 'updateUser':
        return patchUser(operation.userId, operation.changes);
      case 'deactivateUser':
        return patchUser(operation.userId, { state: 'inactive' });
      case 'setExternalId':
        result.writeCalls++;
        await users.addExternalId(client, userId(operation.externalId), {
          authorityName: snapshot.source,
          externalKey: operation.externalId,
        });
        return;
      case 'setPrimarySource':
        if (sourceId === undefined) throw new Error(`presence source ${snapshot.source} is not registered`);
        result.writeCalls++;
        await presence.setPrimarySource(client, userId(operation.externalId), sourceId);
        return;
      case 'setSkills':
        result.writeCalls++;
        await users.setRoutingSkills(
          client,
          userId(operation.externalId),
          operation.skills.map(({ skill, proficiency }) => ({
            id: known(skills, skill, 'skill'),
            proficiency,
          })),
        );
        return;
      case 'addQueueMembers':
      case 'removeQueueMembers': {
        const ids =
          operation.kind === 'addQueueMembers'
            ? operation.externalIds.filter((id) => outcome.get(id) !== 'failed').map(userId)
            : operation.userIds;
        if (ids.length === 0) return;
        result.writeCalls++;
        await queues.changeMembers(
          client,
          known(queueIds, operation.queue, 'queue'),
          ids,
          operation.kind === 'removeQueueMembers',
        );
        return;
      }
      case 'addQueueWrapupCodes':
        result.writeCalls++;
        await queues.addWrapupCodes(
          client,
          known(queueIds, operation.queue, 'queue'),
          operation.codes.map((code) => known(codes, code, 'wrap-up code')),
        );
        return;
    }
  };

  let done = 0;
  for (const operation of plan.operations) {
    const externalId = 'externalId' in operation ? operation.externalId : undefined;
    if (externalId !== undefined && outcome.get(externalId) === 'failed') {
      progress(++done, plan.operations.length);
      continue;
    }
    try {
      await apply(operation);
      if (externalId !== undefined) written.add(`${operation.kind}\u0000${externalId}`);
      if (externalId === undefined) result.otherChanges++;
      else if (operation.kind === 'createUser') outcome.set(externalId, 'created');
      else if (operation.kind === 'deactivateUser') outcome.set(externalId, 'deactivated');
      else if (!outcome.has(externalId)) outcome.set(externalId, 'updated');
    } catch (error) {
      // Retryable failures end the attempt: the retry re-reads Genesys and re-plans what is left.
      if (error instanceof GenesysApiError && error.retryable) throw error;
      const target =
        externalId ?? ('queue' in operation ? operation.queue : 'name' in operation ? operation.name : '');
      result.failures.push({
        target,
        operation: operation.kind,
        reason: error instanceof Error ? error.message : String(error),
      });
      if (externalId !== undefined) outcome.set(externalId, 'failed');
    }
    progress(++done, plan.operations.length);
  }
  for (const state of outcome.values()) {
    if (state === 'created') result.usersCreated++;
    else if (state === 'updated') result.usersUpdated++;
    else if (state === 'deactivated') result.usersDeactivated++;
    else result.usersFailed++;
  }
  result.presenceSourceId = sourceId;
  for (const [externalId, id] of userIds) {
    result.placed[externalId] = {
      userId: id,
      externalIdWritten: written.has(`setExternalId\u0000${externalId}`),
      primarySourceWritten: written.has(`setPrimarySource\u0000${externalId}`),
    };
  }
  return result;
}
