/**
 * A call's recording, from the source to a playable Genesys recording, without ever holding the file in
 * memory: stream it from its URL (http, https, file, s3; see recording-source.ts for who may point where,
 * with what credentials) into a spool file while hashing and counting it, check its size and MD5 against
 * what the source announced (a size it did not announce is learnt here, and held to Genesys's upload
 * limit), ask Genesys for a presigned URL under
 * `<conversationId>/<communicationId>.<ext>`, PUT the spool file to it, then wait for the worker's
 * recording confirmer to find the file uploaded in an upload-status report it asks for on behalf of every
 * recording waiting (one report per round, not one read per recording). Progress is heartbeated: a
 * retry after the PUT succeeded only confirms, it does not upload again. A retry that never heartbeated the
 * PUT's success (its worker was killed between the PUT and the next heartbeat) downloads again for the MD5
 * and size, then asks the confirmer's next report whether the file is already listed since the activity
 * was first scheduled; if it is, with our MD5, it only confirms, so Genesys never holds the file twice. A
 * first attempt asks nothing extra.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { GenesysClient } from '../genesys/client';
import { genesysLimits, type recordingContentTypes } from '../../domain/genesys';
import { asActivityFailure } from '../genesys/errors';
import type { RecordingUploadReportEntry } from '../../domain/genesys/upload-report';
import {
  confirmationOf,
  type RecordingConfirmation,
  type RecordingConfirmer,
} from '../genesys/recording-confirmer';
import { createRecordingUploadUrl, uploadToPresignedUrl } from '../genesys/recordings';
import { RecordingSources, recordingSourceFailureTypes } from './recording-source';

/** A recording file type Genesys takes. */
export type RecordingContentType = (typeof recordingContentTypes)[number];

/** A recording the workflow asks to upload. */
export interface RecordingToUpload {
  /** The conversation's source: its recording access (origins, credentials) is looked up by this name. */
  source: string;
  conversationId: string;
  /** The communication the file belongs to (the customer's leg: it spans the whole call). */
  communicationId: string;
  /** Where the source serves the file: http, https, file or s3. */
  url: string;
  contentType: RecordingContentType;
  /** The size the source announced, if it did; else learnt while spooling. */
  sizeBytes?: number;
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
  /** The file is larger than Genesys takes (genesysLimits.maxUploadBytes). */
  tooLarge: 'RecordingTooLarge',
  /** Uploaded, but Genesys does not show it yet; retried. */
  notPlayableYet: 'RecordingNotPlayableYet',
  /** Uploaded, and Genesys refused the file (not audio of its type, say): the same bytes will not do. */
  refused: 'RecordingRefused',
  /** The source could not serve the file. */
  sourceUnavailable: recordingSourceFailureTypes.unavailable,
  /** The URL points outside the origins listed for the conversation's source. */
  sourceNotAllowed: recordingSourceFailureTypes.notAllowed,
} as const;

const extensions: Record<RecordingContentType, string> = {
  'audio/wav': 'wav',
  'audio/mpeg': 'mp3',
  'audio/ogg': 'ogg',
};

const heartbeatEveryMs = 1_000;

/**
 * Once the PUT succeeded: the MD5 and size that were sent and when the upload started, for the report that
 * must reach back to it. Parsed, as heartbeat details come back from the server; a worker of an earlier
 * version heartbeated neither `uploadedAt` nor `sizeBytes`.
 */
const confirmingSchema = z.object({
  phase: z.literal('confirm'),
  md5: z.string(),
  sizeBytes: z.number().optional(),
  uploadedAt: z.number().optional(),
});
type Progress = { phase: 'download' | 'upload'; bytes: number } | z.infer<typeof confirmingSchema>;

/** Streams `recording` to Genesys and waits until Genesys lists it for its conversation. */
export async function uploadRecordingFile(
  client: GenesysClient,
  recording: RecordingToUpload,
  context: Context,
  options: {
    confirmer: RecordingConfirmer;
    spoolDir?: string;
    /** Each source's access to its recordings (default: none listed, no credentials). */
    sources?: RecordingSources;
    /** The largest file taken (default: Genesys's upload limit). */
    maxBytes?: number;
  },
): Promise<UploadedRecording> {
  const {
    confirmer,
    spoolDir = tmpdir(),
    sources = new RecordingSources(),
    maxBytes = genesysLimits.maxUploadBytes,
  } = options;
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
  // An earlier attempt's upload of the file, if a retry found one listed.
  let earlier: RecordingUploadReportEntry | undefined;
  try {
    if (progress.phase !== 'confirm') {
      const file = join(spool, 'recording');
      const { md5, sizeBytes } = await download(recording, file, { sources, maxBytes, signal }, (bytes) => {
        progress = { phase: 'download', bytes };
      });
      const firstScheduledAt = context.info.scheduledTimestampMs;
      // Only a retry can find its own file uploaded already: a first attempt asks nothing.
      if (context.info.attempt > 1)
        earlier = await uploadedEarlier(confirmer, { fileName, md5, since: firstScheduledAt, signal });
      // The file found listed was uploaded after the first scheduling: its report reaches back to that.
      let uploadedAt = firstScheduledAt;
      if (earlier === undefined) {
        uploadedAt = Date.now();
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
        await uploadToPresignedUrl({ url: upload.url, headers: upload.headers, body, sizeBytes, signal });
      }
      progress = { phase: 'confirm', md5, sizeBytes, uploadedAt };
      heartbeat();
    }
    // An earlier version's heartbeat has no upload time; the first attempt's scheduling precedes it.
    const uploadedAt = progress.uploadedAt ?? context.info.scheduledTimestampMs;
    // A listed upload that settled already needs no further round.
    const confirmation =
      (earlier && confirmationOf(earlier)) ??
      (await confirmer.confirm({ fileName, since: uploadedAt, signal }));
    const recordingId = confirmed(confirmation, recording);
    // An earlier version's heartbeat has no size: its recordings always announced one.
    const sizeBytes = progress.sizeBytes ?? recording.sizeBytes ?? 0;
    return { recordingId, fileName, md5: progress.md5, sizeBytes };
  } catch (error) {
    if (error instanceof ApplicationFailure) throw error;
    throw asActivityFailure(error);
  } finally {
    clearInterval(ticker);
    await rm(spool, { recursive: true, force: true });
  }
}

/**
 * Streams the source into `file`, hashing and counting; answers the base64 MD5 and the size once they check
 * out against what was announced, or, when no size was, against the largest file taken.
 */
async function download(
  recording: RecordingToUpload,
  file: string,
  { sources, maxBytes, signal }: { sources: RecordingSources; maxBytes: number; signal: AbortSignal },
  onProgress: (bytes: number) => void,
): Promise<{ md5: string; sizeBytes: number }> {
  const opened = await sources.open(recording.source, recording.url, signal);
  const announced = recording.sizeBytes;
  // A source that says up front the file is too large is not read at all.
  if (announced === undefined && opened.sizeBytes !== undefined && opened.sizeBytes > maxBytes) {
    opened.body.destroy();
    throw tooLarge(recording, maxBytes, `${opened.sizeBytes} bytes`);
  }
  const hash = createHash('md5');
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      onProgress(bytes);
      // Never spool past what was announced (a source that serves more is wrong, not larger), nor past
      // what Genesys takes.
      if (announced !== undefined && bytes > announced)
        done(mismatch(recording, `more than ${announced} bytes`));
      else if (bytes > maxBytes) done(tooLarge(recording, maxBytes, `more than ${maxBytes} bytes`));
      else done(null, chunk);
    },
  });
  await pipeline(opened.body, meter, createWriteStream(file), { signal });
  const md5 = hash.digest('base64');
  // No call has an empty recording: a source that serves one has lost it.
  if (bytes === 0) throw mismatch(recording, 'an empty file');
  if (announced !== undefined && bytes !== announced) {
    throw mismatch(recording, `${bytes} bytes, not ${announced}`);
  }
  if (recording.md5 !== undefined && recording.md5 !== md5) {
    throw mismatch(recording, `a file whose MD5 is ${md5}, not ${recording.md5}`);
  }
  return { md5, sizeBytes: bytes };
}

function tooLarge(recording: RecordingToUpload, maxBytes: number, served: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: recordingFailureTypes.tooLarge,
    message: `the recording at ${new URL(recording.url).pathname} is larger than Genesys's upload limit of ${maxBytes} bytes: the source served ${served}`,
    nonRetryable: true,
  });
}

function mismatch(recording: RecordingToUpload, served: string): ApplicationFailure {
  return ApplicationFailure.create({
    type: recordingFailureTypes.mismatch,
    message: `the recording at ${new URL(recording.url).pathname} is not what its recording-ready event announced: the source served ${served}`,
    nonRetryable: true,
  });
}

/**
 * The upload of `fileName` with these bytes a report lists since `since`, if its PUT landed (`Success`,
 * `WaitForConversation`, `Failure`), not merely its URL was asked for (`Pending`). An entry that carries
 * its `contentMd5` (the simulator's do; real Genesys's listing is an [assumption], see
 * domain/genesys/upload-report.ts) must carry ours: other bytes under the same name are not our file.
 */
async function uploadedEarlier(
  confirmer: RecordingConfirmer,
  { fileName, md5, since, signal }: { fileName: string; md5: string; since: number; signal: AbortSignal },
): Promise<RecordingUploadReportEntry | undefined> {
  const entry = await confirmer.lookup({ fileName, since, signal });
  if (entry === undefined || entry.status === 'Pending') return undefined;
  return entry.contentMd5 === undefined || entry.contentMd5 === md5 ? entry : undefined;
}

/** The recording id of a playable file; a refusal is final, a timeout is retried. */
function confirmed(confirmation: RecordingConfirmation, recording: RecordingToUpload): string {
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
