/**
 * The directory sync's read step: what Genesys holds that the snapshot's source cares about. Genesys has
 * no listing by external id, so each active user (and each user a snapshot email names) is asked for
 * its external ids, primary source and skills; inactive strangers cost nothing.
 */
import type { GenesysClient } from '../genesys/client';
import { homeDivision, presence, queues, routing, users } from '../genesys/directory';
import type { GenesysDirectory, GenesysUser } from './plan';
import type { DirectorySnapshot } from './snapshot';

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
  const presenceSourceId = (sources.entities ?? []).find(
    (source) => source.name.toLowerCase() === snapshot.source.toLowerCase() && !source.deactivated,
  )?.id;
  const snapshotEmails = new Set(snapshot.users.map((user) => user.email.toLowerCase()));
  const relevant = userList.filter(
    (user) => user.state === 'active' || snapshotEmails.has((user.email ?? '').toLowerCase()),
  );
  const directoryUsers: GenesysUser[] = [];
  for (const user of relevant) {
    const externalKey = (await users.externalIds(client, user.id)).find(
      (id) => id.authorityName === snapshot.source,
    )?.externalKey;
    const isOurs = externalKey !== undefined || snapshotEmails.has((user.email ?? '').toLowerCase());
    const [primary, userSkills] = isOurs
      ? await Promise.all([presence.primarySource(client, user.id), users.routingSkills(client, user.id)])
      : [undefined, []];
    directoryUsers.push({
      id: user.id,
      name: user.name ?? '',
      email: user.email ?? '',
      state: user.state === 'inactive' ? 'inactive' : 'active',
      version: user.version,
      department: typeof user.department === 'string' ? user.department : undefined,
      title: typeof user.title === 'string' ? user.title : undefined,
      externalKey,
      primarySourceId: primary?.sourceId,
      skills: userSkills.map((skill) => ({ id: skill.id, proficiency: skill.proficiency })),
    });
    progress(directoryUsers.length, relevant.length);
  }
  const queuesWithMembers = [];
  for (const queue of queueList) {
    const [members, codes] = await Promise.all([
      queues.members(client, queue.id),
      queues.wrapupCodes(client, queue.id),
    ]);
    queuesWithMembers.push({
      id: queue.id,
      name: queue.name,
      memberIds: members.map((member) => member.id),
      wrapupCodeIds: codes.map((code) => code.id),
    });
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
