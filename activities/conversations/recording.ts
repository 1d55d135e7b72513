/**
 * A call's recording, from the source to a playable Genesys recording, without ever holding the file in
 * memory: stream it from its URL (http, https, file) into a spool file while hashing it, check its size
 * and MD5 against what the source announced, ask Genesys for a presigned URL under
 * `<conversationId>/<communicationId>.<ext>`, PUT the spool file to it, then wait for the worker's
 * recording confirmer to find the file uploaded in an upload-status report it asks for on behalf of every
 * recording waiting (one report per round, not one read per recording). Progress is heartbeated: a
 * retry after the PUT succeeded only confirms, it does not upload again.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import axios from 'axios';
import { z } from 'zod';
import type { GenesysClient } from '../genesys/client';
import type { recordingContentTypes } from '../../domain/genesys';
import { asActivityFailure, asError } from '../genesys/errors';
import type { RecordingConfirmer } from '../genesys/recording-confirmer';
import { createRecordingUploadUrl, uploadToPresignedUrl } from '../genesys/recordings';

/** A recording file type Genesys takes. */
export type RecordingContentType = (typeof recordingContentTypes)[number];

/** A recording the workflow asks to upload. */
export interface RecordingToUpload {
  conversationId: string;
  /** The communication the file belongs to (the customer's leg: it spans the whole call). */
  communicationId: string;
  /** Where the source serves the file: http, https or file. */
  url: string;
  contentType: RecordingContentType;
  sizeBytes: number;
  /** Base64 MD5 the source announced, if it did. */
  md5?: string;
}

/** What was uploaded. */
export interface UploadedRecording {
  recordingId: string;
  fileName: string;
  md5: string;
  sizeBytes: number;
}

/** ApplicationFailure types of the recording upload. */
export const recordingFailureTypes = {
  /** The source's file is not what its recording-ready event announced (size or MD5). */
  mismatch: 'RecordingMismatch',
  /** Uploaded, but Genesys does not show it yet; retried. */
  notPlayableYet: 'RecordingNotPlayableYet',
  /** Uploaded, and Genesys refused the file (not audio of its type, say): the same bytes will not do. */
  refused: 'RecordingRefused',
  /** The source could not serve the file. */
  sourceUnavailable: 'RecordingSourceUnavailable',
} as const;

const extensions: Record<RecordingContentType, string> = {
  'audio/wav': 'wav',
  'audio/mpeg': 'mp3',
  'audio/ogg': 'ogg',
};

const heartbeatEveryMs = 1_000;

/**
 * Once the PUT succeeded: the MD5 that was sent and when the upload started, for the report that must
 * reach back to it. Parsed, as heartbeat details come back from the server; a worker of an earlier version
 * heartbeated no `uploadedAt`.
 */
const confirmingSchema = z.object({
  phase: z.literal('confirm'),
  md5: z.string(),
  uploadedAt: z.number().optional(),
});
type Progress = { phase: 'download' | 'upload'; bytes: number } | z.infer<typeof confirmingSchema>;

/** Streams `recording` to Genesys and waits until Genesys lists it for its conversation. */
export async function uploadRecordingFile(
  client: GenesysClient,
  recording: RecordingToUpload,
  context: Context,
  options: { confirmer: RecordingConfirmer; spoolDir?: string },
): Promise<UploadedRecording> {
  const { confirmer, spoolDir = tmpdir() } = options;
  const fileName = `${recording.conversationId}/${recording.communicationId}.${extensions[recording.contentType]}`;
  const previous = confirmingSchema.safeParse(context.info.heartbeatDetails);
  let progress: Progress = previous.success ? previous.data : { phase: 'download', bytes: 0 };
  const heartbeat = () => context.heartbeat(progress);
  const signal = context.cancellationSignal;
  // The configured spool folder may not exist yet (a fresh volume): made on first use.
  await mkdir(spoolDir, { recursive: true });
  const spool = await mkdtemp(join(spoolDir, 'byoi-recording-'));
  // Also while a call waits for the request budget: silence means a dead worker.
  const ticker = setInterval(heartbeat, heartbeatEveryMs);
  try {
    if (progress.phase !== 'confirm') {
      const file = join(spool, 'recording');
      const md5 = await download(recording, file, signal, (bytes) => {
        progress = { phase: 'download', bytes };
      });
      const uploadedAt = Date.now();
      const upload = await createRecordingUploadUrl(client, {
        fileName,
        contentMd5: md5,
        contentType: recording.contentType,
        signedUrlTimeoutSeconds: 3_600,
        serverSideEncryption: 'AES256',
      });
      progress = { phase: 'upload', bytes: 0 };
      heartbeat();
      const body = createReadStream(file);
      body.on('data', (chunk) => {
        if (progress.phase === 'upload') progress.bytes += chunk.length;
      });
      await uploadToPresignedUrl({
        url: upload.url,
        headers: upload.headers,
        body,
        sizeBytes: recording.sizeBytes,
        signal,
      });
      progress = { phase: 'confirm', md5, uploadedAt };
      heartbeat();
    }
    // An earlier version's heartbeat has no upload time; the first attempt's scheduling precedes it.
    const uploadedAt = progress.uploadedAt ?? context.info.scheduledTimestampMs;
    const recordingId = await confirm(confirmer, recording, fileName, uploadedAt, signal);
    return { recordingId, fileName, md5: progress.md5, sizeBytes: recording.sizeBytes };
  } catch (error) {
    if (error instanceof ApplicationFailure) throw error;
    throw asActivityFailure(error);
  } finally {
    clearInterval(ticker);
    await rm(spool, { recursive: true, force: true });
  }
}

/** Streams the source into `file`, hashing and counting; returns the base64 MD5 once it checks out. */
async function download(
  recording: RecordingToUpload,
  file: string,
  signal: AbortSignal,
  onProgress: (bytes: number) => void,
): Promise<string> {
  const hash = createHash('md5');
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      onProgress(bytes);
      // Never spool past what was announced: a source that serves more is wrong, not larger.
      if (bytes > recording.sizeBytes) done(mismatch(recording, `more than ${recording.sizeBytes} bytes`));
      else done(null, chunk);
    },
  });
  await pipeline(await openSource(recording.url, signal), meter, createWriteStream(file), { signal });
  const md5 = hash.digest('base64');
  if (bytes !== recording.sizeBytes) throw mismatch(recording, `${bytes} bytes, not ${recording.sizeBytes}`);
  if (recording.md5 !== undefined && recording.md5 !== md5) {
    throw mismatch(recording, `a file whose MD5 is ${md5}, not ${recording.md5}`);
  }
  return md5;
}

async function openSource(url: string, signal: AbortSignal): Promise<Readable> {
  const parsed = new URL(url);
  if (parsed.protocol === 'file:') return createReadStream(fileURLToPath(parsed));
  // Only the origin and path go into errors: a source's query string may carry a signature.
  const where = `${parsed.origin}${parsed.pathname}`;
  try {
    const response = await axios.get<Readable>(url, { responseType: 'stream', signal, validateStatus: null });
    if (response.status >= 200 && response.status < 300) return response.data;
    response.data.destroy();
    // A missing file is not coming back by itself; a busy source may recover.
    throw ApplicationFailure.create({
      type: recordingFailureTypes.sourceUnavailable,
      message: `the recording source ${where} answered ${response.status}`,
      nonRetryable: response.status === 404 || response.status === 410 || response.status === 403,
    });
  } catch (error) {
    if (error instanceof ApplicationFailure) throw error;
    throw ApplicationFailure.create({
      type: recordingFailureTypes.sourceUnavailable,
      message: `the recording source ${where} could not be read: ${asError(error).message}`,
    });
  }
}

function mismatch(recording: RecordingToUpload, served: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: recordingFailureTypes.mismatch,
    message: `the recording at ${new URL(recording.url).pathname} is not what its recording-ready event announced: the source served ${served}`,
    nonRetryable: true,
  });
}

/** Waits until the confirmer finds the file uploaded; a refusal is final, a timeout is retried. */
async function confirm(
  confirmer: RecordingConfirmer,
  recording: RecordingToUpload,
  fileName: string,
  uploadedAt: number,
  signal: AbortSignal,
): Promise<string> {
  const confirmation = await confirmer.confirm({ fileName, since: uploadedAt, signal });
  switch (confirmation.state) {
    case 'playable':
      return confirmation.recordingId ?? recording.communicationId;
    case 'refused':
      throw ApplicationFailure.create({
        type: recordingFailureTypes.refused,
        message: `Genesys refused the recording of conversation ${recording.conversationId}: ${confirmation.reason}`,
        nonRetryable: true,
      });
    case 'timedOut':
      throw ApplicationFailure.create({
        type: recordingFailureTypes.notPlayableYet,
        message: `the recording of conversation ${recording.conversationId} was uploaded but Genesys does not list it as available yet${
          confirmation.lastError ? ` (the last upload report failed: ${confirmation.lastError})` : ''
        }`,
      });
  }
}
