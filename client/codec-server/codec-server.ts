/**
 * The codec server (`npm run codec-server`): Temporal's remote codec protocol (`POST /encode`,
 * `POST /decode`, each `{"payloads": [...]}` in protobuf JSON) over the bridge's payload codec, so the Web
 * UI and the CLI (`--codec-endpoint`) show sealed payloads to engineers who may read them.
 *
 * Who may: a bearer token of `BYOI_CODEC_SERVER_TOKENS` (the CLI's `--codec-auth "Bearer …"`), or a browser
 * session that token opened at `/login` (the Web UI calls with its cookie once the browser's own codec
 * setting names this server with "Include cross-origin credentials" ticked). Which pages may call it from a
 * browser: the origins of `BYOI_CODEC_SERVER_ORIGINS` (CORS). It never logs a payload: one line per
 * request, one per refusal.
 */
import { randomBytes } from 'node:crypto';
import type { SecureContextOptions } from 'node:tls';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import formbody from '@fastify/formbody';
import type { PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { z } from 'zod';
import { PayloadDecryptionError } from '../../config/payload-codec';
import { listeningUrl } from '../ingress/http';
import { sameSecret } from '../ingress/same-secret';
import { loginPage } from './login-page';

/** How the codec server runs. */
export interface CodecServerOptions {
  /** The codec that seals and opens (the bridge's, with its keys). */
  codec: PayloadCodec;
  /** The namespace whose payloads it serves: a request naming another (`X-Namespace`) is refused. */
  namespace: string;
  /** Bearer tokens that may call it; two during a change. */
  tokens: string[];
  /** Origins of the pages (the Web UI) that may call it from a browser. */
  origins: string[];
  host: string;
  port: number;
  /** The certificate and key to serve HTTPS with (client/ingress/certificate.ts reads them); required off loopback. */
  tls?: SecureContextOptions;
  logger: Logger;
  /** How long a browser session opened at `/login` lasts (default 8 hours). */
  sessionMs?: number;
  /** Largest request body (default 16 MiB: a page of the Web UI's history at once). */
  maxBodyBytes?: number;
}

/** A running codec server. */
export interface CodecServer {
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

const sessionCookie = 'byoi_codec_session';
const maxPayloadsPerRequest = 10_000;

const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');
const payloadsBody = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() })),
});

/** Starts the codec server. */
export async function startCodecServer(options: CodecServerOptions): Promise<CodecServer> {
  const loopback = ['127.0.0.1', '::1', 'localhost'].includes(options.host);
  if (!loopback && !options.tls) {
    throw new Error(
      `the codec server hands out customer data: off loopback (${options.host}) it serves HTTPS only; set BYOI_CODEC_SERVER_TLS_CERT and BYOI_CODEC_SERVER_TLS_KEY`,
    );
  }
  if (options.tokens.length === 0) {
    throw new Error('no one could call the codec server: set BYOI_CODEC_SERVER_TOKENS');
  }
  const sessionMs = options.sessionMs ?? 8 * 3_600_000;
  const maxBodyBytes = options.maxBodyBytes ?? 16 * 1_048_576;
  const app = Fastify({
    logger: false,
    bodyLimit: maxBodyBytes,
    ...(options.tls && { https: options.tls }),
  }) as unknown as FastifyInstance;
  const log = options.logger;
  // Sessions are signed with a secret of this process: a restart signs everyone out, nothing is stored.
  await app.register(cookie, { secret: randomBytes(32).toString('base64') });
  await app.register(formbody);
  // The protocol speaks JSON; the sign-in form is the only other body taken.
  app.removeContentTypeParser('text/plain');
  await app.register(cors, {
    origin: options.origins,
    credentials: true,
    methods: ['POST'],
    allowedHeaders: ['Content-Type', 'Authorization', 'Authorization-Extras', 'X-Namespace'],
    maxAge: 600,
  });

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    const [status, message] =
      error.statusCode === 413
        ? [413, `body: larger than ${maxBodyBytes} bytes`]
        : error.statusCode === 415
          ? [415, 'body: send JSON with Content-Type: application/json']
          : error.statusCode === 400
            ? [400, 'body: not valid JSON']
            : [500, 'the codec server failed; nothing was converted'];
    if (status === 500) log.error({ err: error, route: request.url }, 'codec request failed');
    return reply.status(status).send({ error: message });
  });

  /** Who is calling, or undefined (and an audit line) when no one the server knows. */
  const caller = (request: FastifyRequest, reply: FastifyReply): string | undefined => {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
    if (bearer && options.tokens.some((token) => sameSecret(token, bearer))) return 'token';
    const session = request.cookies[sessionCookie];
    const unsigned = session ? request.unsignCookie(session) : undefined;
    if (!bearer && unsigned?.valid && Number(unsigned.value) > Date.now()) return 'session';
    const reason = bearer
      ? 'unknown bearer token'
      : unsigned?.valid
        ? 'session expired'
        : session
          ? 'session not signed by this server'
          : 'no credentials';
    log.warn(
      { audit: 'refused', reason, address: request.ip, origin: request.headers.origin, route: request.url },
      'codec server refused a request',
    );
    void reply
      .status(401)
      .header('www-authenticate', 'Bearer realm="byoi-codec"')
      .send({ error: `not authorised: ${reason}; send Authorization: Bearer <token>, or sign in at /login` });
    return undefined;
  };

  // Who calls is settled before the body is read: a stranger's request costs no parsing.
  const callers = new WeakMap<FastifyRequest, string>();
  const authorise = async (request: FastifyRequest, reply: FastifyReply) => {
    const who = caller(request, reply);
    if (!who) return reply;
    const namespace = request.headers['x-namespace'];
    if (typeof namespace === 'string' && namespace !== '' && namespace !== options.namespace) {
      return reply.status(403).send({
        error: `X-Namespace: this codec server serves namespace ${options.namespace}, not ${namespace}`,
      });
    }
    callers.set(request, who);
  };

  const convert =
    (direction: 'encode' | 'decode') => async (request: FastifyRequest, reply: FastifyReply) => {
      const startedAt = Date.now();
      const parsed = payloadsBody.safeParse(request.body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        return reply.status(400).send({ error: `${['body', ...issue.path].join('.')}: ${issue.message}` });
      }
      if (parsed.data.payloads.length > maxPayloadsPerRequest) {
        return reply.status(413).send({ error: `body.payloads: at most ${maxPayloadsPerRequest} a request` });
      }
      const payloads = temporal.api.common.v1.Payloads.fromObject(parsed.data).payloads;
      let converted: temporal.api.common.v1.IPayload[];
      const undecoded = new Map<string, number>();
      if (direction === 'encode') converted = await options.codec.encode(payloads);
      else {
        // One payload that does not open (a key this server lacks) leaves the others readable.
        converted = await Promise.all(
          payloads.map(async (payload) => {
            try {
              return (await options.codec.decode([payload]))[0]!;
            } catch (error) {
              if (!(error instanceof PayloadDecryptionError)) throw error;
              undecoded.set(error.message, (undecoded.get(error.message) ?? 0) + 1);
              return payload;
            }
          }),
        );
      }
      for (const [problem, count] of undecoded)
        log.warn({ payloads: count, problem }, 'payloads left sealed');
      log.info(
        {
          route: `/${direction}`,
          caller: callers.get(request),
          payloads: payloads.length,
          undecoded: [...undecoded.values()].reduce((a, b) => a + b, 0),
          ms: Date.now() - startedAt,
        },
        'codec request',
      );
      return reply.send(
        temporal.api.common.v1.Payloads.toObject(
          temporal.api.common.v1.Payloads.create({ payloads: converted }),
          {
            bytes: String,
          },
        ),
      );
    };
  app.post('/encode', { onRequest: authorise }, convert('encode'));
  app.post('/decode', { onRequest: authorise }, convert('decode'));

  app.get('/login', (_request, reply) => reply.type('text/html; charset=utf-8').send(loginPage()));
  app.post('/session', (request, reply) => {
    const token = z.object({ token: z.string() }).safeParse(request.body).data?.token ?? '';
    if (!options.tokens.some((known) => sameSecret(known, token))) {
      log.warn(
        { audit: 'refused', reason: 'unknown token at sign-in', address: request.ip },
        'codec server refused a sign-in',
      );
      return reply
        .status(401)
        .type('text/html; charset=utf-8')
        .send(loginPage('That token is not one this codec server knows.'));
    }
    log.info({ audit: 'signedIn', address: request.ip }, 'codec server session opened');
    return reply
      .setCookie(sessionCookie, String(Date.now() + sessionMs), {
        signed: true,
        httpOnly: true,
        path: '/',
        maxAge: sessionMs / 1_000,
        // Over HTTPS the Web UI may live on another site; over loopback HTTP it is the same site.
        ...(options.tls ? { secure: true, sameSite: 'none' as const } : { sameSite: 'lax' as const }),
      })
      .type('text/html; charset=utf-8')
      .send(loginPage(undefined, Math.round(sessionMs / 3_600_000)));
  });
  app.get('/healthz', () => ({ status: 'ok' }));

  await app.listen({ host: options.host, port: options.port });
  return { url: listeningUrl(app, options.tls ? 'https' : 'http'), app, close: () => app.close() };
}
