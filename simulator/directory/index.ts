/**
 * Directory routes (contract §6): users with versioned PATCH and external ids, queues with members and
 * wrap-up codes, skills and user skills, languages, wrap-up codes, presence sources, primary sources
 * and definitions, and the home division. Listings page as Genesys does (`pageSize` 25 by default).
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SimulatorContext } from '../context';
import { parseBody } from '../errors';
import type { NamedEntity, SimulatorState } from '../state';
import { page, requireUnique } from './listing';
import { registerPresence } from './presence';
import { registerQueues } from './queues';
import { registerUsers } from './users';

/** The body that creates a skill (`RoutingSkill`) or wrap-up code (`WrapupCodeRequest`). */
const namedEntityRequestSchema = z.looseObject({
  name: z.string().min(1),
  description: z.string().optional(),
});

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
    const body = parseBody(namedEntityRequestSchema, request.body);
    requireUnique(entities(context.state).values(), body.name, what);
    const entity = { id: randomUUID(), name: body.name };
    entities(context.state).set(entity.id, entity);
    return { ...entity, state: 'active' };
  });
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
