/**
 * What makes the ingress safe to expose, as configuration: its TLS certificate files
 * (BYOI_INGRESS_TLS_CERT, _KEY, _CHAIN), a secrets file it re-reads on SIGHUP (BYOI_INGRESS_SECRETS_FILE),
 * each source's request rate (BYOI_INGRESS_RATE_LIMITS) and how many refused authentications an address
 * may spend (BYOI_INGRESS_AUTH_FAILURE_LIMIT). config/index.ts reads the variables; this module parses
 * their values and the secrets file, whose problems never echo a secret.
 */
import { z } from 'zod';
import { sourceNameSchema } from '../domain/events/envelope';

/** So many requests per so many milliseconds; a bucket holds one period's worth. */
export interface Rate {
  count: number;
  perMs: number;
}

const periods = { s: 1_000, m: 60_000 } as const;

/** `<count>/s` or `<count>/m`, e.g. `600/s`. */
function rateOf(text: string): Rate | undefined {
  const match = /^([1-9]\d{0,6})\/(s|m)$/.exec(text.trim());
  return match ? { count: Number(match[1]), perMs: periods[match[2] as keyof typeof periods] } : undefined;
}

/** A rate as the setting writes it: `600/s`. */
export function rateText(rate: Rate): string {
  return `${rate.count}/${rate.perMs === 1_000 ? 's' : 'm'}`;
}

/** A rate in words: `600 a second`. */
export function rateWords(rate: Rate): string {
  return `${rate.count} a ${rate.perMs === 1_000 ? 'second' : 'minute'}`;
}

/** Each source's request rate at the ingress; `others` for every source not named (`*`). */
export interface RateLimits {
  bySource: Record<string, Rate>;
  others: Rate | undefined;
}

/** `off`, or `source:<count>/<s|m>,…` with `*` for every source not named, e.g. `acd:600/s,crm:50/s,*:100/s`. */
export const rateLimitsSchema = z.string().transform((value, context): RateLimits | undefined => {
  if (value.trim() === 'off') return undefined;
  const limits: RateLimits = { bySource: {}, others: undefined };
  for (const entry of value.split(',')) {
    const at = entry.lastIndexOf(':');
    const source = entry.slice(0, at).trim();
    const rate = rateOf(entry.slice(at + 1));
    if (at < 0 || rate === undefined || !(source === '*' || sourceNameSchema.safeParse(source).success)) {
      context.addIssue({
        code: 'custom',
        message: `${JSON.stringify(entry)} is not source:<count>/s or source:<count>/m (a source name or *), e.g. acd:600/s,*:100/s; or off`,
      });
      return z.NEVER;
    }
    if (source === '*') limits.others = rate;
    else limits.bySource[source] = rate;
  }
  return limits;
});

/** `off`, or the refused authentications one client address may spend: `<count>/s` or `<count>/m`. */
export const refusalLimitSchema = z.string().transform((value, context): Rate | undefined => {
  if (value.trim() === 'off') return undefined;
  const rate = rateOf(value);
  if (rate) return rate;
  context.addIssue({ code: 'custom', message: 'must be <count>/s or <count>/m, e.g. 30/m; or off' });
  return z.NEVER;
});

/**
 * A setting whose text `schema` parses, kept as text in the environment schema (so its default reads as
 * written, e.g. `30/m`) with `schema`'s problems; {@link parseSetting} turns it into the value.
 */
export function textSetting(schema: z.ZodType) {
  return z.string().superRefine((value, context) => {
    const parsed = schema.safeParse(value);
    if (!parsed.success)
      for (const { message } of parsed.error.issues) context.addIssue({ code: 'custom', message });
  });
}

/** The value of a setting {@link textSetting} has checked. */
function parseSetting<Value>(schema: z.ZodType<Value, string>, text: string): Value {
  return schema.parse(text);
}

/** The files of a server's certificate (the ingress's, read at start and again on SIGHUP; the codec server's). */
export interface TlsFiles {
  /** PEM certificate, optionally followed by its intermediates. */
  certFile: string;
  /** PEM private key of that certificate. */
  keyFile: string;
  /** PEM intermediate certificates served after the certificate, when the certificate file lacks them. */
  chainFile: string | undefined;
}

/**
 * The TLS files of `<prefix>_CERT`, `_KEY` (and `_CHAIN`) when both certificate and key are named, else none;
 * a half pair is a problem named by variable.
 */
export function tlsFiles(
  prefix: 'BYOI_INGRESS_TLS' | 'BYOI_CODEC_SERVER_TLS',
  variables: { cert: string | undefined; key: string | undefined; chain?: string | undefined },
  problems: string[],
): TlsFiles | undefined {
  const { cert, key, chain } = variables;
  if (cert === undefined && key === undefined) {
    if (chain !== undefined) problems.push(`${prefix}_CHAIN: needs ${prefix}_CERT and ${prefix}_KEY`);
    return undefined;
  }
  if (cert === undefined) problems.push(`${prefix}_CERT: required when ${prefix}_KEY is set`);
  if (key === undefined) problems.push(`${prefix}_KEY: required when ${prefix}_CERT is set`);
  if (cert === undefined || key === undefined) return undefined;
  return { certFile: cert, keyFile: key, chainFile: chain };
}

/** The ingress's TLS, secrets file and limits, as config/index.ts hands them to the ingress. */
export interface IngressSecurityConfig {
  /** Its certificate's files (HTTPS, re-read on SIGHUP); plain HTTP when undefined. */
  tls: TlsFiles | undefined;
  /** A JSON file of each source's secrets, re-read on SIGHUP; the ingress's `sources` are then empty. */
  secretsFile: string | undefined;
  /** Each authenticated source's request rate; none when undefined. */
  rateLimits: RateLimits | undefined;
  /** The refused authentications one client address may spend; none when undefined. */
  refusalLimit: Rate | undefined;
}

/** The variables {@link ingressSecurityConfig} reads, as the environment schema has checked them. */
interface IngressSecurityVariables {
  BYOI_INGRESS_TLS_CERT?: string | undefined;
  BYOI_INGRESS_TLS_KEY?: string | undefined;
  BYOI_INGRESS_TLS_CHAIN?: string | undefined;
  BYOI_INGRESS_SECRETS_FILE?: string | undefined;
  BYOI_INGRESS_TOKENS?: string | undefined;
  BYOI_INGRESS_HMAC_SECRETS?: string | undefined;
  BYOI_INGRESS_TWILIO_AUTH_TOKENS?: string | undefined;
  BYOI_INGRESS_RATE_LIMITS: string;
  BYOI_INGRESS_AUTH_FAILURE_LIMIT: string;
}

/** The ingress's security settings; what does not fit together is added to `problems`, named by variable. */
export function ingressSecurityConfig(
  variables: IngressSecurityVariables,
  problems: string[],
): IngressSecurityConfig {
  const { BYOI_INGRESS_TOKENS, BYOI_INGRESS_HMAC_SECRETS, BYOI_INGRESS_TWILIO_AUTH_TOKENS } = variables;
  checkSecretsSource(
    variables.BYOI_INGRESS_SECRETS_FILE,
    { BYOI_INGRESS_TOKENS, BYOI_INGRESS_HMAC_SECRETS, BYOI_INGRESS_TWILIO_AUTH_TOKENS },
    problems,
  );
  return {
    tls: tlsFiles(
      'BYOI_INGRESS_TLS',
      {
        cert: variables.BYOI_INGRESS_TLS_CERT,
        key: variables.BYOI_INGRESS_TLS_KEY,
        chain: variables.BYOI_INGRESS_TLS_CHAIN,
      },
      problems,
    ),
    secretsFile: variables.BYOI_INGRESS_SECRETS_FILE,
    rateLimits: parseSetting(rateLimitsSchema, variables.BYOI_INGRESS_RATE_LIMITS),
    refusalLimit: parseSetting(refusalLimitSchema, variables.BYOI_INGRESS_AUTH_FAILURE_LIMIT),
  };
}

/** The env lists and the secrets file are two ways to one place: one of them, never both. */
function checkSecretsSource(
  secretsFile: string | undefined,
  lists: Record<string, string | undefined>,
  problems: string[],
): void {
  if (secretsFile === undefined) return;
  for (const [name, list] of Object.entries(lists)) {
    if (list !== undefined)
      problems.push(
        `${name}: set the source's secrets in BYOI_INGRESS_SECRETS_FILE or in the ${name.replace(/^BYOI_INGRESS_/, '').toLowerCase()} list, not both`,
      );
  }
}

/** How one source authenticates at the ingress. */
export interface SourceSecrets {
  tokens: string[];
  hmacSecrets: string[];
  twilioAuthTokens: string[];
}

// At most two of each kind: during a rotation the old and the new are both valid, never more.
const secretList = z
  .array(z.string().min(1, 'must not be empty').max(4_096, 'must be at most 4096 characters'))
  .max(2, 'at most 2 (the old and the new during a rotation)')
  .default([]);

/** The secrets file: `{"sources": {"<source>": {"tokens": [...], "hmacSecrets": [...], "twilioAuthTokens": [...]}}}`. */
export const ingressSecretsFileSchema = z
  .object({
    sources: z.record(
      sourceNameSchema,
      z
        .object({ tokens: secretList, hmacSecrets: secretList, twilioAuthTokens: secretList })
        .strict()
        .refine(
          (secrets) =>
            secrets.tokens.length + secrets.hmacSecrets.length + secrets.twilioAuthTokens.length > 0,
          'names no token, HMAC secret or Twilio auth token',
        ),
    ),
  })
  .strict();

/** A secrets file that cannot be used; every problem named by field, never with a secret in it. */
export class IngressSecretsError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.join('; ')}`);
    this.name = 'IngressSecretsError';
  }
}

/** Each source's secrets from the secrets file's text; throws {@link IngressSecretsError}. */
export function parseIngressSecrets(file: string, text: string): Record<string, SourceSecrets> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text around the fault: a secret, likely.
    throw new IngressSecretsError(file, ['not valid JSON']);
  }
  // JSON.parse keeps a "__proto__" key as data; a record would drop it without a word.
  const names =
    typeof json === 'object' && json !== null ? (json as { sources?: unknown }).sources : undefined;
  const reserved = ['__proto__', 'constructor', 'prototype'].filter(
    (name) => typeof names === 'object' && names !== null && Object.hasOwn(names, name),
  );
  if (reserved.length > 0) {
    throw new IngressSecretsError(
      file,
      reserved.map((name) => `sources.${name}: not a source name (a reserved word)`),
    );
  }
  const parsed = ingressSecretsFileSchema.safeParse(json);
  if (!parsed.success) {
    throw new IngressSecretsError(
      file,
      parsed.error.issues.map(
        (issue) =>
          `${issue.path.join('.') || '(file)'}: ${issue.code === 'invalid_key' ? 'not a source name (1–64 letters, digits, dots, dashes or underscores)' : issue.message}`,
      ),
    );
  }
  const sources = parsed.data.sources;
  const problems = sharedSecrets(sources);
  if (problems.length > 0) throw new IngressSecretsError(file, problems);
  return sources;
}

/** A bearer token names its source: two sources with one token would make it name either. */
function sharedSecrets(sources: Record<string, SourceSecrets>): string[] {
  const owners = new Map<string, string>();
  const problems: string[] = [];
  for (const [source, secrets] of Object.entries(sources)) {
    secrets.tokens.forEach((token, index) => {
      const owner = owners.get(token);
      if (owner !== undefined && owner !== source)
        problems.push(
          `sources.${source}.tokens.${index}: is ${owner}'s token too; each source needs its own`,
        );
      owners.set(token, source);
    });
  }
  return problems;
}
