/**
 * How the worker reaches each source's recordings, and which of a source's calls are expected to have one,
 * from three `source:…` lists: where a source's recording URLs may point (`BYOI_RECORDING_ORIGINS`), the
 * HTTP Basic credentials its https fetches carry (`BYOI_RECORDING_CREDENTIALS`, never logged, never echoed
 * in a problem), and which calls expect a recording (`BYOI_EXPECT_RECORDINGS`). config/index.ts reads the
 * variables; this module parses their values.
 */
import { z } from 'zod';

/** Which of a source's calls are expected to have a recording: those an agent answered, every call, or none. */
export const recordingExpectations = ['answered', 'always', 'never'] as const;

/** One of {@link recordingExpectations}. */
export type RecordingExpectation = (typeof recordingExpectations)[number];

/** HTTP Basic credentials (Twilio: an Account SID or API key SID, and its auth token or secret). */
export interface BasicCredentials {
  username: string;
  password: string;
}

/** The worker's access to recordings and the sources' expectations of them. */
export interface RecordingsConfig {
  /** Per source, the origins (`https://api.twilio.com`, `s3://bucket`) its recording URLs may point to. */
  origins: Record<string, string[]>;
  /** Per source, the credentials sent with its https recording fetches; only to its listed origins. */
  credentials: Record<string, BasicCredentials>;
  /** Per source, which calls are expected to have a recording; a source not named keeps the default. */
  expect: Record<string, RecordingExpectation>;
  /** S3 (Amazon Connect's recordings): region and endpoint, else the SDK's own resolution. */
  s3: { region: string | undefined; endpoint: string | undefined };
}

const sourceNamePattern = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The origin of a recording URL as the origins lists name it: scheme and host, port included when it is not
 * the scheme's default (`https://api.twilio.com`, `s3://amazon-connect-1234`, `http://127.0.0.1:8081`).
 * WHATWG's `origin` is `null` for an s3 URL, hence this.
 */
export function recordingOriginOf(url: URL): string {
  return `${url.protocol}//${url.host}`.toLowerCase();
}

/** Whether credentials may travel to `origin`: over TLS, or over plain HTTP only to this machine. */
export function carriesCredentialsSafely(origin: string): boolean {
  const url = new URL(origin);
  return (
    url.protocol === 'https:' ||
    (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname))
  );
}

/** A parsed `source:value,…` list: each source's values, and what is wrong with the list. */
interface PerSourceList<Value> {
  bySource: Record<string, Value[]>;
  problems: string[];
}

/**
 * A `source:value,…` list: a schema that checks it (the environment stays text, its problems listed with
 * the others) and a parser that reads it. Each entry is split at its first colon into a source name and a
 * value the `entry` parser checks; a problem names a `secret` list's entry by its position only.
 */
function perSourceList<Value>(
  shape: string,
  entry: (value: string) => { value: Value } | { problem: string },
  options: { secret?: boolean; onePerSource?: boolean } = {},
) {
  const parse = (list: string): PerSourceList<Value> => {
    const bySource: Record<string, Value[]> = {};
    const problems: string[] = [];
    for (const [index, item] of list.split(',').entries()) {
      const at = item.indexOf(':');
      const source = item.slice(0, at).trim();
      const problem = (message: string) =>
        problems.push(`${options.secret ? `entry ${index + 1}` : JSON.stringify(item)}: ${message}`);
      if (at < 0 || !sourceNamePattern.test(source)) {
        problem(`must be ${shape}`);
        continue;
      }
      const parsed = entry(item.slice(at + 1).trim());
      if ('problem' in parsed) problem(parsed.problem);
      else if (options.onePerSource && bySource[source] !== undefined)
        problem(`names ${source} a second time`);
      else (bySource[source] ??= []).push(parsed.value);
    }
    return { bySource, problems };
  };
  const schema = z.string().superRefine((list, context) => {
    for (const message of parse(list).problems) context.addIssue({ code: 'custom', message });
  });
  return { schema, parse: (list: string | undefined) => (list === undefined ? {} : parse(list).bySource) };
}

/** `BYOI_RECORDING_ORIGINS`: `source:origin,…`, each origin a scheme and host without a path. */
export const recordingOriginList = perSourceList<string>(
  'source:origin, e.g. twilio:https://api.twilio.com or connect:s3://amazon-connect-1234',
  (value) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return { problem: 'the origin must be a URL such as https://api.twilio.com or s3://bucket' };
    }
    if (!['http:', 'https:', 's3:'].includes(url.protocol) || url.host === '') {
      return { problem: 'the origin must be http://host, https://host or s3://bucket' };
    }
    if (!['', '/'].includes(url.pathname) || url.search !== '' || url.hash !== '' || url.username !== '') {
      return { problem: 'an origin is a scheme and a host only, without a path, query or user' };
    }
    return { value: recordingOriginOf(url) };
  },
);

/** `BYOI_RECORDING_CREDENTIALS`: `source:username:password,…`; the password may hold colons, not commas. */
export const recordingCredentialList = perSourceList<BasicCredentials>(
  'source:username:password',
  (value) => {
    const at = value.indexOf(':');
    const username = value.slice(0, at);
    const password = value.slice(at + 1);
    if (at < 1 || password === '' || /\s/.test(value)) {
      return { problem: 'must be source:username:password, without spaces' };
    }
    return { value: { username, password } };
  },
  { secret: true, onePerSource: true },
);

/** `BYOI_EXPECT_RECORDINGS`: `source:answered|always|never,…`. */
export const recordingExpectationList = perSourceList<RecordingExpectation>(
  'source:answered, source:always or source:never',
  (value) =>
    (recordingExpectations as readonly string[]).includes(value)
      ? { value: value as RecordingExpectation }
      : { problem: `must be answered, always or never, not ${JSON.stringify(value)}` },
  { onePerSource: true },
);

/**
 * The recordings' part of the configuration from the parsed lists; adds a problem for each source whose
 * credentials could go astray: one with no origins listed, or an origin reached without TLS off this machine.
 */
export function recordingsConfig(
  settings: {
    origins: string | undefined;
    credentials: string | undefined;
    expect: string | undefined;
    s3Region: string | undefined;
    s3Endpoint: string | undefined;
  },
  problems: string[],
): RecordingsConfig {
  const origins = recordingOriginList.parse(settings.origins);
  const credentials: Record<string, BasicCredentials> = {};
  for (const [source, [each]] of Object.entries(recordingCredentialList.parse(settings.credentials))) {
    const listed = origins[source] ?? [];
    if (listed.length === 0) {
      problems.push(
        `BYOI_RECORDING_CREDENTIALS: source ${source} has credentials but no origins in BYOI_RECORDING_ORIGINS to send them to`,
      );
    }
    for (const origin of listed.filter((candidate) => !carriesCredentialsSafely(candidate))) {
      if (origin.startsWith('s3:')) continue;
      problems.push(
        `BYOI_RECORDING_CREDENTIALS: source ${source}'s origin ${origin} is plain HTTP off this machine: its credentials would cross the network in the clear`,
      );
    }
    credentials[source] = each!;
  }
  const expect = Object.fromEntries(
    Object.entries(recordingExpectationList.parse(settings.expect)).map(([source, [each]]) => [
      source,
      each!,
    ]),
  );
  return {
    origins,
    credentials,
    expect,
    s3: { region: settings.s3Region, endpoint: settings.s3Endpoint?.replace(/\/$/, '') },
  };
}
