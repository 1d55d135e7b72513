/**
 * A local HTTP server on 127.0.0.1 playing the two places vendors keep call recordings: S3 (path-style
 * `GET /<bucket>/<key>`, answered only to a request signed with AWS Signature Version 4 by the configured
 * access key, the signature checked with its secret) and Twilio's media host
 * (`GET /2010-04-01/Accounts/<AccountSid>/Recordings/<RecordingSid>.wav`, answered only with HTTP Basic
 * `<AccountSid>:<auth token>`). It counts what it served and what it refused.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the host keeps and whom it serves. */
export interface VendorMediaHostOptions {
  s3: { accessKeyId: string; secretAccessKey: string; region: string };
  twilio: { accountSid: string; authToken: string };
}

/** A running media host. */
export interface VendorMediaHost {
  /** `http://127.0.0.1:<port>`: the S3 endpoint and Twilio's media origin both. */
  url: string;
  /** Stores `bytes` as the S3 object `key` of `bucket`. */
  putObject(bucket: string, key: string, bytes: Buffer): void;
  /** Stores `bytes` as the WAV of Twilio recording `recordingSid`; answers its `RecordingUrl` (no extension). */
  putTwilioRecording(recordingSid: string, bytes: Buffer): string;
  /** Requests served (200) and refused (401/403/404), by path. */
  served: string[];
  refused: { path: string; status: number; reason: string }[];
  close(): Promise<void>;
}

/** Starts the media host on a free loopback port. */
export async function startVendorMediaHost(options: VendorMediaHostOptions): Promise<VendorMediaHost> {
  const objects = new Map<string, Buffer>();
  const served: string[] = [];
  const refused: VendorMediaHost['refused'] = [];
  const twilioPrefix = `/2010-04-01/Accounts/${options.twilio.accountSid}/Recordings/`;

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const path = (request.url ?? '/').split('?')[0]!;
    const twilio = path.startsWith(twilioPrefix);
    // As each answers: S3 an XML error with its code, Twilio a JSON body.
    const refuse = (status: number, code: string, reason: string) => {
      refused.push({ path, status, reason });
      response
        .writeHead(status, { 'content-type': twilio ? 'application/json' : 'application/xml' })
        .end(
          twilio
            ? JSON.stringify({ status, message: reason })
            : `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${reason}</Message></Error>`,
        );
    };
    if (request.method !== 'GET') return refuse(405, 'MethodNotAllowed', 'only GET');
    const problem = twilio ? basicProblem(request, options.twilio) : sigV4Problem(request, options.s3);
    if (problem !== undefined) return refuse(twilio ? 401 : 403, 'AccessDenied', problem);
    const bytes = objects.get(twilio ? path : decodeURIComponent(path));
    if (!bytes) return refuse(404, 'NoSuchKey', 'The specified key does not exist.');
    served.push(path);
    response.writeHead(200, {
      'content-type': twilio ? 'audio/x-wav' : 'binary/octet-stream',
      'content-length': String(bytes.length),
    });
    response.end(bytes);
  };
  const server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    putObject: (bucket, key, bytes) => objects.set(`/${bucket}/${key}`, bytes),
    putTwilioRecording(recordingSid, bytes) {
      objects.set(`${twilioPrefix}${recordingSid}.wav`, bytes);
      return `${url}${twilioPrefix}${recordingSid}`;
    },
    served,
    refused,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function basicProblem(
  request: IncomingMessage,
  account: VendorMediaHostOptions['twilio'],
): string | undefined {
  const expected = `Basic ${Buffer.from(`${account.accountSid}:${account.authToken}`).toString('base64')}`;
  return request.headers.authorization === expected
    ? undefined
    : 'HTTP Basic with the Account SID and its auth token is required';
}

/**
 * Why a request does not carry a valid SigV4 signature of the key (undefined when it does): the
 * canonical request rebuilt from what arrived, signed with the secret, compared with the signature sent.
 */
function sigV4Problem(request: IncomingMessage, key: VendorMediaHostOptions['s3']): string | undefined {
  const authorization = request.headers.authorization ?? '';
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  if (!match) return 'no AWS Signature Version 4 Authorization header';
  const [, accessKeyId, date, region, signedHeaders, signature] = match;
  if (accessKeyId !== key.accessKeyId) return `signed by ${accessKeyId}, not the configured access key`;
  if (region !== key.region) return `signed for ${region}, not ${key.region}`;
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  const [path, query = ''] = (request.url ?? '/').split('?');
  const canonicalQuery = query
    .split('&')
    .filter(Boolean)
    .map((pair) => (pair.includes('=') ? pair : `${pair}=`))
    .sort()
    .join('&');
  const headerNames = signedHeaders!.split(';');
  const canonicalHeaders = headerNames
    .map(
      (name) =>
        `${name}:${String(request.headers[name] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const canonicalRequest = [
    request.method,
    path,
    canonicalQuery,
    canonicalHeaders,
    signedHeaders,
    String(request.headers['x-amz-content-sha256'] ?? 'UNSIGNED-PAYLOAD'),
  ].join('\n');
  const scope = `${date}/${region}/s3/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const signingKey = [date!, region, 's3', 'aws4_request'].reduce<Buffer | string>(
    (secret, part) => hmac(secret, part),
    `AWS4${key.secretAccessKey}`,
  );
  return hmac(signingKey, stringToSign).toString('hex') === signature
    ? undefined
    : 'the signature does not match the request';
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
const hmac = (secret: Buffer | string, text: string) =>
  createHmac('sha256', secret).update(text, 'utf8').digest();
