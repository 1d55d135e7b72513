/**
 * What the simulated organisation holds when it starts: OAuth clients and their permissions, the home
 * division, presence definitions, and any users, queues, skills, wrap-up codes and presence sources a
 * test or demo wants to begin with. Ids come from the seed, so two runs with one seed agree.
 */
import { z } from 'zod';
import { systemPresences } from '../domain/genesys';
import { randomUuid, seededRandom } from './random';

/** Every permission the bridge's OAuth client needs (contract §1). */
export const bridgePermissions = [
  'conversation:conversation:inject',
  'presence:userPresence:inject',
  'routing:routingstatus:inject',
  'recording:recording:upload',
  'recording:uploadReport:add',
  'recording:uploadReport:view',
  'recording:recording:view',
  'analytics:conversationDetail:view',
  'directory:user:add',
  'directory:user:edit',
  'directory:user:view',
  'routing:queue:*',
  'routing:skill:*',
  'routing:wrapupCode:*',
  'routing:language:view',
  'presence:source:*',
  'presence:presenceDefinition:view',
  'authorization:division:view',
] as const;

const namedEntity = z.object({ id: z.string().min(1), name: z.string().min(1) });

/** The organisation a simulator starts with. */
export const organizationSeedSchema = z.object({
  organization: namedEntity,
  homeDivision: namedEntity,
  oauthClients: z
    .array(
      z.object({
        clientId: z.string().min(1),
        clientSecret: z.string().min(1),
        /** `domain:entity:action`, each part may be `*`. */
        permissions: z.array(z.string().min(1)),
        tokenLifetimeSeconds: z.number().int().positive().default(86_400),
      }),
    )
    .min(1),
  presenceDefinitions: z.array(
    z.object({ id: z.string().min(1), systemPresence: z.enum(systemPresences), label: z.string() }),
  ),
  presenceSources: z.array(namedEntity).default([]),
  users: z
    .array(
      z.object({
        id: z.string().min(1),
        name: z.string().min(1),
        email: z.string().min(1),
        state: z.enum(['active', 'inactive']).default('active'),
        externalIds: z
          .array(z.object({ authorityName: z.string().min(1), externalKey: z.string().min(1) }))
          .default([]),
        /** A presence source id; absent means Genesys itself is the user's primary source. */
        primarySourceId: z.string().optional(),
      }),
    )
    .default([]),
  queues: z.array(namedEntity.extend({ memberIds: z.array(z.string()).default([]) })).default([]),
  skills: z.array(namedEntity).default([]),
  languages: z.array(namedEntity).default([]),
  wrapupCodes: z.array(namedEntity).default([]),
});
/** A seed as written (defaults not yet applied). */
export type OrganizationSeedInput = z.input<typeof organizationSeedSchema>;
/** A complete seed. */
export type OrganizationSeed = z.output<typeof organizationSeedSchema>;

/** The default OAuth client of every simulator; its secret is a fixture, not a secret. */
export const defaultSimulatorClient = {
  clientId: 'byoi-bridge-simulator',
  clientSecret: 'simulator-only-not-a-secret',
} as const;

/** What {@link defaultSeed} varies. */
export interface DefaultSeedOptions {
  /** Seeds the ids. */
  seed?: number;
  /**
   * Agents already synced from an external source: users with an external id under
   * `sourceName` and that source as their primary presence source.
   */
  agents?: number;
  /** The external source's name (its presence source and the agents' external-id authority). */
  sourceName?: string;
}

/**
 * A small organisation: the bridge's OAuth client with every permission, a read-only client, the ten
 * system presence definitions, a few native users, queues, skills, languages and wrap-up codes, and
 * optionally `agents` external agents.
 */
export function defaultSeed(options: DefaultSeedOptions = {}): OrganizationSeed {
  const random = seededRandom(options.seed ?? 1);
  const id = () => randomUuid(random);
  const sourceName = options.sourceName ?? 'acd';
  const agents = options.agents ?? 0;
  const source = { id: id(), name: sourceName };
  const supervisors = ['Ada Supervisor', 'Grace Supervisor', 'Alan Analyst'].map((name) => ({
    id: id(),
    name,
    email: `${name.toLowerCase().replace(' ', '.')}@example.com`,
  }));
  const agentUsers = Array.from({ length: agents }, (_, index) => ({
    id: id(),
    name: `Agent ${index + 1}`,
    email: `agent-${index + 1}@example.com`,
    externalIds: [{ authorityName: sourceName, externalKey: `agent-${index + 1}` }],
    primarySourceId: source.id,
  }));
  return organizationSeedSchema.parse({
    organization: { id: id(), name: 'Simulated Contact Centre' },
    homeDivision: { id: id(), name: 'Home' },
    oauthClients: [
      { ...defaultSimulatorClient, permissions: [...bridgePermissions] },
      {
        clientId: 'read-only-simulator',
        clientSecret: 'simulator-only-read-only',
        permissions: ['directory:user:view', 'routing:queue:view', 'presence:presenceDefinition:view'],
      },
    ],
    presenceDefinitions: systemPresences.map((systemPresence) => ({
      id: id(),
      systemPresence,
      label: systemPresence.replace(/([a-z])([A-Z])/g, '$1 $2'),
    })),
    presenceSources: agents > 0 ? [source] : [],
    users: [...supervisors, ...agentUsers],
    queues: ['Sales', 'Support'].map((name) => ({
      id: id(),
      name,
      memberIds: agentUsers.map((user) => user.id),
    })),
    skills: ['English', 'Billing', 'Technical'].map((name) => ({ id: id(), name })),
    languages: ['English', 'French'].map((name) => ({ id: id(), name })),
    wrapupCodes: ['Resolved', 'Callback', 'Escalated'].map((name) => ({ id: id(), name })),
  });
}
