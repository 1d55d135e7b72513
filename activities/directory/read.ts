/**
 * The directory sync's read step: what Genesys holds that the snapshot's source cares about. Genesys has
 * no listing by external id, so each relevant user — active, named by a snapshot email, or in a queue —
 * is asked for its external ids, primary source and skills (a few at a time); inactive strangers cost
 * nothing. Snapshot users still unmatched are looked up by external id, which finds the inactive ones.
 */
import type { GenesysClient } from '../genesys/client';
import { homeDivision, presence, queues, routing, users } from '../genesys/directory';
import { nativePresenceSourceId } from '../../domain/genesys';
import { GenesysApiError } from '../genesys/errors';
import type { GenesysDirectory, GenesysUser } from './plan';
import type { DirectorySnapshot } from '../../domain/directory/snapshot';

const concurrentReads = 4;

/** `undefined` when the entity was deleted between the listing and this read. */
async function unlessGone<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof GenesysApiError && error.status === 404) return undefined;
    throw error;
  }
}

/** Runs `work` over `items`, `limit` at a time, keeping the order of the results. */
async function mapLimited<Item, Result>(
  items: Item[],
  limit: number,
  work: (item: Item) => Promise<Result>,
): Promise<Result[]> {
  const results: Result[] = new Array<Result>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/** Reads Genesys as the plan needs it; `progress` is told how many users were read so far. */
export async function readGenesysDirectory(
  client: GenesysClient,
  snapshot: DirectorySnapshot,
  progress: (usersRead: number, usersTotal: number) => void = () => undefined,
): Promise<GenesysDirectory> {
  const [division, sources, skills, wrapupCodes, queueList, userList] = await Promise.all([
    homeDivision(client),
    presence.sources(client),
    routing.skills(client),
    routing.wrapupCodes(client),
    queues.list(client),
    users.list(client, 'any'),
  ]);
  const presenceSourceId = sources.find(
    (source) => source.name.toLowerCase() === snapshot.source.toLowerCase() && !source.deactivated,
  )?.id;
  const queuesWithMembers = (
    await mapLimited(queueList, concurrentReads, async (queue) => {
      const [members, codes] = await Promise.all([
        unlessGone(queues.members(client, queue.id)),
        unlessGone(queues.wrapupCodes(client, queue.id)),
      ]);
      if (members === undefined || codes === undefined) return undefined;
      return {
        id: queue.id,
        name: queue.name,
        memberIds: members.map((member) => member.id),
        wrapupCodeIds: codes.map((code) => code.id),
      };
    })
  ).filter((queue) => queue !== undefined);

  const snapshotEmails = new Set(snapshot.users.map((user) => user.email.toLowerCase()));
  const queueMembers = new Set(queuesWithMembers.flatMap((queue) => queue.memberIds));
  const relevant = userList.filter(
    (user) =>
      user.state === 'active' ||
      snapshotEmails.has((user.email ?? '').toLowerCase()) ||
      queueMembers.has(user.id),
  );
  let read = 0;
  const readUser = async (user: (typeof userList)[number]): Promise<GenesysUser | undefined> => {
    const externalIds = await unlessGone(users.externalIds(client, user.id));
    if (externalIds === undefined) return undefined;
    const externalKey = externalIds.find((id) => id.authorityName === snapshot.source)?.externalKey;
    const claimedByOthers = externalIds.some((id) => id.authorityName !== snapshot.source);
    const isOurs = externalKey !== undefined || snapshotEmails.has((user.email ?? '').toLowerCase());
    const [primary, userSkills] = isOurs
      ? await Promise.all([
          unlessGone(presence.primarySource(client, user.id)),
          unlessGone(users.routingSkills(client, user.id)),
        ])
      : [undefined, []];
    const primarySourceId = primary?.sourceId === nativePresenceSourceId ? undefined : primary?.sourceId;
    progress(++read, relevant.length);
    return {
      id: user.id,
      name: user.name ?? '',
      email: user.email ?? '',
      state: user.state === 'inactive' ? 'inactive' : 'active',
      version: user.version,
      department: typeof user.department === 'string' ? user.department : undefined,
      title: typeof user.title === 'string' ? user.title : undefined,
      externalKey,
      primarySourceId,
      managedElsewhere:
        claimedByOthers || (primarySourceId !== undefined && primarySourceId !== presenceSourceId),
      skills: (userSkills ?? []).map((skill) => ({ id: skill.id, proficiency: skill.proficiency })),
    };
  };
  const directoryUsers = (await mapLimited(relevant, concurrentReads, readUser)).filter(
    (user) => user !== undefined,
  );

  // Snapshot users nobody above matched may exist inactive under their external id (deactivated
  // earlier, back now with another email): the reverse lookup finds them.
  const seen = new Set(directoryUsers.map((user) => user.id));
  const knownKeys = new Set(directoryUsers.map((user) => user.externalKey));
  const knownEmails = new Set(directoryUsers.map((user) => user.email.toLowerCase()));
  const unmatched = snapshot.users.filter(
    (user) => user.active && !knownKeys.has(user.externalId) && !knownEmails.has(user.email.toLowerCase()),
  );
  const found = await mapLimited(unmatched, concurrentReads, (user) =>
    unlessGone(users.byExternalId(client, snapshot.source, user.externalId)),
  );
  for (const user of found) {
    if (user === undefined || seen.has(user.id)) continue;
    seen.add(user.id);
    const full = await readUser(user);
    if (full) directoryUsers.push(full);
  }

  return {
    divisionId: division.id,
    presenceSourceId,
    skills: skills.map(({ id, name }) => ({ id, name })),
    wrapupCodes: wrapupCodes.map(({ id, name }) => ({ id, name })),
    queues: queuesWithMembers,
    users: directoryUsers,
  };
}
