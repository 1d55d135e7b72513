/**
 * Who may call, and how often (contract §1, §2): OAuth client credentials issue bearer tokens; every
 * API route names the permission it needs; each token (or, when so set, each client) has its own
 * rolling-window rate limit, whose 429 carries the exact Genesys body and Retry-After, and whose
 * `inin-ratelimit-*` headers go out on every API answer.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { rateLimitMessage, SimulatorHttpError } from './errors';
import type { SimulatorContext } from './context';
import type { IssuedToken } from './state';

/** Whether a granted permission (segments may be `*`) covers a required one. */
export function permits(granted: string, required: string): boolean {
  const grantedParts = granted.split(':');
  const requiredParts = required.split(':');
  return (
    grantedParts.length === requiredParts.length &&
    grantedParts.every((part, index) => part === '*' || part === requiredParts[index])
  );
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `POST /oauth/token` on the login host (served by the same simulator). */
export function registerOAuth(app: FastifyInstance, context: SimulatorContext): void {
  app.post('/oauth/token', async (request, reply) => {
    const authorization = request.headers.authorization ?? '';
    const [scheme, encoded] = authorization.split(' ');
    const decoded = scheme === 'Basic' && encoded ? Buffer.from(encoded, 'base64').toString() : '';
    const separator = decoded.indexOf(':');
    const clientId = separator > 0 ? decoded.slice(0, separator) : '';
    const secret = separator > 0 ? decoded.slice(separator + 1) : '';
    const client = context.state.clients.find((candidate) => candidate.clientId === clientId);
    if (!client || !sameSecret(secret, client.clientSecret)) {
      throw new SimulatorHttpError(401, 'Invalid client credentials', 'bad.credentials');
    }
    const grant = z.looseObject({ grant_type: z.string() }).safeParse(request.body);
    if (!grant.success || grant.data.grant_type !== 'client_credentials') {
      throw new SimulatorHttpError(400, 'grant_type must be client_credentials', 'bad.request', [
        { fieldName: 'grant_type', errorCode: 'invalid.value' },
      ]);
    }
    forgetExpiredTokens(context);
    const token = randomBytes(32).toString('base64url');
    context.state.tokens.set(token, {
      clientId,
      permissions: client.permissions,
      expiresAt: Date.now() + client.tokenLifetimeSeconds * 1000,
      revoked: false,
      requestTimes: [],
    });
    context.state.counters.tokensIssued++;
    request.clientId = clientId;
    return reply.send({
      access_token: token,
      token_type: 'bearer',
      expires_in: client.tokenLifetimeSeconds,
    });
  });
}

// Clients renew daily; without this a long-running simulator would keep every token ever issued.
function forgetExpiredTokens(context: SimulatorContext): void {
  const now = Date.now();
  for (const [token, issued] of context.state.tokens) {
    if (issued.expiresAt <= now) context.state.tokens.delete(token);
  }
}

function bearerToken(request: FastifyRequest, context: SimulatorContext): IssuedToken {
  const authorization = request.headers.authorization ?? '';
  if (!authorization.startsWith('Bearer ')) {
    throw new SimulatorHttpError(401, 'No authentication bearer token specified in authorization header.');
  }
  const token = context.state.tokens.get(authorization.slice('Bearer '.length));
  if (!token || token.revoked || token.expiresAt <= Date.now()) {
    throw new SimulatorHttpError(401, 'Authentication failed: the bearer token is invalid or has expired.');
  }
  return token;
}

function clientRequestTimes(context: SimulatorContext, clientId: string): number[] {
  const { clientRequestTimes: byClient } = context.state;
  const times = byClient.get(clientId) ?? [];
  byClient.set(clientId, times);
  return times;
}

/** Counts a request against its token's window, or answers why it may not run now. */
function admit(token: IssuedToken, context: SimulatorContext, reply: FastifyReply, now: number): void {
  const { requestsPerWindow, rateLimitWindowMs, rateLimitBy } = context.limits;
  const times = rateLimitBy === 'token' ? token.requestTimes : clientRequestTimes(context, token.clientId);
  while (times.length > 0 && times[0]! <= now - rateLimitWindowMs) times.shift();
  const secondsUntil = (time: number) => Math.max(1, Math.ceil((time + rateLimitWindowMs - now) / 1000));
  reply.header('inin-ratelimit-allowed', String(requestsPerWindow));
  if (times.length >= requestsPerWindow) {
    const retryAfter = secondsUntil(times[0]!);
    reply.header('inin-ratelimit-count', String(times.length));
    reply.header('inin-ratelimit-reset', String(retryAfter));
    context.state.counters.rateLimited++;
    // A refused request is not counted: Genesys meters what it serves.
    throw new SimulatorHttpError(429, rateLimitMessage(retryAfter), undefined, [], retryAfter);
  }
  times.push(now);
  reply.header('inin-ratelimit-count', String(times.length));
  reply.header('inin-ratelimit-reset', String(secondsUntil(times[0]!)));
}

/** Authenticates, authorises and meters one API request (a preHandler for `/api/v2/*`). */
export function guardApiRequest(
  request: FastifyRequest,
  reply: FastifyReply,
  context: SimulatorContext,
): void {
  const token = bearerToken(request, context);
  request.clientId = token.clientId;
  const required = request.routeOptions.config.permission;
  if (required !== undefined && !token.permissions.some((granted) => permits(granted, required))) {
    throw new SimulatorHttpError(
      403,
      `Unable to perform the requested action. You are missing the following permission(s): [${required}]`,
      'missing.permissions',
      [{ errorCode: 'missing.permissions', entityName: required }],
    );
  }
  admit(token, context, reply, request.receivedAt);
}
