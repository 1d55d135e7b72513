/**
 * Directory routes (contract §6): users with versioned PATCH and external ids, queues with members and
 * wrap-up codes, skills and user skills, languages, wrap-up codes, presence sources, primary sources
 * and definitions, and the home division. Listings page as Genesys does (`pageSize` 25 by default).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  createPresenceSourceRequestSchema,
  createQueueRequestSchema,
  createUserRequestSchema,
  createWrapupCodeRequestSchema,
  externalIdSchema,
  genesysLimits,
  updateUserRequestSchema,
  userRoutingSkillSchema,
} from '../activities/genesys/contract';
import type { SimulatorContext } from './context';
import { parseBody, SimulatorHttpError } from './errors';
import type { NamedEntity, SimulatedQueue, SimulatedUser, SimulatorState } from './state';

/** [assumption] The primary source id Genesys reports for a user whose presence it owns itself. */
export const nativePresenceSourceId = 'PURECLOUD';

const pagingSchema = z.object({
  pageSize: z.coerce.number().int().min(1).max(500).default(25),
  pageNumber: z.coerce.number().int().min(1).default(1),
});

function page<Item>(items: Item[], query: unknown, maxPageSize = 500) {
  const { pageSize, pageNumber } = parseBody(pagingSchema, query);
  if (pageSize > maxPageSize) {
    throw new SimulatorHttpError(400, `pageSize is at most ${maxPageSize}`, 'invalid.value', [
      { fieldName: 'pageSize', errorCode: 'invalid.value' },
    ]);
  }
  const start = (pageNumber - 1) * pageSize;
  return {
    entities: items.slice(start, start + pageSize),
    pageSize,
    pageNumber,
    total: items.length,
    pageCount: Math.ceil(items.length / pageSize),
  };
}

function found<Entity>(entity: Entity | undefined, what: string, id: string): Entity {
  if (entity === undefined) throw new SimulatorHttpError(404, `${what} ${id} not found`);
  return entity;
}

function requireUnique(entities: Iterable<NamedEntity>, name: string, what: string): void {
  for (const entity of entities) {
    if (entity.name.toLowerCase() === name.toLowerCase()) {
      throw new SimulatorHttpError(409, `A ${what} named ${name} already exists (${entity.id})`);
    }
  }
}

function requireKnown(ids: string[], known: ReadonlyMap<string, unknown>, what: string): void {
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new SimulatorHttpError(400, `Unknown ${what}: ${unknown.join(', ')}`, 'invalid.value', [
      { fieldName: 'id', errorCode: 'invalid.value', entityId: unknown[0] },
    ]);
  }
}

const idList = (max: number) => z.array(z.looseObject({ id: z.string().min(1) })).max(max);

function userView(state: SimulatorState, user: SimulatedUser) {
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    state: user.state,
    version: user.version,
    department: user.department,
    title: user.title,
    division: { id: user.divisionId, name: state.homeDivision.name },
    dateModified: user.dateModified,
    selfUri: `/api/v2/users/${user.id}`,
  };
}

function queueView(queue: SimulatedQueue) {
  const { memberIds, wrapupCodeIds: _codes, divisionId, ...rest } = queue;
  return { ...rest, division: { id: divisionId }, memberCount: memberIds.size };
}

function registerUsers(app: FastifyInstance, context: SimulatorContext): void {
  type UserParams = { Params: { userId: string } };
  const userOf = (userId: string) => found(context.state.users.get(userId), 'User', userId);
  app.get<{ Querystring: Record<string, string> }>(
    '/api/v2/users',
    { config: { permission: 'directory:user:view' } },
    (request) => {
      const wanted = request.query.state ?? 'active';
      const users = [...context.state.users.values()].filter(
        (user) => wanted === 'any' || user.state === wanted,
      );
      return page(
        users.map((user) => userView(context.state, user)),
        request.query,
      );
    },
  );
  app.post('/api/v2/users', { config: { permission: 'directory:user:add' } }, (request) => {
    const body = parseBody(createUserRequestSchema, request.body);
    const { state } = context;
    if (body.divisionId !== state.homeDivision.id) {
      throw new SimulatorHttpError(400, `Division ${body.divisionId} does not exist`, 'invalid.value', [
        { fieldName: 'divisionId', errorCode: 'invalid.value' },
      ]);
    }
    for (const user of state.users.values()) {
      if (user.email.toLowerCase() === body.email.toLowerCase()) {
        throw new SimulatorHttpError(409, `A user with email ${body.email} already exists (${user.id})`);
      }
    }
    const user: SimulatedUser = {
      id: randomUUID(),
      name: body.name,
      email: body.email,
      state: body.state ?? 'active',
      version: 1,
      divisionId: body.divisionId,
      department: body.department,
      title: body.title,
      externalIds: [],
      primarySourceId: undefined,
      skills: [],
      dateModified: new Date().toISOString(),
    };
    state.users.set(user.id, user);
    return userView(state, user);
  });
  app.get<UserParams>('/api/v2/users/:userId', { config: { permission: 'directory:user:view' } }, (request) =>
    userView(context.state, userOf(request.params.userId)),
  );
  app.patch<UserParams>(
    '/api/v2/users/:userId',
    { config: { permission: 'directory:user:edit' } },
    (request) => {
      const user = userOf(request.params.userId);
      const { version, ...changes } = parseBody(updateUserRequestSchema, request.body);
      if (version !== user.version) {
        throw new SimulatorHttpError(
          409,
          `The version supplied (${version}) is not the current version (${user.version}) of user ${user.id}`,
        );
      }
      Object.assign(
        user,
        Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)),
      );
      user.version++;
      user.dateModified = new Date().toISOString();
      return userView(context.state, user);
    },
  );
  app.get<UserParams>(
    '/api/v2/users/:userId/externalid',
    { config: { permission: 'directory:user:view' } },
    (request) => userOf(request.params.userId).externalIds,
  );
  app.post<UserParams>(
    '/api/v2/users/:userId/externalid',
    { config: { permission: 'directory:user:edit' } },
    (request) => {
      const user = userOf(request.params.userId);
      const body = parseBody(externalIdSchema, request.body);
      const holder = context.state.userByExternalId(body.authorityName, body.externalKey);
      if (holder && holder.id !== user.id) {
        throw new SimulatorHttpError(
          409,
          `External id ${body.authorityName}/${body.externalKey} already belongs to user ${holder.id}`,
        );
      }
      if (!holder) user.externalIds.push(body);
      return body;
    },
  );
  app.get<{ Params: { authorityName: string; externalKey: string } }>(
    '/api/v2/users/externalid/:authorityName/:externalKey',
    { config: { permission: 'directory:user:view' } },
    (request) => {
      const { authorityName, externalKey } = request.params;
      const user = context.state.userByExternalId(authorityName, externalKey);
      return userView(context.state, found(user, 'User with external id', `${authorityName}/${externalKey}`));
    },
  );
  const skillView = (skill: { id: string; proficiency: number }) => ({
    ...skill,
    name: context.state.skills.get(skill.id)?.name,
    state: 'active',
  });
  app.get<UserParams & { Querystring: Record<string, string> }>(
    '/api/v2/users/:userId/routingskills',
    { config: { permission: 'routing:skill:view' } },
    (request) => page(userOf(request.params.userId).skills.map(skillView), request.query),
  );
  app.put<UserParams>(
    '/api/v2/users/:userId/routingskills/bulk',
    { config: { permission: 'routing:skill:assign' } },
    (request) => {
      const user = userOf(request.params.userId);
      const skills = parseBody(z.array(userRoutingSkillSchema), request.body);
      requireKnown(
        skills.map((skill) => skill.id),
        context.state.skills,
        'skills',
      );
      user.skills = skills;
      return page(user.skills.map(skillView), { pageSize: 500 });
    },
  );
}

function registerQueues(app: FastifyInstance, context: SimulatorContext): void {
  type QueueParams = { Params: { queueId: string } };
  const queueOf = (queueId: string) => found(context.state.queues.get(queueId), 'Queue', queueId);
  const base = '/api/v2/routing/queues';
  app.get<{ Querystring: Record<string, string> }>(
    base,
    { config: { permission: 'routing:queue:view' } },
    (request) => page([...context.state.queues.values()].map(queueView), request.query),
  );
  app.post(base, { config: { permission: 'routing:queue:add' } }, (request) => {
    const body = parseBody(createQueueRequestSchema, request.body);
    requireUnique(context.state.queues.values(), body.name, 'queue');
    const queue: SimulatedQueue = {
      id: randomUUID(),
      name: body.name,
      description: body.description,
      divisionId: body.division?.id ?? context.state.homeDivision.id,
      memberIds: new Set(),
      wrapupCodeIds: new Set(),
    };
    context.state.queues.set(queue.id, queue);
    return queueView(queue);
  });
  app.get<QueueParams>(`${base}/:queueId`, { config: { permission: 'routing:queue:view' } }, (request) =>
    queueView(queueOf(request.params.queueId)),
  );
  app.put<QueueParams>(`${base}/:queueId`, { config: { permission: 'routing:queue:edit' } }, (request) => {
    const queue = queueOf(request.params.queueId);
    const body = parseBody(createQueueRequestSchema, request.body);
    Object.assign(queue, { name: body.name, description: body.description });
    return queueView(queue);
  });
  app.delete<QueueParams>(
    `${base}/:queueId`,
    { config: { permission: 'routing:queue:delete' } },
    (request, reply) => {
      queueOf(request.params.queueId);
      context.state.queues.delete(request.params.queueId);
      return reply.code(204).send();
    },
  );
  app.post<QueueParams & { Querystring: { delete?: string } }>(
    `${base}/:queueId/members`,
    { config: { permission: 'routing:queue:edit' } },
    (request, reply) => {
      const queue = queueOf(request.params.queueId);
      const ids = parseBody(idList(genesysLimits.queueMembersPerCall), request.body).map(
        (member) => member.id,
      );
      requireKnown(ids, context.state.users, 'users');
      for (const id of ids) {
        if (request.query.delete === 'true') queue.memberIds.delete(id);
        else queue.memberIds.add(id);
      }
      return reply.code(204).send();
    },
  );
  app.get<QueueParams & { Querystring: Record<string, string> }>(
    `${base}/:queueId/members`,
    { config: { permission: 'routing:queue:view' } },
    (request) => {
      const members = [...queueOf(request.params.queueId).memberIds].map((id) => {
        const user = { id, name: context.state.users.get(id)?.name };
        return { ...user, user, memberBy: 'user', joined: true };
      });
      return page(members, request.query, genesysLimits.queueMembersPerCall);
    },
  );
  const codesOf = (queue: SimulatedQueue) =>
    [...queue.wrapupCodeIds].map((id) => ({ id, name: context.state.wrapupCodes.get(id)?.name }));
  app.get<QueueParams & { Querystring: Record<string, string> }>(
    `${base}/:queueId/wrapupcodes`,
    { config: { permission: 'routing:queue:view' } },
    (request) => page(codesOf(queueOf(request.params.queueId)), request.query),
  );
  app.post<QueueParams>(
    `${base}/:queueId/wrapupcodes`,
    { config: { permission: 'routing:queue:edit' } },
    (request) => {
      const queue = queueOf(request.params.queueId);
      const ids = parseBody(idList(genesysLimits.wrapupCodesPerCall), request.body).map((code) => code.id);
      requireKnown(ids, context.state.wrapupCodes, 'wrap-up codes');
      for (const id of ids) queue.wrapupCodeIds.add(id);
      return codesOf(queue);
    },
  );
}

/** A listable, creatable named entity (skills, wrap-up codes). */
function registerNamedEntities(
  app: FastifyInstance,
  context: SimulatorContext,
  path: string,
  what: string,
  entities: (state: SimulatorState) => Map<string, NamedEntity>,
  permissions: { view: string; add: string },
): void {
  app.get<{ Querystring: Record<string, string> }>(
    path,
    { config: { permission: permissions.view } },
    (request) => page([...entities(context.state).values()], request.query),
  );
  app.post(path, { config: { permission: permissions.add } }, (request) => {
    const body = parseBody(createWrapupCodeRequestSchema, request.body);
    requireUnique(entities(context.state).values(), body.name, what);
    const entity = { id: randomUUID(), name: body.name };
    entities(context.state).set(entity.id, entity);
    return { ...entity, state: 'active' };
  });
}

function registerPresence(app: FastifyInstance, context: SimulatorContext): void {
  const sourceView = (source: NamedEntity) => ({ ...source, deactivated: false });
  app.get('/api/v2/presence/sources', { config: { permission: 'presence:source:view' } }, () => ({
    entities: [...context.state.presenceSources.values()].map(sourceView),
  }));
  app.post('/api/v2/presence/sources', { config: { permission: 'presence:source:add' } }, (request) => {
    const body = parseBody(createPresenceSourceRequestSchema, request.body);
    requireUnique(context.state.presenceSources.values(), body.name, 'presence source');
    const source = { id: randomUUID(), name: body.name };
    context.state.presenceSources.set(source.id, source);
    return sourceView(source);
  });
  type UserParams = { Params: { userId: string } };
  const primaryView = (user: SimulatedUser) => ({
    id: user.id,
    name: user.name,
    sourceId: user.primarySourceId ?? nativePresenceSourceId,
    registered: true,
  });
  const path = '/api/v2/presence/users/:userId/primarysource';
  const userOf = (userId: string) => found(context.state.users.get(userId), 'User', userId);
  app.get<UserParams>(path, { config: { permission: 'presence:source:view' } }, (request) =>
    primaryView(userOf(request.params.userId)),
  );
  app.put<UserParams>(path, { config: { permission: 'presence:source:edit' } }, (request) => {
    const user = userOf(request.params.userId);
    const { sourceId } = parseBody(z.looseObject({ sourceId: z.string().min(1) }), request.body);
    if (sourceId !== nativePresenceSourceId && !context.state.presenceSources.has(sourceId)) {
      throw new SimulatorHttpError(400, `Presence source ${sourceId} does not exist`, 'invalid.value', [
        { fieldName: 'sourceId', errorCode: 'invalid.value' },
      ]);
    }
    user.primarySourceId = sourceId === nativePresenceSourceId ? undefined : sourceId;
    return primaryView(user);
  });
  app.get<{ Querystring: Record<string, string> }>(
    '/api/v2/presence/definitions',
    { config: { permission: 'presence:presenceDefinition:view' } },
    (request) =>
      page(
        [...context.state.presenceDefinitions.values()].map((definition) => ({
          id: definition.id,
          systemPresence: definition.systemPresence,
          languageLabels: { en_US: definition.label },
          deactivated: false,
        })),
        request.query,
      ),
  );
}

/** Registers every directory route. */
export function registerDirectoryRoutes(app: FastifyInstance, context: SimulatorContext): void {
  registerUsers(app, context);
  registerQueues(app, context);
  registerNamedEntities(app, context, '/api/v2/routing/skills', 'skill', (state) => state.skills, {
    view: 'routing:skill:view',
    add: 'routing:skill:manage',
  });
  registerNamedEntities(
    app,
    context,
    '/api/v2/routing/wrapupcodes',
    'wrap-up code',
    (state) => state.wrapupCodes,
    {
      view: 'routing:wrapupCode:view',
      add: 'routing:wrapupCode:add',
    },
  );
  app.get<{ Querystring: Record<string, string> }>(
    '/api/v2/routing/languages',
    { config: { permission: 'routing:language:view' } },
    (request) => page([...context.state.languages.values()], request.query),
  );
  registerPresence(app, context);
  app.get(
    '/api/v2/authorization/divisions/home',
    { config: { permission: 'authorization:division:view' } },
    () => ({
      ...context.state.homeDivision,
      homeDivision: true,
    }),
  );
}
