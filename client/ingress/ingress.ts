/**
 * The HTTP ingress: where an ACD's adapter posts normalised events. `POST /v1/events` takes one event
 * (a JSON object) or a batch (an array, or `{ "events": [...] }`), authenticates the sender as one of the
 * configured sources (a bearer token, or an HMAC-SHA256 signature over the timestamp and the raw body),
 * and answers 202 with every event's outcome once Temporal holds the accepted ones. Bad events are
 * refused one by one, naming the field, while the good ones of the same batch are accepted. When
 * Temporal does not take the events the answer is 503 with Retry-After, and nothing it lists as
 * accepted is lost; the rest can be sent again as they are (the same eventId is a duplicate, never a
 * second injection). `GET /healthz` says the process is up, `GET /readyz` that Temporal answers.
 */
import { createHmac, createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { SnapshotLocation } from '../../domain/directory/location';
import {
  DirectorySnapshotError,
  parseDirectorySnapshot,
  type DirectorySnapshot,
} from '../../domain/directory/snapshot';
import type { VendorAdapter } from './adapters/adapter';
import { twilioSignature } from './adapters/twilio-taskrouter';
import type { BridgeClient, EventOutcome } from '../library/bridge-client';

/** How one source proves who it is: any of its bearer tokens, or an HMAC signature with one of its secrets. */
export interface SourceCredentials {
  tokens?: string[];
  hmacSecrets?: string[];
  /** Twilio auth tokens whose `X-Twilio-Signature` the TaskRouter route accepts for this source. */
  twilioAuthTokens?: string[];
}

/** Settings of the ingress. */
export interface IngressOptions {
  bridge: BridgeClient;
  /** For the readiness check. */
  temporal: Client;
  /** By source name. */
  sources: Record<string, SourceCredentials>;
  host?: string;
  port?: number;
  /** Largest body accepted (default 1 MiB). */
  maxBodyBytes?: number;
  /** Most events in one request (default 500). */
  maxBatchEvents?: number;
  /** Largest directory snapshot accepted (default 64 MiB). */
  maxSnapshotBytes?: number;
  /** How old a signed request's timestamp may be (default 5 minutes). */
  signatureMaxAgeMs?: number;
  /** Seconds a 503 asks the sender to wait. */
  retryAfterSeconds?: number;
  /** Vendor adapters, each served at `POST /v1/adapters/<source>/<adapter route>`. */
  adapters?: VendorAdapter[];
  /** The ingress's URL as vendors call it (behind a proxy), for webhook signatures; default: as requested. */
  publicUrl?: string;
  /** Told of every unexpected failure (answered 500), for the process's log. */
  onError?: (error: Error) => void;
  /** Where pushed directory snapshots go, and how their sync starts; without it the route answers 404. */
  directory?: DirectoryIntake;
}

/** What the ingress does with a directory snapshot a source pushes. */
export interface DirectoryIntake {
  /** Keeps the snapshot where the workers read it from. */
  store(snapshot: DirectorySnapshot): Promise<SnapshotLocation>;
  /** Starts (or triggers) the sync of the stored snapshot; answers what it did. */
  sync(source: string, location: SnapshotLocation): Promise<string>;
}

/** A running ingress. */
export interface Ingress {
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** Headers of a signed request. */
export const signatureHeaders = {
  source: 'x-byoi-source',
  timestamp: 'x-byoi-timestamp',
  signature: 'x-byoi-signature',
} as const;

/** The signature a sender puts in `X-Byoi-Signature` for `body` sent at `timestamp` (Unix seconds). */
export function signBody(secret: string, timestamp: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Starts the ingress. */
export async function startIngress(options: IngressOptions): Promise<Ingress> {
  const maxBatchEvents = options.maxBatchEvents ?? 500;
  const signatureMaxAgeMs = options.signatureMaxAgeMs ?? 5 * 60_000;
  const retryAfter = String(options.retryAfterSeconds ?? 5);
  const app = Fastify({ logger: false, bodyLimit: options.maxBodyBytes ?? 1_048_576 });

  // The raw body is kept for the signature; JSON is parsed here, so a syntax error gets a clear answer.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    done(null, body);
  });
  // Form bodies (Twilio's webhooks) are kept as text for their signature; only adapter routes take them.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      done(null, body);
    },
  );
  app.addContentTypeParser('*', (_request, _payload, done) => {
    done(new HttpError(415, 'body: send JSON with Content-Type: application/json'));
  });
  const maxSnapshotBytes = options.maxSnapshotBytes ?? 64 * 1_048_576;
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof HttpError) {
      return reply.status(error.status).headers(error.headers).send({ error: error.message });
    }
    if (error.statusCode === 413) {
      const limit = request.url.startsWith('/v1/directory/')
        ? maxSnapshotBytes
        : (options.maxBodyBytes ?? 1_048_576);
      return reply.status(413).send({ error: `body: larger than ${limit} bytes` });
    }
    if (error.statusCode !== undefined && error.statusCode < 500) {
      return reply.status(error.statusCode).send({ error: error.message });
    }
    options.onError?.(error);
    return reply
      .status(500)
      .send({ error: 'the ingress failed; nothing of this request is known to be held' });
  });

  const authenticate = (request: FastifyRequest, body: Buffer): string => {
    // The scheme is case-insensitive (RFC 9110); an empty token is still a bearer attempt.
    const bearer = /^Bearer(?:\s+(.*))?$/i.exec(request.headers.authorization ?? '');
    if (bearer) {
      const token = (bearer[1] ?? '').trim();
      if (token === '') throw unauthorised('the bearer token is empty');
      const source = Object.entries(options.sources).find(([, credentials]) =>
        (credentials.tokens ?? []).some((known) => sameSecret(known, token)),
      )?.[0];
      if (source === undefined) throw unauthorised('the bearer token is not one this ingress knows');
      return source;
    }
    const claimed = header(request, signatureHeaders.source);
    const timestamp = header(request, signatureHeaders.timestamp);
    const signature = header(request, signatureHeaders.signature);
    if (claimed === undefined || timestamp === undefined || signature === undefined) {
      throw unauthorised(
        `authenticate with Authorization: Bearer <token>, or sign the body (${Object.values(signatureHeaders).join(', ')})`,
      );
    }
    const credentials = options.sources[claimed];
    if (!credentials?.hmacSecrets?.length) throw unauthorised(`source ${claimed} has no signing secret here`);
    const sentAtMs = Number(timestamp) * 1_000;
    if (!Number.isFinite(sentAtMs) || Math.abs(Date.now() - sentAtMs) > signatureMaxAgeMs) {
      throw unauthorised(
        `${signatureHeaders.timestamp} must be the Unix time in seconds, within ${signatureMaxAgeMs / 60_000} minutes of now`,
      );
    }
    if (!credentials.hmacSecrets.some((secret) => sameSecret(signBody(secret, timestamp, body), signature))) {
      throw unauthorised('the signature does not match the body');
    }
    return claimed;
  };

  const jsonBody = (request: FastifyRequest): Buffer => {
    if (!Buffer.isBuffer(request.body))
      throw new HttpError(415, 'body: send JSON with Content-Type: application/json');
    return request.body;
  };
  const answer = (reply: FastifyReply, outcomes: EventOutcome[], extra: Record<string, unknown> = {}) => {
    const counts = { accepted: 0, duplicate: 0, refused: 0, conversationFinished: 0, unavailable: 0 };
    for (const outcome of outcomes) counts[outcome.outcome]++;
    const body = { ...counts, ...extra, outcomes: outcomes.map(publicOutcome) };
    if (counts.unavailable > 0) return reply.status(503).header('retry-after', retryAfter).send(body);
    return reply.status(202).send(body);
  };

  app.post('/v1/events', async (request: FastifyRequest, reply: FastifyReply) => {
    const body = jsonBody(request);
    const source = authenticate(request, body);
    const events = batchOf(body, maxBatchEvents);
    return answer(reply, await options.bridge.submit(events, { source }));
  });

  for (const adapter of options.adapters ?? []) {
    app.post<{ Params: { source: string } }>(
      `/v1/adapters/:source/${adapter.route}`,
      async (request, reply) => {
        const { source } = request.params;
        let records: unknown[];
        if (typeof request.body === 'string') {
          authenticateWebhook(request, source, request.body);
          records = [Object.fromEntries(new URLSearchParams(request.body))];
        } else {
          const body = jsonBody(request);
          if (authenticate(request, body) !== source)
            throw unauthorised(`the credentials are not ${source}'s`);
          const parsed = batchOf(body, maxBatchEvents);
          // Kinesis consumers often forward `{"Records": [...]}` as they got it.
          records =
            parsed.length === 1 && Array.isArray((parsed[0] as { Records?: unknown }).Records)
              ? (parsed[0] as { Records: unknown[] }).Records
              : parsed;
        }
        const translations = adapter.translate(records, source);
        const events = translations.flatMap((translation) =>
          'events' in translation ? translation.events : [],
        );
        const outcomes = await options.bridge.submit(events, { source });
        return answer(reply, outcomes, {
          records: translations.map((translation) =>
            'events' in translation
              ? { record: translation.record, events: translation.events.length }
              : translation,
          ),
        });
      },
    );
  }

  /** A webhook signed the vendor's way (Twilio: `X-Twilio-Signature`) with one of the source's tokens. */
  const authenticateWebhook = (request: FastifyRequest, source: string, body: string) => {
    const signature = header(request, 'x-twilio-signature');
    const tokens = options.sources[source]?.twilioAuthTokens ?? [];
    if (signature === undefined || tokens.length === 0) {
      throw unauthorised(
        `form callbacks for ${source} must carry X-Twilio-Signature from a configured Twilio auth token`,
      );
    }
    const base = options.publicUrl ?? `${request.protocol}://${request.headers.host ?? ''}`;
    const url = `${base.replace(/\/$/, '')}${request.url}`;
    const params = Object.fromEntries(new URLSearchParams(body));
    if (!tokens.some((token) => sameSecret(twilioSignature(token, url, params), signature))) {
      throw unauthorised('X-Twilio-Signature does not match the callback');
    }
  };

  if (options.directory) {
    const intake = options.directory;
    // A whole contact centre's directory is larger than any event batch.
    app.put('/v1/directory/snapshot', { bodyLimit: maxSnapshotBytes }, async (request, reply) => {
      const body = jsonBody(request);
      const source = authenticate(request, body);
      const [input] = batchOf(body, 1);
      const named = (input as { source?: unknown }).source;
      if (named !== undefined && named !== source) {
        throw new HttpError(
          403,
          `source: the snapshot is ${JSON.stringify(named)}'s, but the sender is ${source}`,
        );
      }
      let snapshot: DirectorySnapshot;
      try {
        snapshot = parseDirectorySnapshot({ ...(input as object), source });
      } catch (error) {
        if (!(error instanceof DirectorySnapshotError)) throw error;
        return reply.status(400).send({ error: 'the snapshot is refused whole', problems: error.problems });
      }
      const location = await intake.store(snapshot);
      const sync = await intake.sync(source, location);
      return reply.status(202).send({
        source,
        users: snapshot.users.length,
        queues: snapshot.queues.length,
        skills: snapshot.skills.length,
        wrapupCodes: snapshot.wrapupCodes.length,
        sync,
      });
    });
  }

  app.get('/healthz', () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await options.temporal.connection.withDeadline(Date.now() + 2_000, () =>
        options.temporal.workflowService.getSystemInfo({}),
      );
      return { status: 'ready' };
    } catch (error) {
      return reply
        .status(503)
        .header('retry-after', retryAfter)
        .send({
          status: 'unavailable',
          reason: `Temporal: ${error instanceof Error ? error.message : String(error)}`,
        });
    }
  });

  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address() as AddressInfo;
  return {
    url: `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`,
    app,
    close: async () => {
      // Stop taking requests, then signal what is held at once rather than after its window.
      const closing = app.close();
      await options.bridge.flush();
      await closing;
    },
  };
}

/** The events of a body: one object, an array, or `{ "events": [...] }`. */
function batchOf(body: Buffer, maxBatchEvents: number): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new HttpError(
      400,
      `body: not valid JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const events = Array.isArray(parsed)
    ? parsed
    : typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as { events?: unknown }).events)
      ? (parsed as { events: unknown[] }).events
      : typeof parsed === 'object' && parsed !== null
        ? [parsed]
        : undefined;
  if (events === undefined)
    throw new HttpError(400, 'body: must be an event, an array of events or {"events": [...]}');
  if (events.length === 0) throw new HttpError(400, 'body: the batch is empty');
  if (events.length > maxBatchEvents) {
    throw new HttpError(413, `body: ${events.length} events in one request; at most ${maxBatchEvents}`);
  }
  return events;
}

/** What the sender is told of one event (workflow ids are the bridge's business). */
function publicOutcome(outcome: EventOutcome) {
  const { workflowId: _workflowId, ...rest } = outcome as EventOutcome & { workflowId?: string };
  return rest;
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function unauthorised(message: string): HttpError {
  return new HttpError(401, message, { 'www-authenticate': 'Bearer realm="byoi-bridge"' });
}

/** Compares two secrets in constant time (their hashes, so lengths never leak either). */
function sameSecret(known: string, offered: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(known), digest(offered));
}
