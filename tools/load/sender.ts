/**
 * How the load's driver proves to an ingress which source it sends for, as an ACD's adapter would: a
 * bearer token, or an HMAC signature over each body. The secret comes from the configuration the
 * ingress itself reads (BYOI_INGRESS_TOKENS, BYOI_INGRESS_HMAC_SECRETS), never from a flag.
 */
import axios from 'axios';
import { z } from 'zod';
import { signatureHeaders, signBody } from '../../client/ingress/sender-authentication';
import type { IngressCredentials } from '../../config';

/** A sender's credential: one of its source's bearer tokens, or one of its HMAC secrets. */
export type SenderCredential =
  { kind: 'token'; token: string } | { kind: 'hmac'; source: string; secret: string };

/** Thrown when the configuration holds no credential for the source the load is sent as. */
export class MissingCredentialError extends Error {
  constructor(source: string) {
    super(
      `no credential for source ${source}: set BYOI_INGRESS_TOKENS=${source}:<token> or ` +
        `BYOI_INGRESS_HMAC_SECRETS=${source}:<secret> to what the ingress knows (never a flag: it would show in ps)`,
    );
    this.name = 'MissingCredentialError';
  }
}

/** `source`'s first bearer token, or else its first HMAC secret, from the ingress's configuration. */
export function credentialFor(sources: Record<string, IngressCredentials>, source: string): SenderCredential {
  const credentials = sources[source];
  const token = credentials?.tokens[0];
  if (token !== undefined) return { kind: 'token', token };
  const secret = credentials?.hmacSecrets[0];
  if (secret !== undefined) return { kind: 'hmac', source, secret };
  throw new MissingCredentialError(source);
}

/** The headers that authenticate `body` (the exact bytes sent) as `credential`'s source. */
export function authenticationHeaders(credential: SenderCredential, body: string): Record<string, string> {
  if (credential.kind === 'token') return { authorization: `Bearer ${credential.token}` };
  const timestamp = String(Math.floor(Date.now() / 1_000));
  return {
    [signatureHeaders.source]: credential.source,
    [signatureHeaders.timestamp]: timestamp,
    [signatureHeaders.signature]: signBody(credential.secret, timestamp, body),
  };
}

/** The ingress's answer to a request it refused whole: `{ "error": …, "code": … }`. */
const refusalSchema = z.object({
  error: z.string(),
  code: z.string().optional(),
  problems: z.array(z.string()).optional(),
});

/** Thrown when the ingress refuses a request whole (bad credentials, a body it will not take). */
export class IngressRefusedError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    readonly reason: string,
    what: string,
  ) {
    super(`the ingress refused ${what} with ${status}${code ? ` ${code}` : ''}: ${reason}`);
    this.name = 'IngressRefusedError';
  }
}

/** An {@link IngressRefusedError} from an answer's status and body (whatever shape the body has). */
export function refusalOf(status: number, body: unknown, what: string): IngressRefusedError {
  const parsed = refusalSchema.safeParse(body);
  const reason = parsed.success
    ? [parsed.data.error, ...(parsed.data.problems ?? [])].join('\n  ')
    : JSON.stringify(body).slice(0, 300);
  return new IngressRefusedError(status, parsed.success ? parsed.data.code : undefined, reason, what);
}

/** What the ingress said of a pushed directory snapshot. */
const snapshotAnswerSchema = z.object({
  source: z.string(),
  users: z.number(),
  queues: z.number(),
  skills: z.number(),
  wrapupCodes: z.number(),
  sync: z.string(),
});

/** The ingress's answer to a directory snapshot it took. */
export type SnapshotAnswer = z.infer<typeof snapshotAnswerSchema>;

/**
 * PUTs `snapshot` to the ingress's `/v1/directory/snapshot`; answers what it took and whether its sync
 * started, or throws an {@link IngressRefusedError} with the problems it named.
 */
export async function pushDirectory(
  ingressUrl: string,
  credential: SenderCredential,
  snapshot: unknown,
): Promise<SnapshotAnswer> {
  const body = JSON.stringify(snapshot);
  const response = await axios.put<unknown>(`${ingressUrl}/v1/directory/snapshot`, body, {
    headers: { 'content-type': 'application/json', ...authenticationHeaders(credential, body) },
    validateStatus: () => true,
    timeout: 60_000,
    maxBodyLength: Infinity,
  });
  if (response.status !== 202) throw refusalOf(response.status, response.data, 'the directory snapshot');
  return snapshotAnswerSchema.parse(response.data);
}
