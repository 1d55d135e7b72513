/**
 * Directory calls (contract §6): users and their external ids, queues and members, skills, wrap-up
 * codes, presence sources and definitions, the home division. They run at directory priority, behind
 * event traffic in the request budget, unless called through a view at another priority (`atPriority`).
 */
import { z } from 'zod';
import type { GenesysRequester, HttpMethod } from './client';
import {
  createPresenceSourceRequestSchema,
  createQueueRequestSchema,
  createSkillRequestSchema,
  createUserRequestSchema,
  createWrapupCodeRequestSchema,
  divisionSchema,
  entityReferencesSchema,
  externalIdSchema,
  listingPageSchema,
  presenceDefinitionSchema,
  presenceSourceSchema,
  primarySourceSchema,
  queueMemberSchema,
  queueSchema,
  setPrimarySourceRequestSchema,
  skillSchema,
  updateUserRequestSchema,
  userRoutingSkillSchema,
  userSchema,
  wrapupCodeSchema,
} from '../../domain/genesys';
import { requestPriorities } from './request-budget';

const maxPageSize = 100;

async function call<Schema extends z.ZodType>(
  client: GenesysRequester,
  method: HttpMethod,
  path: string,
  responseSchema: Schema,
  body?: unknown,
  query?: Record<string, string | number | boolean | undefined>,
): Promise<z.infer<Schema>> {
  const response = await client.request({
    method,
    path,
    body,
    query,
    responseSchema,
    priority: requestPriorities.directory,
  });
  return response.data;
}

/** Every entity of a paged listing, fetched page by page. */
export async function listAll<Item extends z.ZodType>(
  client: GenesysRequester,
  path: string,
  itemSchema: Item,
  query: Record<string, string | number | boolean | undefined> = {},
): Promise<z.infer<Item>[]> {
  const pageSchema = listingPageSchema(itemSchema);
  const entities: z.infer<Item>[] = [];
  for (let pageNumber = 1; ; pageNumber++) {
    const page = await call(client, 'GET', path, pageSchema, undefined, {
      ...query,
      pageSize: maxPageSize,
      pageNumber,
    });
    entities.push(...(page.entities ?? []));
    const pageCount = page.pageCount ?? 1;
    if (pageNumber >= pageCount || (page.entities ?? []).length === 0) return entities;
  }
}

const encode = encodeURIComponent;

/** Users, external ids and routing skills. */
export const users = {
  /** Every user in the given state (`active` by default in Genesys). */
  list: (client: GenesysRequester, state?: 'active' | 'inactive' | 'any') =>
    listAll(client, '/api/v2/users', userSchema, { state }),
  create: (client: GenesysRequester, body: z.input<typeof createUserRequestSchema>) =>
    call(client, 'POST', '/api/v2/users', userSchema, createUserRequestSchema.parse(body)),
  /** PATCH with the current `version`; a stale version answers 409 `conflict`. */
  update: (client: GenesysRequester, userId: string, body: z.input<typeof updateUserRequestSchema>) =>
    call(client, 'PATCH', `/api/v2/users/${encode(userId)}`, userSchema, updateUserRequestSchema.parse(body)),
  get: (client: GenesysRequester, userId: string) =>
    call(client, 'GET', `/api/v2/users/${encode(userId)}`, userSchema),
  addExternalId: (client: GenesysRequester, userId: string, body: z.input<typeof externalIdSchema>) =>
    call(
      client,
      'POST',
      `/api/v2/users/${encode(userId)}/externalid`,
      z.unknown(),
      externalIdSchema.parse(body),
    ),
  /** The user's external ids, under every authority. */
  externalIds: (client: GenesysRequester, userId: string) =>
    call(client, 'GET', `/api/v2/users/${encode(userId)}/externalid`, z.array(externalIdSchema.loose())),
  /** Reverse lookup; 404 `not.found` when no user carries the key. */
  byExternalId: (client: GenesysRequester, authorityName: string, externalKey: string) =>
    call(
      client,
      'GET',
      `/api/v2/users/externalid/${encode(authorityName)}/${encode(externalKey)}`,
      userSchema,
    ),
  routingSkills: (client: GenesysRequester, userId: string) =>
    listAll(
      client,
      `/api/v2/users/${encode(userId)}/routingskills`,
      z.looseObject({ id: z.string(), proficiency: z.number() }),
    ),
  setRoutingSkills: (
    client: GenesysRequester,
    userId: string,
    skills: z.input<typeof userRoutingSkillSchema>[],
  ) =>
    call(
      client,
      'PUT',
      `/api/v2/users/${encode(userId)}/routingskills/bulk`,
      z.unknown(),
      z.array(userRoutingSkillSchema).parse(skills),
    ),
};

/** Queues, their members and their wrap-up codes. */
export const queues = {
  list: (client: GenesysRequester) => listAll(client, '/api/v2/routing/queues', queueSchema),
  create: (client: GenesysRequester, body: z.input<typeof createQueueRequestSchema>) =>
    call(client, 'POST', '/api/v2/routing/queues', queueSchema, createQueueRequestSchema.parse(body)),
  members: (client: GenesysRequester, queueId: string) =>
    listAll(client, `/api/v2/routing/queues/${encode(queueId)}/members`, queueMemberSchema),
  /** Adds (or with `remove`, removes) up to 100 members per call. */
  changeMembers: (client: GenesysRequester, queueId: string, userIds: string[], remove = false) =>
    call(
      client,
      'POST',
      `/api/v2/routing/queues/${encode(queueId)}/members`,
      z.unknown(),
      entityReferencesSchema.parse(userIds.map((id) => ({ id }))),
      remove ? { delete: true } : undefined,
    ),
  wrapupCodes: (client: GenesysRequester, queueId: string) =>
    listAll(client, `/api/v2/routing/queues/${encode(queueId)}/wrapupcodes`, wrapupCodeSchema),
  addWrapupCodes: (client: GenesysRequester, queueId: string, codeIds: string[]) =>
    call(
      client,
      'POST',
      `/api/v2/routing/queues/${encode(queueId)}/wrapupcodes`,
      z.unknown(),
      entityReferencesSchema.parse(codeIds.map((id) => ({ id }))),
    ),
};

/** Skills and wrap-up codes. */
export const routing = {
  skills: (client: GenesysRequester) => listAll(client, '/api/v2/routing/skills', skillSchema),
  createSkill: (client: GenesysRequester, name: string) =>
    call(client, 'POST', '/api/v2/routing/skills', skillSchema, createSkillRequestSchema.parse({ name })),
  wrapupCodes: (client: GenesysRequester) => listAll(client, '/api/v2/routing/wrapupcodes', wrapupCodeSchema),
  createWrapupCode: (client: GenesysRequester, name: string) =>
    call(
      client,
      'POST',
      '/api/v2/routing/wrapupcodes',
      wrapupCodeSchema,
      createWrapupCodeRequestSchema.parse({ name }),
    ),
};

/** Presence sources, primary sources and definitions. */
export const presence = {
  sources: (client: GenesysRequester) => listAll(client, '/api/v2/presence/sources', presenceSourceSchema),
  createSource: (client: GenesysRequester, name: string) =>
    call(
      client,
      'POST',
      '/api/v2/presence/sources',
      presenceSourceSchema,
      createPresenceSourceRequestSchema.parse({ name }),
    ),
  primarySource: (client: GenesysRequester, userId: string) =>
    call(client, 'GET', `/api/v2/presence/users/${encode(userId)}/primarysource`, primarySourceSchema),
  setPrimarySource: (client: GenesysRequester, userId: string, sourceId: string) =>
    call(
      client,
      'PUT',
      `/api/v2/presence/users/${encode(userId)}/primarysource`,
      primarySourceSchema,
      setPrimarySourceRequestSchema.parse({ sourceId }),
    ),
  definitions: (client: GenesysRequester) =>
    listAll(client, '/api/v2/presence/definitions', presenceDefinitionSchema),
};

/** The organisation's home division, where new users are created. */
export const homeDivision = (client: GenesysRequester) =>
  call(client, 'GET', '/api/v2/authorization/divisions/home', divisionSchema);
