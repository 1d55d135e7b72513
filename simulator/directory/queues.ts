/** Queues: listing, create, read, rename, delete, members (≤ 100 per call) and wrap-up codes. */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createQueueRequestSchema, genesysLimits } from '../../domain/genesys';
import type { SimulatorContext } from '../context';
import { parseBody } from '../errors';
import type { SimulatedQueue } from '../state';
import { found, idList, page, requireKnown, requireUnique } from './listing';

function queueView(queue: SimulatedQueue) {
  const { memberIds, wrapupCodeIds: _codes, divisionId, ...rest } = queue;
  return { ...rest, division: { id: divisionId }, memberCount: memberIds.size };
}

/** Registers the queue routes. */
export function registerQueues(app: FastifyInstance, context: SimulatorContext): void {
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
    requireUnique(context.state.queues.values(), body.name, 'queue', queue.id);
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
