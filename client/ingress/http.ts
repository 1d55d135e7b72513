/**
 * What every route of the ingress shares: the Fastify app with its body parsers and its error answers
 * (`{ "error": "…" }` with the status a route chose, 500 for anything unexpected), and the helpers that
 * read a request.
 */
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';

/** A refusal the error handler answers as it is: its status, its headers, `{ "error": message }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A 401 that tells the sender how this ingress authenticates. */
export function unauthorised(message: string): HttpError {
  return new HttpError(401, message, { 'www-authenticate': 'Bearer realm="byoi-bridge"' });
}

/** The Fastify app every route is registered on. */
export function createApp(options: {
  maxBodyBytes: number;
  onError: ((error: Error) => void) | undefined;
}): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: options.maxBodyBytes });

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
  app.addContentTypeParser('*', (_request, _payload, done) => {
    done(new HttpError(415, 'body: send JSON with Content-Type: application/json'));
  });

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof HttpError) {
      return reply.status(error.status).headers(error.headers).send({ error: error.message });
    }
    if (error.statusCode === 413) {
      // A route may take more than the default (a directory snapshot); the sender is told its own limit.
      return reply.status(413).send({ error: `body: larger than ${request.routeOptions.bodyLimit} bytes` });
    }
    if (error.statusCode !== undefined && error.statusCode < 500) {
      return reply.status(error.statusCode).send({ error: error.message });
    }
    options.onError?.(error);
    return reply
      .status(500)
      .send({ error: 'the ingress failed; nothing of this request is known to be held' });
  });
  return app;
}

/** The raw JSON body of a request; anything else is refused with 415. */
export function jsonBody(request: FastifyRequest): Buffer {
  if (!Buffer.isBuffer(request.body))
    throw new HttpError(415, 'body: send JSON with Content-Type: application/json');
  return request.body;
}

/** A request header's value (the first, when it is repeated). */
export function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
