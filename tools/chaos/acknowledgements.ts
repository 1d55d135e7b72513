/**
 * The driver's log of what the ingress acknowledged: a pass-through in front of the ingress that reads
 * every answer to `POST /v1/events` and notes each event id answered `accepted` or `duplicate` (held by
 * the bridge). The oracle starts from this log, not from anything the bridge counts. While the ingress is
 * down it answers 502, and the driver resends what was not acknowledged, as it does for any 5xx.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

/** One acknowledged event: what the oracle must find in Genesys or in a ledger. */
export interface AcknowledgedEvent {
  eventId: string;
  kind: 'agent' | 'conversation';
  /** The agent or the interaction. */
  entityId: string;
  occurredAt: string;
  /** `presence` or `routingStatus` of an agent; the step's type of an interaction. */
  change: string;
  /** When the first acknowledgement came back (ms since the epoch). */
  acknowledgedAt: number;
}

const outcomesSchema = z.object({ outcomes: z.array(z.object({ outcome: z.string() })) });

const sentEventSchema = z.object({
  eventId: z.string(),
  kind: z.enum(['agent', 'conversation']),
  agentId: z.string().optional(),
  interactionId: z.string().optional(),
  occurredAt: z.string(),
  change: z.object({ kind: z.string().optional(), type: z.string().optional() }).loose(),
});

/** The pass-through and its log. */
export interface AcknowledgementLog {
  url: string;
  /** Acknowledged events by id, in the order they were first acknowledged. */
  acknowledged: Map<string, AcknowledgedEvent>;
  /** Requests answered 502 because the ingress did not answer. */
  unanswered: number;
  close(): Promise<void>;
}

/** Starts the pass-through to `ingressUrl` on a free loopback port. */
export async function startAcknowledgementLog(ingressUrl: string): Promise<AcknowledgementLog> {
  const target = new URL(ingressUrl);
  const log: AcknowledgementLog = {
    url: '',
    acknowledged: new Map(),
    unanswered: 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const forwarded = http.request(
        {
          host: target.hostname,
          port: target.port,
          method: request.method,
          path: request.url,
          headers: request.headers,
          timeout: 60_000,
        },
        (answer) => {
          const answerChunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => answerChunks.push(chunk));
          answer.on('end', () => {
            const answerBody = Buffer.concat(answerChunks);
            if (request.method === 'POST' && request.url === '/v1/events') note(log, body, answerBody);
            response.writeHead(answer.statusCode ?? 502, answer.headers);
            response.end(answerBody);
          });
          answer.on('error', () => unanswered(log, response));
        },
      );
      forwarded.on('timeout', () => forwarded.destroy(new Error('the ingress took over 60 s')));
      forwarded.on('error', () => unanswered(log, response));
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  log.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return log;
}

function unanswered(log: AcknowledgementLog, response: http.ServerResponse): void {
  log.unanswered++;
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(502, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ error: 'the ingress did not answer', code: 'unavailable' }));
}

/** Notes every event of `body` its answer acknowledged (the answer lists outcomes in the batch's order). */
function note(log: AcknowledgementLog, body: Buffer, answerBody: Buffer): void {
  let sent: unknown;
  let answer: unknown;
  try {
    sent = JSON.parse(body.toString('utf8'));
    answer = JSON.parse(answerBody.toString('utf8'));
  } catch {
    return;
  }
  const events = Array.isArray(sent) ? sent : [sent];
  const outcomes = outcomesSchema.safeParse(answer);
  if (!outcomes.success || outcomes.data.outcomes.length !== events.length) return;
  const now = Date.now();
  outcomes.data.outcomes.forEach(({ outcome }, index) => {
    if (outcome !== 'accepted' && outcome !== 'duplicate') return;
    const event = sentEventSchema.safeParse(events[index]);
    if (!event.success || log.acknowledged.has(event.data.eventId)) return;
    const { eventId, kind, occurredAt, change } = event.data;
    log.acknowledged.set(eventId, {
      eventId,
      kind,
      entityId: (kind === 'agent' ? event.data.agentId : event.data.interactionId) ?? '',
      occurredAt,
      change: (kind === 'agent' ? change.kind : change.type) ?? 'unknown',
      acknowledgedAt: now,
    });
  });
}
