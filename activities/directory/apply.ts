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
export function applyDirectoryPlan(
  client: GenesysClient,
  snapshot: DirectorySnapshot,
  directory: GenesysDirectory,
  plan: DirectoryPlan,
  progress: (done: number, total: number) => void = () => undefined,
): Promise<DirectoryApplyResult> {
  return new PlanApplier(client, snapshot, directory).run(plan, progress);
}

type UserOutcome = 'created' | 'updated' | 'deactivated' | 'failed';

/** One attempt's application of a plan: the Genesys ids it knows, and what it did so far. */
class PlanApplier {
  private readonly skills: Map<string, string>;
  private readonly codes: Map<string, string>;
  private readonly queueIds: Map<string, string>;
  /** Genesys user ids by external id: matched by the plan, or created now. */
  private readonly userIds = new Map<string, string>();
  private readonly versions: Map<string, number>;
  private sourceId: string | undefined;
  /** `<operation kind>\0<external id>` of each user operation that succeeded. */
  private readonly written = new Set<string>();
  private readonly outcomes = new Map<string, UserOutcome>();
  private readonly result: DirectoryApplyResult = {
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

  constructor(
    private readonly client: GenesysClient,
    private readonly snapshot: DirectorySnapshot,
    private readonly directory: GenesysDirectory,
  ) {
    const byName = (list: { id: string; name: string }[]) =>
      new Map(list.map((item) => [item.name.toLowerCase(), item.id]));
    this.skills = byName(directory.skills);
    this.codes = byName(directory.wrapupCodes);
    this.queueIds = byName(directory.queues);
    this.sourceId = directory.presenceSourceId;
    this.versions = new Map(directory.users.map((user) => [user.id, user.version]));
  }

  async run(
    plan: DirectoryPlan,
    progress: (done: number, total: number) => void,
  ): Promise<DirectoryApplyResult> {
    for (const [externalId, userId] of Object.entries(plan.matchedUserIds))
      this.userIds.set(externalId, userId);
    let done = 0;
    for (const operation of plan.operations) {
      await this.applyRecording(operation);
      progress(++done, plan.operations.length);
    }
    return this.finish();
  }

  /** Applies one operation and records its outcome; a user that failed once gets nothing more. */
  private async applyRecording(operation: DirectoryOperation): Promise<void> {
    const externalId = 'externalId' in operation ? operation.externalId : undefined;
    if (externalId !== undefined && this.outcomes.get(externalId) === 'failed') return;
    try {
      await this.apply(operation);
      if (externalId === undefined) {
        this.result.otherChanges++;
        return;
      }
      this.written.add(`${operation.kind}\u0000${externalId}`);
      if (operation.kind === 'createUser') this.outcomes.set(externalId, 'created');
      else if (operation.kind === 'deactivateUser') this.outcomes.set(externalId, 'deactivated');
      else if (!this.outcomes.has(externalId)) this.outcomes.set(externalId, 'updated');
    } catch (error) {
      // Retryable failures end the attempt: the retry re-reads Genesys and re-plans what is left.
      if (error instanceof GenesysApiError && error.retryable) throw error;
      const target =
        externalId ?? ('queue' in operation ? operation.queue : 'name' in operation ? operation.name : '');
      this.result.failures.push({
        target,
        operation: operation.kind,
        reason: error instanceof Error ? error.message : String(error),
      });
      if (externalId !== undefined) this.outcomes.set(externalId, 'failed');
    }
  }

  private async apply(operation: DirectoryOperation): Promise<void> {
    const { client, directory, snapshot } = this;
    switch (operation.kind) {
      case 'createPresenceSource':
        this.sourceId = await this.createNamed(
          operation.name,
          () => presence.createSource(client, operation.name),
          () => presence.sources(client),
        );
        return;
      case 'createSkill':
        this.skills.set(
          operation.name.toLowerCase(),
          await this.createNamed(
            operation.name,
            () => routing.createSkill(client, operation.name),
            () => routing.skills(client),
          ),
        );
        return;
      case 'createWrapupCode':
        this.codes.set(
          operation.name.toLowerCase(),
          await this.createNamed(
            operation.name,
            () => routing.createWrapupCode(client, operation.name),
            () => routing.wrapupCodes(client),
          ),
        );
        return;
      case 'createQueue':
        this.queueIds.set(
          operation.name.toLowerCase(),
          await this.createNamed(
            operation.name,
            () =>
              queues.create(client, {
                name: operation.name,
                description: operation.description,
                division: { id: directory.divisionId },
              }),
            () => queues.list(client),
          ),
        );
        return;
      case 'createUser': {
        this.result.writeCalls++;
        const user = await users.create(client, { ...operation.profile, divisionId: directory.divisionId });
        this.userIds.set(operation.externalId, user.id);
        this.versions.set(user.id, user.version);
        return;
      }
      case 'updateUser':
        return this.patchUser(operation.userId, operation.changes);
      case 'deactivateUser':
        return this.patchUser(operation.userId, { state: 'inactive' });
      case 'setExternalId':
        this.result.writeCalls++;
        await users.addExternalId(client, this.userId(operation.externalId), {
          authorityName: snapshot.source,
          externalKey: operation.externalId,
        });
        return;
      case 'setPrimarySource':
        if (this.sourceId === undefined)
          throw new Error(`presence source ${snapshot.source} is not registered`);
        this.result.writeCalls++;
        await presence.setPrimarySource(client, this.userId(operation.externalId), this.sourceId);
        return;
      case 'setSkills':
        this.result.writeCalls++;
        await users.setRoutingSkills(
          client,
          this.userId(operation.externalId),
          operation.skills.map(({ skill, proficiency }) => ({
            id: known(this.skills, skill, 'skill'),
            proficiency,
          })),
        );
        return;
      case 'addQueueMembers':
      case 'removeQueueMembers': {
        const ids =
          operation.kind === 'addQueueMembers'
            ? operation.externalIds
                .filter((id) => this.outcomes.get(id) !== 'failed')
                .map((id) => this.userId(id))
            : operation.userIds;
        if (ids.length === 0) return;
        this.result.writeCalls++;
        await queues.changeMembers(
          client,
          known(this.queueIds, operation.queue, 'queue'),
          ids,
          operation.kind === 'removeQueueMembers',
        );
        return;
      }
      case 'addQueueWrapupCodes':
        this.result.writeCalls++;
        await queues.addWrapupCodes(
          client,
          known(this.queueIds, operation.queue, 'queue'),
          operation.codes.map((code) => known(this.codes, code, 'wrap-up code')),
        );
        return;
    }
  }

  /** A user's Genesys id by its external id (exact). */
  private userId(externalId: string): string {
    const id = this.userIds.get(externalId);
    if (id === undefined) throw new Error(`user ${externalId} is not in Genesys`);
    return id;
  }

  /** PATCHes a user, re-reading it after a version conflict. */
  private async patchUser(
    id: string,
    changes: Partial<UserProfile> & { state?: 'active' | 'inactive' },
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        this.result.writeCalls++;
        const updated = await users.update(this.client, id, {
          ...changes,
          version: this.versions.get(id) ?? 1,
        });
        this.versions.set(id, updated.version);
        return;
      } catch (error) {
        if (!(error instanceof GenesysApiError && error.status === 409) || attempt > conflictRetries)
          throw error;
        // A second 409 with the version unchanged is not a version conflict (an email taken…): stop.
        const current = (await users.get(this.client, id)).version;
        if (current === this.versions.get(id) && attempt > 1) throw error;
        this.versions.set(id, current);
      }
    }
  }

  /**
   * Creates a named entity, or adopts the one that already exists by that name (created by an
   * attempt that died before it could record it, or by someone else meanwhile).
   */
  private async createNamed(
    name: string,
    create: () => Promise<{ id?: string }>,
    list: () => Promise<{ id?: string; name: string }[]>,
  ): Promise<string> {
    try {
      this.result.writeCalls++;
      const created = await create();
      if (created.id !== undefined) return created.id;
    } catch (error) {
      if (!(error instanceof GenesysApiError && error.status === 409)) throw error;
    }
    const existing = (await list()).find((entity) => entity.name.toLowerCase() === name.toLowerCase())?.id;
    if (existing === undefined) throw new Error(`${name} could not be created and does not exist`);
    return existing;
  }

  /** The result: users counted by outcome, the presence source, and where each user stands. */
  private finish(): DirectoryApplyResult {
    const { result } = this;
    for (const state of this.outcomes.values()) {
      if (state === 'created') result.usersCreated++;
      else if (state === 'updated') result.usersUpdated++;
      else if (state === 'deactivated') result.usersDeactivated++;
      else result.usersFailed++;
    }
    result.presenceSourceId = this.sourceId;
    for (const [externalId, userId] of this.userIds) {
      result.placed[externalId] = {
        userId,
        externalIdWritten: this.written.has(`setExternalId\u0000${externalId}`),
        primarySourceWritten: this.written.has(`setPrimarySource\u0000${externalId}`),
      };
    }
    return result;
  }
}

/** A Genesys id by name (skills, codes, queues: case-insensitive). */
function known(byName: Map<string, string>, name: string, what: string): string {
  const id = byName.get(name.toLowerCase());
  if (id === undefined) throw new Error(`${what} ${name} is not in Genesys`);
  return id;
}
