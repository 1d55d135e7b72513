/**
 * The inspection API under `/__simulator/`: counters, the request log, each user's presence and routing
 * timeline, conversations with their events and recordings, the consistency report, and run-time
 * control (faults, token revocation, reset). No authentication and never faulted: it is how tests and
 * operators look inside.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { consistencyFindings, consistencyReport } from './consistency';
import type { SimulatorContext } from './context';
import { faultPlanSchema } from './faults';
import { parseBody, SimulatorHttpError } from './errors';
import { uploadView } from './recordings';
import { summarise } from './latency';
import type { AcceptedKind, SimulatorState } from './state';

/** Where the inspection API lives. */
export const inspectionPrefix = '/__simulator';

const requestsQuerySchema = z.object({
  /** Only requests whose path starts with this. */
  path: z.string().optional(),
  method: z.string().optional(),
  /** Only requests that arrived at or after this time (ms since the epoch). */
  since: z.coerce.number().optional(),
  limit: z.coerce.number().int().positive().max(200_000).default(10_000),
});

/** The largest number of instants that fall inside any window of `windowMs`. */
export function busiestWindow(instants: number[], windowMs: number): number {
  const sorted = [...instants].sort((a, b) => a - b);
  let busiest = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start++;
    busiest = Math.max(busiest, end - start + 1);
  }
  return busiest;
}

/** Everything the consistency report finds in the state, judged now. */
function findingsOf(state: SimulatorState, context: SimulatorContext) {
  return consistencyFindings(
    {
      conversations: [...state.conversations.values()].map((record) => record.conversation),
      presence: state.presenceStreams,
      routing: state.routingStreams,
      sameTimeEvents: state.sameTimeEvents,
    },
    { graceMs: context.consistencyGraceMs, now: Date.now() },
  );
}

function statsOf(state: SimulatorState, context: SimulatorContext) {
  const uploadsByStatus: Record<string, number> = {};
  for (const upload of state.uploads.values()) {
    uploadsByStatus[upload.status] = (uploadsByStatus[upload.status] ?? 0) + 1;
  }
  return {
    ...state.counters,
    faultsInjected: { ...context.faults.injected },
    /** API requests (all clients) in the busiest rate-limit window of the request log. */
    busiestWindowRequests: busiestWindow(
      state.requestLog.filter((entry) => entry.path.startsWith('/api/')).map((entry) => entry.at),
      context.limits.rateLimitWindowMs,
    ),
    uploadsByStatus,
    entities: {
      users: state.users.size,
      queues: state.queues.size,
      conversations: state.conversations.size,
      presenceSources: state.presenceSources.size,
    },
    limits: context.limits,
  };
}

/** Width of the windows of the latency timeline. */
const timelineWindowMs = 30_000;

/**
 * Since `since` (ms): how long after its own time each accepted event was accepted, by stream kind, and
 * how long after its call ended each recording became playable; and the same lags by the half minute the
 * events occurred in, so a benchmark sees whether its tail is a warm-up, a stall or the whole run.
 */
function latencySince(state: SimulatorState, since: number) {
  const lags: Record<AcceptedKind, number[]> = { presence: [], routingStatus: [], conversation: [] };
  const windows: { agent: number[]; conversation: number[] }[] = [];
  for (const acceptance of state.acceptances) {
    if (acceptance.at < since) continue;
    lags[acceptance.kind].push(acceptance.lagMs);
    const index = Math.max(0, Math.floor((acceptance.at - acceptance.lagMs - since) / timelineWindowMs));
    for (let fill = windows.length; fill <= index; fill++) windows.push({ agent: [], conversation: [] });
    windows[index]![acceptance.kind === 'conversation' ? 'conversation' : 'agent'].push(acceptance.lagMs);
  }
  const playable: number[] = [];
  for (const upload of state.uploads.values()) {
    const playableAt = Date.parse(upload.dateModified);
    const endedAt = state.conversations.get(upload.conversationId)?.conversation.endedAt;
    if (upload.status === 'Success' && playableAt >= since && endedAt !== undefined) {
      playable.push(playableAt - Date.parse(endedAt));
    }
  }
  return {
    since,
    events: {
      presence: summarise(lags.presence),
      routingStatus: summarise(lags.routingStatus),
      conversation: summarise(lags.conversation),
    },
    recordingPlayableAfterCallEnd: summarise(playable),
    timeline: windows.map((window, index) => ({
      fromSeconds: (index * timelineWindowMs) / 1_000,
      agent: summarise(window.agent),
      conversation: summarise(window.conversation),
    })),
  };
}

/** Registers the inspection routes; `reset` rebuilds the organisation from its seed. */
export function registerInspectionRoutes(
  app: FastifyInstance,
  context: SimulatorContext,
  reset: () => Promise<void>,
): void {
  void app.register(
    (inspection, _options, done) => {
      inspection.get('/', () => ({
        endpoints: [
          'GET stats',
          'GET requests (query: path, method, since, limit)',
          'GET organization',
          'GET users/:userId/timeline',
          'GET latency (query: since)',
          'GET consistency (query: since)',
          'GET conversations',
          'GET conversations/:conversationId',
          'GET recordings',
          'GET|PUT faults',
          'POST tokens/revoke',
          'POST reset',
        ].map((endpoint) => endpoint.replace(' ', ` ${inspectionPrefix}/`)),
      }));
      inspection.get('/stats', () => statsOf(context.state, context));
      inspection.get('/requests', (request) => {
        const query = parseBody(requestsQuerySchema, request.query);
        const method = query.method?.toUpperCase();
        const entries = context.state.requestLog.filter(
          (entry) =>
            (query.path === undefined || entry.path.startsWith(query.path)) &&
            (method === undefined || entry.method === method) &&
            (query.since === undefined || entry.at >= query.since),
        );
        return { total: entries.length, entries: entries.slice(-query.limit) };
      });
      inspection.get('/organization', () => {
        const { state } = context;
        return {
          organization: state.organization,
          homeDivision: state.homeDivision,
          oauthClients: state.clients.map(({ clientId, permissions }) => ({ clientId, permissions })),
          presenceSources: [...state.presenceSources.values()],
          presenceDefinitions: [...state.presenceDefinitions.values()],
          queues: [...state.queues.values()].map(({ id, name, memberIds, wrapupCodeIds }) => ({
            id,
            name,
            memberIds: [...memberIds],
            wrapupCodeIds: [...wrapupCodeIds],
          })),
          skills: [...state.skills.values()],
          languages: [...state.languages.values()],
          wrapupCodes: [...state.wrapupCodes.values()],
          users: [...state.users.values()],
        };
      });
      inspection.get<{ Params: { userId: string } }>('/users/:userId/timeline', (request) => {
        const { userId } = request.params;
        if (!context.state.users.has(userId)) throw new SimulatorHttpError(404, `User ${userId} not found`);
        return {
          userId,
          presence: context.state.presenceStreams.get(userId)?.timeline ?? [],
          routingStatus: context.state.routingStreams.get(userId)?.timeline ?? [],
        };
      });
      inspection.get('/latency', (request) => {
        const { since } = parseBody(z.object({ since: z.coerce.number().default(0) }), request.query);
        return latencySince(context.state, since);
      });
      inspection.get('/consistency', (request) => {
        const { since } = parseBody(z.object({ since: z.coerce.number().optional() }), request.query);
        return consistencyReport(findingsOf(context.state, context), {
          graceMs: context.consistencyGraceMs,
          since,
        });
      });
      inspection.get('/conversations', () =>
        [...context.state.conversations.values()].map(({ conversation, events }) => ({
          conversationId: conversation.conversationId,
          channel: conversation.channel,
          startedAt: conversation.startedAt,
          endedAt: conversation.endedAt,
          legs: Object.keys(conversation.legs).length,
          events: events.length,
        })),
      );
      inspection.get<{ Params: { conversationId: string } }>('/conversations/:conversationId', (request) => {
        const { conversationId } = request.params;
        const record = context.state.conversations.get(conversationId);
        if (!record) throw new SimulatorHttpError(404, `Conversation ${conversationId} not found`);
        const recordings = [...context.state.uploads.values()]
          .filter((upload) => upload.conversationId === conversationId)
          .map(uploadView);
        return { ...record.conversation, events: record.events, recordings };
      });
      inspection.get('/recordings', () => [...context.state.uploads.values()].map(uploadView));
      inspection.get('/faults', () => ({ plan: context.faults.plan, injected: context.faults.injected }));
      inspection.put('/faults', (request) => ({
        plan: context.faults.set(parseBody(faultPlanSchema, request.body ?? {})),
      }));
      inspection.post('/tokens/revoke', (request) => {
        const { clientId } = parseBody(
          z.object({ clientId: z.string().optional() }).default({}),
          request.body,
        );
        let revoked = 0;
        for (const token of context.state.tokens.values()) {
          if (!token.revoked && (clientId === undefined || token.clientId === clientId)) {
            token.revoked = true;
            revoked++;
          }
        }
        return { revoked };
      });
      inspection.post('/reset', async () => {
        await reset();
        return { reset: true };
      });
      done();
    },
    { prefix: inspectionPrefix },
  );
}
