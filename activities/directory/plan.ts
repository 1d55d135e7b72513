/**
 * The directory sync's plan: what must change in Genesys so it follows the snapshot. Pure: it compares
 * the snapshot with what the read step found in Genesys and lists operations in the order they can be
 * applied (referenced entities first). Entities are named by the snapshot's keys (user external id,
 * queue/skill/code name) because those created by the plan have no Genesys id yet.
 */
import type { DirectorySnapshot, SnapshotUser } from '../../domain/directory/snapshot';

/** A Genesys entity with a name. */
export interface NamedReference {
  id: string;
  name: string;
}

/** A Genesys user as the read step found it. */
export interface GenesysUser {
  id: string;
  name: string;
  email: string;
  state: 'active' | 'inactive';
  version: number;
  department?: string;
  title?: string;
  /** The user's external id under the snapshot's source, when it carries one. */
  externalKey: string | undefined;
  /** The user's primary presence source id (undefined: Genesys itself). */
  primarySourceId: string | undefined;
  /**
   * Another source claims the user (external ids under another authority, or another external presence
   * source as primary): never adopted by email, whatever the snapshot says.
   */
  managedElsewhere: boolean;
  /** The user's routing skills. */
  skills: { id: string; proficiency: number }[];
}

/** What Genesys holds, as far as the sync is concerned. */
export interface GenesysDirectory {
  divisionId: string;
  /** The source's presence source, when registered. */
  presenceSourceId: string | undefined;
  skills: NamedReference[];
  wrapupCodes: NamedReference[];
  queues: (NamedReference & { memberIds: string[]; wrapupCodeIds: string[] })[];
  /** Users carrying an external id of the source, and users whose email a snapshot user has. */
  users: GenesysUser[];
}

/** Profile fields the sync keeps in step. */
export interface UserProfile {
  name: string;
  email: string;
  department?: string;
  title?: string;
}

/** One change to Genesys. */
export type DirectoryOperation =
  | { kind: 'createPresenceSource'; name: string }
  | { kind: 'createSkill'; name: string }
  | { kind: 'createWrapupCode'; name: string }
  | { kind: 'createQueue'; name: string; description?: string }
  | { kind: 'createUser'; externalId: string; profile: UserProfile }
  | {
      kind: 'updateUser';
      externalId: string;
      userId: string;
      changes: Partial<UserProfile> & { state?: 'active' };
    }
  | { kind: 'deactivateUser'; externalId: string; userId: string }
  | { kind: 'setExternalId'; externalId: string }
  | { kind: 'setPrimarySource'; externalId: string }
  | { kind: 'setSkills'; externalId: string; skills: { skill: string; proficiency: number }[] }
  | { kind: 'addQueueMembers'; queue: string; externalIds: string[] }
  | { kind: 'removeQueueMembers'; queue: string; userIds: string[] }
  | { kind: 'addQueueWrapupCodes'; queue: string; codes: string[] };

/** Counts of a plan, by what happens to users and to the rest. */
export interface PlanSummary {
  usersCreated: number;
  usersUpdated: number;
  usersDeactivated: number;
  usersUnchanged: number;
  otherChanges: number;
}

/** The plan and what it amounts to. */
export interface DirectoryPlan {
  operations: DirectoryOperation[];
  summary: PlanSummary;
  /** The Genesys user of each snapshot user that already exists, by external id. */
  matchedUserIds: Record<string, string>;
}

/** Genesys takes at most this many queue members or wrap-up codes per call (contract §6). */
export const referencesPerCall = 100;

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function chunks<Item>(items: Item[], size: number): Item[][] {
  const result: Item[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

/**
 * The Genesys user the snapshot user is: by external id first, then by email — adopting a user no
 * source claims, or one this source knew under a key it no longer uses (re-keyed at the source).
 */
function matchUser(
  user: SnapshotUser,
  genesys: GenesysDirectory,
  snapshotKeys: ReadonlySet<string>,
): GenesysUser | undefined {
  return (
    genesys.users.find((candidate) => candidate.externalKey === user.externalId) ??
    genesys.users.find(
      (candidate) =>
        sameName(candidate.email, user.email) &&
        !candidate.managedElsewhere &&
        (candidate.externalKey === undefined || !snapshotKeys.has(candidate.externalKey)),
    )
  );
}

function profileChanges(user: SnapshotUser, current: GenesysUser): Partial<UserProfile> {
  const changes: Partial<UserProfile> = {};
  if (current.name !== user.name) changes.name = user.name;
  if (!sameName(current.email, user.email)) changes.email = user.email;
  if (user.department !== undefined && current.department !== user.department)
    changes.department = user.department;
  if (user.title !== undefined && current.title !== user.title) changes.title = user.title;
  return changes;
}

function skillsDiffer(
  wanted: { skill: string; proficiency: number }[],
  current: { id: string; proficiency: number }[],
  skillIds: Map<string, string>,
): boolean {
  if (wanted.length !== current.length) return true;
  const byId = new Map(current.map((skill) => [skill.id, skill.proficiency]));
  return wanted.some(({ skill, proficiency }) => {
    const id = skillIds.get(skill.toLowerCase());
    return id === undefined || byId.get(id) !== proficiency;
  });
}

/** Computes what must change in Genesys for it to follow `snapshot`. */
export function planDirectorySync(snapshot: DirectorySnapshot, genesys: GenesysDirectory): DirectoryPlan {
  const operations: DirectoryOperation[] = [];
  const summary: PlanSummary = {
    usersCreated: 0,
    usersUpdated: 0,
    usersDeactivated: 0,
    usersUnchanged: 0,
    otherChanges: 0,
  };
  const other = (operation: DirectoryOperation) => {
    operations.push(operation);
    summary.otherChanges++;
  };
  const named = (list: NamedReference[]) => new Map(list.map((item) => [item.name.toLowerCase(), item.id]));
  const skillIds = named(genesys.skills);
  const codeIds = named(genesys.wrapupCodes);
  const queueIds = named(genesys.queues);
  const skillName = new Map(snapshot.skills.map((skill) => [skill.externalId, skill.name]));
  const codeName = new Map(snapshot.wrapupCodes.map((code) => [code.externalId, code.name]));

  if (genesys.presenceSourceId === undefined) other({ kind: 'createPresenceSource', name: snapshot.source });
  for (const skill of snapshot.skills) {
    if (!skillIds.has(skill.name.toLowerCase())) other({ kind: 'createSkill', name: skill.name });
  }
  for (const code of snapshot.wrapupCodes) {
    if (!codeIds.has(code.name.toLowerCase())) other({ kind: 'createWrapupCode', name: code.name });
  }
  for (const queue of snapshot.queues) {
    if (!queueIds.has(queue.name.toLowerCase())) {
      other({ kind: 'createQueue', name: queue.name, description: queue.description });
    }
  }

  // Users: the snapshot's active users exist, are active, look as at the source, carry the external
  // id, take presence from the source and have its skills; everyone else the source manages is inactive.
  const matched = new Map<string, GenesysUser>();
  const snapshotKeys = new Set(snapshot.users.map((user) => user.externalId));
  for (const user of snapshot.users.filter((candidate) => candidate.active)) {
    const current = matchUser(user, genesys, snapshotKeys);
    const { externalId } = user;
    const wantedSkills = user.skills.map(({ skill, proficiency }) => ({
      skill: skillName.get(skill)!,
      proficiency,
    }));
    if (!current) {
      operations.push({
        kind: 'createUser',
        externalId,
        profile: { name: user.name, email: user.email, department: user.department, title: user.title },
      });
      operations.push({ kind: 'setExternalId', externalId }, { kind: 'setPrimarySource', externalId });
      if (wantedSkills.length > 0) operations.push({ kind: 'setSkills', externalId, skills: wantedSkills });
      summary.usersCreated++;
      continue;
    }
    matched.set(externalId, current);
    const changes = profileChanges(user, current);
    const userOperations: DirectoryOperation[] = [];
    // Genesys takes `state` alone in a PATCH (contract §6): reactivation first, the profile after.
    if (current.state !== 'active') {
      userOperations.push({
        kind: 'updateUser',
        externalId,
        userId: current.id,
        changes: { state: 'active' },
      });
    }
    if (Object.keys(changes).length > 0) {
      userOperations.push({ kind: 'updateUser', externalId, userId: current.id, changes });
    }
    if (current.externalKey !== externalId) userOperations.push({ kind: 'setExternalId', externalId });
    if (genesys.presenceSourceId === undefined || current.primarySourceId !== genesys.presenceSourceId) {
      userOperations.push({ kind: 'setPrimarySource', externalId });
    }
    if (skillsDiffer(wantedSkills, current.skills, skillIds)) {
      userOperations.push({ kind: 'setSkills', externalId, skills: wantedSkills });
    }
    operations.push(...userOperations);
    if (userOperations.length > 0) summary.usersUpdated++;
    else summary.usersUnchanged++;
  }
  const matchedIds = new Set([...matched.values()].map((user) => user.id));
  const managedIds = new Set(
    genesys.users.filter((user) => user.externalKey !== undefined).map((user) => user.id),
  );
  // Users inactive at the source that Genesys has under their email but without the external id (created
  // just before a crash) are the source's too.
  const keyOf = new Map<string, string>();
  for (const user of snapshot.users.filter((candidate) => !candidate.active)) {
    const current = matchUser(user, genesys, snapshotKeys);
    if (current && !matchedIds.has(current.id)) {
      managedIds.add(current.id);
      keyOf.set(current.id, user.externalId);
    }
  }
  for (const current of genesys.users) {
    if (!managedIds.has(current.id) || matchedIds.has(current.id)) continue;
    // Removed or inactive at the source: deactivated, never deleted.
    if (current.state === 'active') {
      const externalId = current.externalKey ?? keyOf.get(current.id) ?? current.email;
      operations.push({ kind: 'deactivateUser', externalId, userId: current.id });
      summary.usersDeactivated++;
    }
  }
  for (const id of matchedIds) managedIds.add(id);

  // Queue membership and wrap-up codes, at most 100 per call.
  const genesysUserIdOf = (externalId: string) => matched.get(externalId)?.id;
  for (const queue of snapshot.queues) {
    const existing = genesys.queues.find((candidate) => sameName(candidate.name, queue.name));
    const currentMembers = new Set(existing?.memberIds ?? []);
    const members = snapshot.users.filter((user) => user.active && user.queues.includes(queue.externalId));
    const toAdd = members
      .filter((user) => {
        const id = genesysUserIdOf(user.externalId);
        return id === undefined || !currentMembers.has(id);
      })
      .map((user) => user.externalId);
    const wantedIds = new Set(members.map((user) => genesysUserIdOf(user.externalId)));
    // Only members the source manages are removed: people Genesys manages itself stay in the queue.
    const toRemove = [...currentMembers].filter((id) => managedIds.has(id) && !wantedIds.has(id));
    for (const externalIds of chunks(toAdd, referencesPerCall)) {
      other({ kind: 'addQueueMembers', queue: queue.name, externalIds });
    }
    for (const userIds of chunks(toRemove, referencesPerCall)) {
      other({ kind: 'removeQueueMembers', queue: queue.name, userIds });
    }
    const currentCodes = new Set(existing?.wrapupCodeIds ?? []);
    const codes = queue.wrapupCodes
      .map((code) => codeName.get(code)!)
      .filter((name) => {
        const id = codeIds.get(name.toLowerCase());
        return id === undefined || !currentCodes.has(id);
      });
    for (const names of chunks(codes, referencesPerCall)) {
      other({ kind: 'addQueueWrapupCodes', queue: queue.name, codes: names });
    }
  }
  // Queues the source no longer lists (dropped or renamed there) lose the members it manages.
  for (const queue of genesys.queues) {
    if (snapshot.queues.some((listed) => sameName(listed.name, queue.name))) continue;
    const toRemove = queue.memberIds.filter((id) => managedIds.has(id));
    for (const userIds of chunks(toRemove, referencesPerCall)) {
      other({ kind: 'removeQueueMembers', queue: queue.name, userIds });
    }
  }
  const matchedUserIds = Object.fromEntries([...matched].map(([externalId, user]) => [externalId, user.id]));
  return { operations, summary, matchedUserIds };
}
