/**
 * How a sender of the native routes (`/v1/events`, the adapters' JSON, the directory) proves which
 * source it is: one of the source's bearer tokens, or an HMAC-SHA256 signature with one of its secrets
 * over the timestamp and the raw body.
 */
import { createHmac } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { header, unauthorised } from './http';
import { sameSecret } from './same-secret';

/** How one source proves who it is on the native routes: any of its bearer tokens, or an HMAC signature with one of its secrets. */
export interface SenderCredentials {
  tokens?: string[];
  hmacSecrets?: string[];
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

/** Names the source that sent a request with this raw body, or throws a 401 saying why not. */
export type Authenticate = (request: FastifyRequest, body: Buffer) => string;

/**
 * Authenticates senders as one of the sources `sources()` answers at the time (they change when the
 * secrets are rotated); a signature older than `signatureMaxAgeMs` is refused.
 */
export function senderAuthentication(
  currentSources: () => Record<string, SenderCredentials>,
  signatureMaxAgeMs: number,
): Authenticate {
  return (request, body) => {
    const sources = currentSources();
    // The scheme is case-insensitive (RFC 9110); an empty token is still a bearer attempt.
    const bearer = /^Bearer(?:\s+(.*))?$/i.exec(request.headers.authorization ?? '');
    if (bearer) {
      const token = (bearer[1] ?? '').trim();
      if (token === '') throw unauthorised('missingCredentials', 'the bearer token is empty');
      const source = Object.entries(sources).find(([, credentials]) =>
        (credentials.tokens ?? []).some((known) => sameSecret(known, token)),
      )?.[0];
      if (source === undefined)
        throw unauthorised('unknownCredentials', 'the bearer token is not one this ingress knows');
      return source;
    }
    const claimed = header(request, signatureHeaders.source);
    const timestamp = header(request, signatureHeaders.timestamp);
    const signature = header(request, signatureHeaders.signature);
    if (claimed === undefined || timestamp === undefined || signature === undefined) {
      throw unauthorised(
        'missingCredentials',
        `authenticate with Authorization: Bearer <token>, or sign the body (${Object.values(signatureHeaders).join(', ')})`,
      );
    }
    const credentials = Object.hasOwn(sources, claimed) ? sources[claimed] : undefined;
    if (!credentials?.hmacSecrets?.length)
      throw unauthorised('unknownCredentials', `source ${claimed} has no signing secret here`);
    const sentAtMs = Number(timestamp) * 1_000;
    if (!Number.isFinite(sentAtMs) || Math.abs(Date.now() - sentAtMs) > signatureMaxAgeMs) {
      throw unauthorised(
        'staleTimestamp',
        `${signatureHeaders.timestamp} must be the Unix time in seconds, within ${signatureMaxAgeMs / 60_000} minutes of now`,
      );
    }
    if (!credentials.hmacSecrets.some((secret) => sameSecret(signBody(secret, timestamp, body), signature))) {
      throw unauthorised('invalidSignature', 'the signature does not match the body');
    }
    return claimed;
  };
}
