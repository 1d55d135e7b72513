/**
 * Where a recording's bytes come from: opens the stream a recording-ready event points to (http, https,
 * file, or an S3 object as `s3://<bucket>/<key>`) with the access configured for the conversation's
 * source. A source with origins listed may only point there, so an event can neither steer the worker to
 * an arbitrary host nor carry the source's credentials away; a source without may point anywhere and gets
 * no credentials. The credentials live in the worker's configuration, looked up here by source: none ever
 * enters a workflow input, a history or a log line.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, S3Client, S3ServiceException, type S3ClientConfig } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import axios from 'axios';
import { recordingOriginOf, type BasicCredentials } from '../../config/recordings';
import { asError } from '../genesys/errors';

/** How the upload activity reaches each source's recordings (the worker passes its configuration's). */
export interface RecordingSourceOptions {
  /** Per source, the origins (`https://api.twilio.com`, `s3://bucket`) its recording URLs may point to. */
  origins?: Record<string, string[]>;
  /** Per source, HTTP Basic credentials sent with its http(s) recording fetches (never logged). */
  credentials?: Record<string, BasicCredentials>;
  /**
   * s3:// recordings. Without `credentials` the SDK's default provider chain finds them (AWS_ACCESS_KEY_ID
   * and friends, profiles, instance and container roles); with `endpoint`, an S3-compatible service
   * addressed path-style.
   */
  s3?: { region?: string; endpoint?: string; credentials?: S3ClientConfig['credentials'] };
  /** How long an http(s) source may send nothing (before its answer or mid-body) before the fetch fails. */
  idleTimeoutMs?: number;
}

/**
 * The default of {@link RecordingSourceOptions.idleTimeoutMs}. The upload heartbeats while it waits, so a
 * source that stalls mid-body would otherwise hold the attempt for the whole upload timeout (30 minutes);
 * failed, the attempt is retried (found by the chaos run, issue 18).
 */
export const defaultSourceIdleTimeoutMs = 60_000;

/** A recording's bytes as they start to arrive, and their length when the source says it up front. */
export interface OpenedRecording {
  body: Readable;
  sizeBytes?: number;
}

/** ApplicationFailure types of reaching a recording's source. */
export const recordingSourceFailureTypes = {
  /** The source could not serve the file. */
  unavailable: 'RecordingSourceUnavailable',
  /** The URL points outside the origins listed for its source: not fetched, and never will be. */
  notAllowed: 'RecordingSourceNotAllowed',
} as const;

/** Opens recordings with each source's access; one per worker (it holds the S3 client). */
export class RecordingSources {
  private s3Client: S3Client | undefined;

  constructor(private readonly options: RecordingSourceOptions = {}) {}

  /** Opens the stream of `url` for `source`, after checking the URL against the source's origins. */
  async open(source: string, url: string, signal: AbortSignal): Promise<OpenedRecording> {
    const parsed = new URL(url);
    const allowed = this.options.origins?.[source];
    const origin = recordingOriginOf(parsed);
    if (allowed !== undefined && !allowed.includes(origin)) {
      throw ApplicationFailure.create({
        type: recordingSourceFailureTypes.notAllowed,
        message: `the recording URL of source ${source} points to ${origin}, which is not among its origins (${allowed.join(', ')})`,
        nonRetryable: true,
      });
    }
    switch (parsed.protocol) {
      case 'file:':
        return openFile(parsed);
      case 's3:':
        return this.openS3Object(parsed, signal);
      default:
        // Only a source whose origins are listed gets credentials: they go nowhere else.
        return openHttp(
          parsed,
          allowed ? this.options.credentials?.[source] : undefined,
          signal,
          this.options.idleTimeoutMs ?? defaultSourceIdleTimeoutMs,
        );
    }
  }

  /** Releases the S3 client's connections. */
  close(): void {
    this.s3Client?.destroy();
    this.s3Client = undefined;
  }

  private async openS3Object(url: URL, signal: AbortSignal): Promise<OpenedRecording> {
    const bucket = url.host;
    // A key is written into the URL as it is, or percent-encoded; either way this is the object's name.
    const key = decodeURIComponent(url.pathname.slice(1));
    const where = `s3://${bucket}/${key}`;
    try {
      const { Body: body, ContentLength: sizeBytes } = await this.s3().send(
        new GetObjectCommand({ Bucket: bucket, Key: key }),
        { abortSignal: signal },
      );
      if (body === undefined) throw unavailable(`the recording source ${where} answered without a body`);
      return { body: body as Readable, ...(sizeBytes === undefined ? {} : { sizeBytes }) };
    } catch (error) {
      if (error instanceof ApplicationFailure) throw error;
      if (error instanceof S3ServiceException) {
        const status = error.$metadata.httpStatusCode;
        // A missing object or a refusal is not coming back by itself; throttling and 5xx may pass.
        const gone =
          status === 403 ||
          status === 404 ||
          ['NoSuchKey', 'NoSuchBucket', 'AccessDenied', 'InvalidObjectState'].includes(error.name);
        throw unavailable(
          `the recording source ${where} answered ${status ?? 'no status'} ${error.name}: ${error.message}`,
          gone,
        );
      }
      throw unavailable(`the recording source ${where} could not be read: ${asError(error).message}`);
    }
  }

  private s3(): S3Client {
    const { region, endpoint, credentials } = this.options.s3 ?? {};
    this.s3Client ??= new S3Client({
      ...(region === undefined ? {} : { region }),
      ...(endpoint === undefined ? {} : { endpoint, forcePathStyle: true }),
      ...(credentials === undefined ? {} : { credentials }),
      // Temporal retries the activity with its own backoff; the SDK's retries would multiply them.
      maxAttempts: 1,
    });
    return this.s3Client;
  }
}

async function openFile(url: URL): Promise<OpenedRecording> {
  const path = fileURLToPath(url);
  // A file not there (yet: a shared volume that lags) is retried, as a busy server is.
  const { size } = await stat(path).catch((error: unknown) => {
    throw unavailable(`the recording source ${url.href} could not be read: ${asError(error).message}`);
  });
  return { body: createReadStream(path), sizeBytes: size };
}

async function openHttp(
  url: URL,
  credentials: BasicCredentials | undefined,
  signal: AbortSignal,
  idleTimeoutMs: number,
): Promise<OpenedRecording> {
  // Only the origin and path go into errors: a source's query string may carry a signature.
  const where = `${url.origin}${url.pathname}`;
  try {
    // axios drops the credentials on a redirect to another origin (Twilio's media may redirect).
    const response = await axios.get<Readable>(url.href, {
      responseType: 'stream',
      signal,
      // For a stream, axios's timeout is the socket's idle time: a slow, steady download is not cut.
      timeout: idleTimeoutMs,
      validateStatus: null,
      ...(credentials ? { auth: credentials } : {}),
    });
    if (response.status >= 200 && response.status < 300) {
      const length = Number(response.headers['content-length']);
      return { body: response.data, ...(Number.isInteger(length) ? { sizeBytes: length } : {}) };
    }
    response.data.destroy();
    // A missing file is not coming back by itself, nor are credentials the source refuses; a busy one may recover.
    throw unavailable(
      `the recording source ${where} answered ${response.status}`,
      [401, 403, 404, 410].includes(response.status),
    );
  } catch (error) {
    if (error instanceof ApplicationFailure) throw error;
    throw unavailable(`the recording source ${where} could not be read: ${asError(error).message}`);
  }
}

function unavailable(message: string, nonRetryable = false): ApplicationFailure {
  return ApplicationFailure.create({ type: recordingSourceFailureTypes.unavailable, message, nonRetryable });
}
