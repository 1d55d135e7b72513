/**
 * The directory snapshot an adapter supplies: the external platform's users, queues, skills, languages,
 * wrap-up codes and presence mapping, as the source of truth the directory sync makes Genesys follow.
 * Every reference inside it (a user's queue, a queue's wrap-up code…) must resolve within the snapshot;
 * a bad snapshot is refused whole, naming each problem, before anything is written to Genesys.
 */
import { z } from 'zod';
import { sourceNameSchema } from '../events/envelope';
import { systemPresences } from '../genesys';

const externalId = z.string().trim().min(1, 'must not be empty');
const proficiency = z.number().min(0).max(5);

/** A user at the source. */
export const snapshotUserSchema = z.object({
  /** The user's id at the source: written to Genesys as the external id under the source's name. */
  externalId,
  name: z.string().trim().min(1),
  email: z.email(),
  /** Inactive (or absent) users are deactivated in Genesys, never deleted. */
  active: z.boolean().default(true),
  department: z.string().optional(),
  title: z.string().optional(),
  /** External ids of the queues the user is a member of. */
  queues: z.array(externalId).default([]),
  /** Routing skills by external id, proficiency 0–5. */
  skills: z.array(z.object({ skill: externalId, proficiency })).default([]),
  /** Languages by external id, proficiency 0–5. */
  languages: z.array(z.object({ language: externalId, proficiency })).default([]),
});

/** A queue at the source; matched to its Genesys queue by name. */
export const snapshotQueueSchema = z.object({
  externalId,
  name: z.string().trim().min(1),
  description: z.string().optional(),
  /** External ids of the wrap-up codes agents may apply in this queue. */
  wrapupCodes: z.array(externalId).default([]),
});

/** A skill, language or wrap-up code at the source; matched in Genesys by name. */
export const snapshotNamedSchema = z.object({ externalId, name: z.string().trim().min(1) });

/** How one external presence state appears in Genesys: a system presence, or an org presence definition. */
export const presenceMappingSchema = z
  .object({
    externalState: z.string().trim().min(1),
    systemPresence: z.enum(systemPresences).optional(),
    presenceDefinitionId: z.string().min(1).optional(),
  })
  .refine(
    (mapping) => (mapping.systemPresence === undefined) !== (mapping.presenceDefinitionId === undefined),
    {
      message: 'give exactly one of systemPresence and presenceDefinitionId',
    },
  );

/** The whole directory of one source. */
export const directorySnapshotSchema = z
  .object({
    /** The source's name: the Genesys presence source and every user's external-id authority. */
    source: sourceNameSchema,
    users: z.array(snapshotUserSchema),
    queues: z.array(snapshotQueueSchema).default([]),
    skills: z.array(snapshotNamedSchema).default([]),
    languages: z.array(snapshotNamedSchema).default([]),
    wrapupCodes: z.array(snapshotNamedSchema).default([]),
    presenceMapping: z.array(presenceMappingSchema).default([]),
  })
  .superRefine((snapshot, context) => {
    const problem = (path: (string | number)[], message: string) =>
      context.addIssue({ code: 'custom', path, message });
    const known = (list: { externalId: string }[]) => new Set(list.map((item) => item.externalId));
    const queues = known(snapshot.queues);
    const skills = known(snapshot.skills);
    const languages = known(snapshot.languages);
    const codes = known(snapshot.wrapupCodes);
    const unique = <Item>(items: Item[], key: (item: Item) => string, what: string, list: string) => {
      const seen = new Map<string, number>();
      items.forEach((item, index) => {
        const value = key(item);
        const first = seen.get(value);
        if (first === undefined) seen.set(value, index);
        else problem([list, index], `${what} ${value} repeats ${list}[${first}]`);
      });
    };
    unique(snapshot.users, (user) => user.externalId, 'externalId', 'users');
    unique(snapshot.skills, (skill) => skill.externalId, 'externalId', 'skills');
    unique(snapshot.languages, (language) => language.externalId, 'externalId', 'languages');
    unique(snapshot.wrapupCodes, (code) => code.externalId, 'externalId', 'wrapupCodes');
    unique(snapshot.users, (user) => user.email.toLowerCase(), 'email', 'users');
    unique(snapshot.queues, (queue) => queue.externalId, 'externalId', 'queues');
    unique(snapshot.queues, (queue) => queue.name.toLowerCase(), 'name', 'queues');
    unique(snapshot.skills, (skill) => skill.name.toLowerCase(), 'name', 'skills');
    unique(snapshot.wrapupCodes, (code) => code.name.toLowerCase(), 'name', 'wrapupCodes');
    unique(snapshot.presenceMapping, (mapping) => mapping.externalState, 'externalState', 'presenceMapping');
    snapshot.users.forEach((user, index) => {
      if (new Set(user.skills.map(({ skill }) => skill)).size !== user.skills.length) {
        problem(['users', index, 'skills'], 'lists a skill twice');
      }
      user.queues.forEach((queue, position) => {
        if (!queues.has(queue)) problem(['users', index, 'queues', position], `unknown queue ${queue}`);
      });
      user.skills.forEach(({ skill }, position) => {
        if (!skills.has(skill)) problem(['users', index, 'skills', position], `unknown skill ${skill}`);
      });
      user.languages.forEach(({ language }, position) => {
        if (!languages.has(language)) {
          problem(['users', index, 'languages', position], `unknown language ${language}`);
        }
      });
    });
    snapshot.queues.forEach((queue, index) => {
      queue.wrapupCodes.forEach((code, position) => {
        if (!codes.has(code))
          problem(['queues', index, 'wrapupCodes', position], `unknown wrap-up code ${code}`);
      });
    });
  });

/** A snapshot as an adapter writes it. */
export type DirectorySnapshotInput = z.input<typeof directorySnapshotSchema>;
/** A validated snapshot. */
export type DirectorySnapshot = z.output<typeof directorySnapshotSchema>;
/** A user of a validated snapshot. */
export type SnapshotUser = DirectorySnapshot['users'][number];

/** Validates a snapshot, or throws one error that lists every problem by path. */
export function parseDirectorySnapshot(input: unknown): DirectorySnapshot {
  const result = directorySnapshotSchema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `${issue.path.join('.') || '(snapshot)'}: ${issue.message}`,
  );
  throw new DirectorySnapshotError(problems);
}

/** A snapshot that cannot be synced; `problems` names each field and why. */
export class DirectorySnapshotError extends Error {
  constructor(
    readonly problems: string[],
    options?: ErrorOptions,
  ) {
    const shown = problems.slice(0, 20).map((problem) => `  - ${problem}`);
    const more = problems.length > 20 ? [`  … and ${problems.length - 20} more`] : [];
    super(['invalid directory snapshot:', ...shown, ...more].join('\n'), options);
    this.name = 'DirectorySnapshotError';
  }
}
