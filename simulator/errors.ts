/**
 * Error answers as Genesys writes them (contract §2), and as S3 writes them for the presigned upload.
 */
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import { describeIssues } from './event-rules';

/** One entry of a Genesys error body's `details`. */
export interface ErrorDetail {
  errorCode?: string;
  fieldName?: string;
  entityId?: string;
  entityName?: string;
}

/** The Genesys code each status answers with when the route has nothing more specific. */
export const defaultErrorCodes: Record<number, string> = {
  400: 'bad.request',
  401: 'authentication.required',
  403: 'not.authorized',
  404: 'not.found',
  409: 'conflict',
  413: 'payload.too.large',
  415: 'unsupported.media.type',
  429: 'too.many.requests.retry.after',
  500: 'internal.server.error',
  502: 'bad.gateway',
  503: 'service.unavailable',
  504: 'request.timeout',
};

/** A failure a route throws; the error handler writes it as a Genesys error body. */
export class SimulatorHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string = defaultErrorCodes[status] ?? 'bad.request',
    readonly details: ErrorDetail[] = [],
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'SimulatorHttpError';
  }
}

/** The exact message of a rate-limit 429 (contract §2). */
export function rateLimitMessage(retryAfterSeconds: number): string {
  return `Rate limit exceeded the maximum. Retry the request in [${retryAfterSeconds}] seconds`;
}

/** Sends a Genesys error body; `contextId` is the response's correlation id. */
export function sendGenesysError(reply: FastifyReply, error: SimulatorHttpError): FastifyReply {
  if (error.retryAfterSeconds !== undefined) reply.header('Retry-After', String(error.retryAfterSeconds));
  const contextId = reply.getHeader('inin-correlation-id');
  return reply.code(error.status).send({
    message: error.message,
    code: error.code,
    status: error.status,
    contextId: typeof contextId === 'string' ? contextId : undefined,
    details: error.details,
    errors: [],
  });
}

/**
 * Sends an S3-style XML error with its `x-amz-error-code` header, and closes the connection: the
 * refused body may still be arriving, and S3 does not read a large body it has refused.
 */
export function sendS3Error(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
): FastifyReply {
  const requestId = reply.getHeader('inin-correlation-id');
  const escaped = message.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return reply
    .code(status)
    .header('x-amz-error-code', code)
    .header('x-amz-request-id', typeof requestId === 'string' ? requestId : '')
    .header('Connection', 'close')
    .type('application/xml')
    .send(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escaped}</Message></Error>`,
    );
}

/** Parses a request body or query, or answers 400 naming each bad field. */
export function parseBody<Schema extends z.ZodType>(schema: Schema, body: unknown): z.infer<Schema> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw new SimulatorHttpError(
    400,
    describeIssues('body', result.error),
    'invalid.value',
    result.error.issues.map((issue) => ({ fieldName: issue.path.join('.'), errorCode: 'invalid.value' })),
  );
}
