/** Users: listing, create, versioned PATCH, external ids and reverse lookup, routing skills. */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  createUserRequestSchema,
  externalIdSchema,
  updateUserRequestSchema,
  userRoutingSkillSchema,
} from '../../domain/genesys';
import type { SimulatorContext } from '../context';
import { parseBody, SimulatorHttpError } from '../errors';
import type { SimulatedUser, SimulatorState } from '../state';
import { found, page, requireKnown } from './listing';

/** 409 when another user (not `selfId`) has the email. */
function requireUniqueEmail(state: SimulatorState, email: string, selfId?: string): void {
  for (const user of state.users.values()) {
    if (user.id !== selfId && user.email.toLowerCase() === email.toLowerCase()) {
      throw new SimulatorHttpError(409, `A user with email ${email} already exists (${user.id})`);
    }
  }
}

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

/** Registers the user routes. */
export function registerUsers(app: FastifyInstance, context: SimulatorContext): void {
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
    requireUniqueEmail(state, body.email);
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
      if (changes.email !== undefined) requireUniqueEmail(context.state, changes.email, user.id);
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
