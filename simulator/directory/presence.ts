/** Presence: external sources, each user's primary source, and the presence definitions. */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createPresenceSourceRequestSchema, nativePresenceSourceId } from '../../domain/genesys';
import type { SimulatorContext } from '../context';
import { parseBody, SimulatorHttpError } from '../errors';
import type { NamedEntity, SimulatedUser } from '../state';
import { found, page, requireUnique } from './listing';

/** Registers the presence routes. */
export function registerPresence(app: FastifyInstance, context: SimulatorContext): void {
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
