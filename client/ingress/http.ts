/**
 * What every route of the ingress shares: the Fastify app with its body parsers and its one error shape
 * (`{ "error": "<message>", "code": "<reason code>" }` for every answer that is not a 2xx, unknown routes
 * and malformed requests included), and the helpers that read a request.
 */
import { STATUS_CODES } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

/** Reason codes of the ingress's refusals, the `code` beside every `error` it answers. */
export const ingressErrorCodes = [
  /** 400: the body is not valid JSON. */
  'invalidJson',
  /** 400: the body is JSON, but not an event, an array of events or `{"events": [...]}`. */
  'invalidBody',
  /** 400: the batch holds no event. */
  'emptyBatch',
  /** 413: more events in one request than the ingress takes. */
  'tooManyEvents',
  /** 413: the body is larger than the route takes. */
  'bodyTooLarge',
  /** 415: the body is not JSON (nor, on a vendor's webhook route, a signed form). */
  'unsupportedMediaType',
  /** 401: no credentials, or an empty bearer token. */
  'missingCredentials',
  /** 401: the bearer token, or the source named to sign, is not one this ingress knows. */
  'unknownCredentials',
  /** 401: a signature (the bridge's HMAC or a vendor's webhook signature) is missing or does not match. */
  'invalidSignature',
  /** 401: `X-Byoi-Timestamp` is not the Unix time in seconds within the allowed age (check the clock). */
  'staleTimestamp',
  /** 403: the sender is authenticated, as another source than the route or the snapshot names. */
  'wrongSource',
  /** 400: the directory snapshot is refused whole; `problems` lists every reason. */
  'invalidSnapshot',
  /** 429: the authenticated source is over its rate limit (BYOI_INGRESS_RATE_LIMITS); retry after Retry-After. */
  'rateLimited',
  /** 429: the client's address spent its refused authentications (BYOI_INGRESS_AUTH_FAILURE_LIMIT); retry after Retry-After. */
  'tooManyRefusals',
  /** 422: everything the request carried was refused; its outcomes name each field and its reason code. */
  'allRefused',
  /** 503: Temporal did not take some events in time (or, from `/readyz`, does not answer); retry after Retry-After. */
  'unavailable',
  /** 404: no route has this path; the message lists those that exist. */
  'notFound',
  /** 405: the path exists, not with this method; `Allow` lists the methods it takes. */
  'methodNotAllowed',
  /** 408: the request did not arrive in time. */
  'requestTimeout',
  /** 431: the request's headers are larger than the server takes. */
  'headersTooLarge',
  /** 400: the request is malformed below the routes (a bad URL, a lying Content-Length, broken HTTP). */
  'badRequest',
  /** 500: the ingress failed; nothing of the request is known to be held. */
  'internal',
] as const;

/** A reason code of the ingress's refusals. */
export type IngressErrorCode = (typeof ingressErrorCodes)[number];

/** The body of every answer the ingress refuses with. */
export function errorBody(
  code: IngressErrorCode,
  message: string,
): { error: string; code: IngressErrorCode } {
  return { error: message, code };
}

/** A refusal the error handler answers as it is: its status, its headers, `{ "error": message, "code": code }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: IngressErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A 401 that tells the sender how this ingress authenticates. */
export function unauthorised(code: IngressErrorCode, message: string): HttpError {
  return new HttpError(401, code, message, { 'www-authenticate': 'Bearer realm="byoi-bridge"' });
}

/** Settings of the Fastify app. */
export interface AppOptions {
  maxBodyBytes: number;
  /** Which proxies' `X-Forwarded-*` headers count (Fastify's `trustProxy`); none when false. */
  trustProxy: boolean | number | string[];
  /** Told of every unexpected failure (answered 500), with the request it came from. */
  onError: ((error: Error, request: RequestSummary) => void) | undefined;
  /** The certificate and key it serves HTTPS with; plain HTTP without. */
  tls?: SecureContextOptions;
}

/** What the log says of a request that failed: never its body or headers (credentials). */
export interface RequestSummary {
  method: string;
  url: string;
  /** The sender's address, through trusted proxies. */
  ip: string;
}

/** The Fastify app every route is registered on. */
export function createApp(options: AppOptions): FastifyInstance {
  const app = Fastify({
    // Fastify's `https` builds a Node https server: the same app and hooks, behind TLS. Node waits 120 s
    // for a handshake by default: a connection that never finishes one is dropped far sooner.
    ...(options.tls && { https: { handshakeTimeout: 10_000, ...options.tls } }),
    logger: false,
    bodyLimit: options.maxBodyBytes,
    // Fastify takes a hop count too, but its types do not say so: the same rule as a function.
    trustProxy: typeof options.trustProxy === 'number' ? trustedHops(options.trustProxy) : options.trustProxy,
    // Before routing (a URL that does not decode): Fastify hands over the bare response.
    frameworkErrors: (error, _request, reply) => {
      const body = JSON.stringify(errorBody('badRequest', `the request is malformed: ${error.message}`));
      reply.raw
        .writeHead(400, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(body),
        })
        .end(body);
    },
    clientErrorHandler: answerBrokenHttp,
  });

  // The raw body is kept for the signature; JSON is parsed here, so a syntax error gets a clear answer.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
    done(null, body);
  });
  // Form bodies (vendors' webhooks) are kept as text for their signature; only adapter routes take them.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => {
      done(null, body);
    },
  );
  app.addContentTypeParser('*', (request, _payload, done) => {
    // A request to no route is answered 404 whatever it carries.
    if (request.is404) return done(null, undefined);
    done(new HttpError(415, 'unsupportedMediaType', 'body: send JSON with Content-Type: application/json'));
  });

  const routes: { method: string; path: string; pattern: RegExp }[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      routes.push({ method, path: route.url, pattern: patternOf(route.url) });
    }
  });
  app.setNotFoundHandler((request, reply) => answerNoRoute(request, reply, routes));

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (request.is404) return answerNoRoute(request, reply, routes);
    if (error instanceof HttpError) {
      return reply.status(error.status).headers(error.headers).send(errorBody(error.code, error.message));
    }
    if (error.statusCode === 413) {
      // A route may take more than the default (a directory snapshot); the sender is told its own limit.
      const limit = request.routeOptions.bodyLimit ?? options.maxBodyBytes;
      return reply.status(413).send(errorBody('bodyTooLarge', `body: larger than ${limit} bytes`));
    }
    if (error.statusCode !== undefined && error.statusCode < 500) {
      const code = error.statusCode === 415 ? 'unsupportedMediaType' : 'badRequest';
      return reply.status(error.statusCode).send(errorBody(code, error.message));
    }
    options.onError?.(error, { method: request.method, url: request.url, ip: request.ip });
    return reply
      .status(500)
      .send(errorBody('internal', 'the ingress failed; nothing of this request is known to be held'));
  });
  return app;
}

/** Trusts the `hops` proxies nearest the ingress, whatever their addresses. */
function trustedHops(hops: number) {
  return (_address: string, hop: number) => hop < hops;
}

/** 405 when the path exists with other methods, else 404; both name what the ingress serves. */
function answerNoRoute(
  request: FastifyRequest,
  reply: FastifyReply,
  routes: { method: string; path: string; pattern: RegExp }[],
) {
  const path = request.url.split('?')[0]!;
  const shown = path.length > 200 ? `${path.slice(0, 200)}…` : path;
  const allowed = routes.filter((route) => route.pattern.test(path)).map((route) => route.method);
  if (allowed.length > 0) {
    return reply
      .status(405)
      .header('allow', allowed.join(', '))
      .send(
        errorBody('methodNotAllowed', `${request.method} ${shown}: this path takes ${allowed.join(', ')}`),
      );
  }
  // Fastify adds a HEAD beside each GET by itself: the list names what a sender would call.
  const existing = routes
    .filter((route) => route.method !== 'HEAD')
    .map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, '<$1>')}`);
  return reply
    .status(404)
    .send(
      errorBody('notFound', `no route ${request.method} ${shown}; the routes are: ${existing.join(', ')}`),
    );
}

/** A route's path as a pattern that matches the paths it serves (`:name` is one segment). */
function patternOf(routePath: string): RegExp {
  const segments = routePath
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${segments.join('/')}/?$`);
}

/**
 * HTTP Fastify never saw as a request (broken framing, headers too large, too slow), answered in the
 * ingress's shape on the raw socket as Node itself would, then closed.
 */
function answerBrokenHttp(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message]: [number, IngressErrorCode, string] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'requestTimeout', 'the request did not arrive in time']
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'headersTooLarge', 'the request headers are larger than the ingress takes']
        : [400, 'badRequest', 'the request is not well-formed HTTP'];
  const body = JSON.stringify(errorBody(code, message));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** The raw JSON body of a request; anything else is refused with 415. */
export function jsonBody(request: FastifyRequest): Buffer {
  if (!Buffer.isBuffer(request.body))
    throw new HttpError(415, 'unsupportedMediaType', 'body: send JSON with Content-Type: application/json');
  return request.body;
}

/** The URL a listening app answers at (an IPv6 host in brackets). */
export function listeningUrl(app: FastifyInstance, scheme: 'http' | 'https'): string {
  const { address, port } = app.server.address() as AddressInfo;
  return `${scheme}://${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/** A request header's value (the first, when it is repeated). */
export function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
