/**
 * Recordings (contract §5): the presigned upload URL, the S3-style PUT the simulator serves itself
 * (signature, expiry, exact headers, Content-MD5 verified while the file streams to disk), upload
 * status settled against injected conversations, upload reports, and the read-backs that show a
 * recording is playable.
 */
import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  genesysLimits,
  recordingUploadReportRequestSchema,
  uploadUrlRequestSchema,
} from '../activities/genesys/contract';
import type { SimulatorContext } from './context';
import { parseBody, sendS3Error, SimulatorHttpError } from './errors';
import type { RecordingUpload, SimulatorState, UploadStatus } from './state';

const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';
/** [assumption] `<conversationId>/<communicationId>.<ext>` ties a file to its conversation. */
const recordingFileName = new RegExp(`^(${uuid})/(${uuid})\\.(wav|mp3|ogg|opus)$`, 'i');

/** Whether the first bytes of a file look like its declared audio format. */
export function looksLikeAudio(contentType: string, head: Buffer): boolean {
  const ascii = (start: number, end: number) => head.subarray(start, end).toString('latin1');
  if (contentType === 'audio/wav') return ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE';
  if (contentType === 'audio/ogg') return ascii(0, 4) === 'OggS';
  // MPEG audio: an ID3 tag or a frame sync.
  return ascii(0, 3) === 'ID3' || (head[0] === 0xff && ((head[1] ?? 0) & 0xe0) === 0xe0);
}

function setStatus(upload: RecordingUpload, status: UploadStatus, errorMessage?: string): void {
  upload.status = status;
  upload.errorMessage = errorMessage;
  upload.dateModified = new Date().toISOString();
}

/** Settles the uploads waiting for a conversation whose leg has now been injected. */
export function settleWaitingUploads(state: SimulatorState, conversationId: string): void {
  const waiting = state.waitingUploads.get(conversationId);
  const legs = state.conversations.get(conversationId)?.conversation.legs;
  if (!waiting || !legs) return;
  for (const uploadKey of waiting) {
    const upload = state.uploads.get(uploadKey);
    if (upload && legs[upload.communicationId]) {
      setStatus(upload, 'Success');
      waiting.delete(uploadKey);
    }
  }
  if (waiting.size === 0) state.waitingUploads.delete(conversationId);
}

function sign(context: SimulatorContext, uploadKey: string, expiresAt: number): string {
  return createHmac('sha256', context.signingKey).update(`${uploadKey}:${expiresAt}`).digest('hex');
}

function baseUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

function registerUploadUrl(app: FastifyInstance, context: SimulatorContext): void {
  app.post(
    '/api/v2/uploads/recordings',
    { config: { permission: 'recording:recording:upload' } },
    (request) => {
      const body = parseBody(uploadUrlRequestSchema.strict(), request.body);
      const match = recordingFileName.exec(body.fileName);
      if (!match) {
        throw new SimulatorHttpError(
          400,
          `fileName ${body.fileName} must be <conversationId>/<communicationId>.<wav|mp3|ogg|opus>`,
          'invalid.value',
          [{ fieldName: 'fileName', errorCode: 'invalid.value' }],
        );
      }
      if (Buffer.from(body.contentMd5, 'base64').length !== 16) {
        throw new SimulatorHttpError(
          400,
          'contentMd5 must be the base64 of a 16-byte MD5 digest',
          'invalid.value',
          [{ fieldName: 'contentMd5', errorCode: 'invalid.value' }],
        );
      }
      const lifetimeSeconds = body.signedUrlTimeoutSeconds ?? genesysLimits.signedUrlTimeoutSeconds.default;
      const uploadKey = randomUUID();
      const expiresAt = Date.now() + lifetimeSeconds * 1000;
      const contentType = body.contentType ?? 'audio/wav';
      const signature = sign(context, uploadKey, expiresAt);
      const now = new Date().toISOString();
      context.state.uploads.set(uploadKey, {
        uploadKey,
        recordingId: randomUUID(),
        fileName: body.fileName,
        conversationId: match[1]!.toLowerCase(),
        communicationId: match[2]!.toLowerCase(),
        contentMd5: body.contentMd5,
        contentType,
        expiresAt,
        signature,
        status: 'Pending',
        dateCreated: now,
        dateModified: now,
      });
      const query = new URLSearchParams({
        'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
        'X-Amz-Expires': String(lifetimeSeconds),
        'X-Amz-Signature': signature,
      });
      return {
        url: `${baseUrl(request)}/__uploads/${uploadKey}?${query.toString()}`,
        uploadKey,
        headers: {
          'Content-MD5': body.contentMd5,
          'Content-Type': contentType,
          'x-amz-server-side-encryption': 'AES256',
        },
      };
    },
  );
}

async function receiveUpload(
  context: SimulatorContext,
  request: FastifyRequest<{ Params: { uploadKey: string }; Querystring: Record<string, string> }>,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const upload = context.state.uploads.get(request.params.uploadKey);
  const given = Buffer.from(request.query['X-Amz-Signature'] ?? '');
  if (
    !upload ||
    given.length !== upload.signature.length ||
    !timingSafeEqual(given, Buffer.from(upload.signature))
  ) {
    reply.header('Connection', 'close');
    return sendS3Error(reply, 403, 'AccessDenied', 'Access Denied');
  }
  if (Date.now() > upload.expiresAt) {
    reply.header('Connection', 'close');
    return sendS3Error(reply, 403, 'AccessDenied', 'Request has expired');
  }
  const expectedHeaders = {
    'content-md5': upload.contentMd5,
    'content-type': upload.contentType,
    'x-amz-server-side-encryption': 'AES256',
  };
  for (const [name, expected] of Object.entries(expectedHeaders)) {
    if (request.headers[name] !== expected) {
      reply.header('Connection', 'close');
      return sendS3Error(
        reply,
        403,
        'SignatureDoesNotMatch',
        `The request signature we calculated does not match the signature you provided: header ${name} must be exactly the one the URL was issued with`,
      );
    }
  }
  const declared = Number(request.headers['content-length']);
  if (!Number.isInteger(declared)) {
    reply.header('Connection', 'close');
    return sendS3Error(
      reply,
      411,
      'MissingContentLength',
      'You must provide the Content-Length HTTP header.',
    );
  }
  if (declared > context.limits.maxUploadBytes) {
    reply.header('Connection', 'close');
    return sendS3Error(reply, 400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
  }
  const filePath = join(context.uploadDir, upload.uploadKey);
  const md5 = createHash('md5');
  let size = 0;
  let head = Buffer.alloc(0);
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      md5.update(chunk);
      size += chunk.length;
      if (head.length < 12) head = Buffer.concat([head, chunk.subarray(0, 12 - head.length)]);
      callback(null, chunk);
    },
  });
  try {
    await pipeline(request.raw, meter, createWriteStream(filePath));
  } catch (error) {
    await rm(filePath, { force: true });
    throw error;
  }
  if (size !== declared) {
    await rm(filePath, { force: true });
    return sendS3Error(
      reply,
      400,
      'IncompleteBody',
      'You did not provide the number of bytes specified by the Content-Length HTTP header',
    );
  }
  if (md5.digest('base64') !== upload.contentMd5) {
    await rm(filePath, { force: true });
    return sendS3Error(
      reply,
      400,
      'BadDigest',
      'The Content-MD5 you specified did not match what we received.',
    );
  }
  upload.sizeBytes = size;
  upload.filePath = filePath;
  context.state.counters.recordingsUploaded++;
  if (!looksLikeAudio(upload.contentType, head)) {
    setStatus(upload, 'Failure', `the file is not ${upload.contentType} audio`);
  } else {
    setStatus(upload, 'WaitForConversation');
    const waiting = context.state.waitingUploads.get(upload.conversationId) ?? new Set<string>();
    waiting.add(upload.uploadKey);
    context.state.waitingUploads.set(upload.conversationId, waiting);
    settleWaitingUploads(context.state, upload.conversationId);
  }
  return reply
    .code(200)
    .header('ETag', `"${Buffer.from(upload.contentMd5, 'base64').toString('hex')}"`)
    .send();
}

function registerUploadTarget(app: FastifyInstance, context: SimulatorContext): void {
  // Its own plugin so the body stays an unread stream here and JSON everywhere else.
  void app.register((uploads, _options, done) => {
    uploads.removeAllContentTypeParsers();
    uploads.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));
    uploads.put<{ Params: { uploadKey: string }; Querystring: Record<string, string> }>(
      '/__uploads/:uploadKey',
      (request, reply) => receiveUpload(context, request, reply),
    );
    done();
  });
}

function uploadView(upload: RecordingUpload) {
  const { signature: _signature, filePath: _filePath, expiresAt: _expiresAt, ...view } = upload;
  return view;
}

function registerReports(app: FastifyInstance, context: SimulatorContext): void {
  const reportView = (request: FastifyRequest, reportId: string) => {
    const report = context.state.reports.get(reportId);
    if (!report) throw new SimulatorHttpError(404, `Upload report ${reportId} not found`);
    const done = Date.now() - report.createdAt >= context.limits.reportProcessingMs;
    return {
      id: report.id,
      state: done ? 'Completed' : 'InProgress',
      ...(done ? { signedUrl: `${baseUrl(request)}/__reports/${report.id}` } : {}),
    };
  };
  app.post(
    '/api/v2/recording/uploads/reports',
    { config: { permission: 'recording:uploadReport:add' } },
    (request) => {
      const body = parseBody(recordingUploadReportRequestSchema.strict(), request.body);
      if (Number.isNaN(Date.parse(body.dateSince))) {
        throw new SimulatorHttpError(400, `dateSince ${body.dateSince} is not a date`, 'invalid.date', [
          { fieldName: 'dateSince', errorCode: 'invalid.date' },
        ]);
      }
      const id = randomUUID();
      context.state.reports.set(id, { id, ...body, createdAt: Date.now() });
      return reportView(request, id);
    },
  );
  app.get<{ Params: { reportId: string } }>(
    '/api/v2/recording/uploads/reports/:reportId',
    { config: { permission: 'recording:uploadReport:view' } },
    (request) => reportView(request, request.params.reportId),
  );
  // [assumption] The report's signed URL serves the uploads it covers as JSON.
  app.get<{ Params: { reportId: string } }>('/__reports/:reportId', (request) => {
    const report = context.state.reports.get(request.params.reportId);
    if (!report) throw new SimulatorHttpError(404, `Upload report ${request.params.reportId} not found`);
    const since = Date.parse(report.dateSince);
    const entities = [...context.state.uploads.values()]
      .filter((upload) => Date.parse(upload.dateModified) >= since)
      .filter((upload) => report.uploadStatus === undefined || upload.status === report.uploadStatus)
      .map(uploadView);
    return { entities };
  });
}

function registerReadBacks(app: FastifyInstance, context: SimulatorContext): void {
  const conversationOf = (conversationId: string) => {
    const record = context.state.conversations.get(conversationId);
    if (!record) throw new SimulatorHttpError(404, `Conversation ${conversationId} not found`);
    return record.conversation;
  };
  app.get<{ Params: { conversationId: string } }>(
    '/api/v2/conversations/:conversationId/recordingmetadata',
    { config: { permission: 'recording:recording:view' } },
    (request) => {
      const conversation = conversationOf(request.params.conversationId);
      return [...context.state.uploads.values()]
        .filter(
          (upload) => upload.conversationId === conversation.conversationId && upload.status === 'Success',
        )
        .map((upload) => {
          const leg = conversation.legs[upload.communicationId];
          return {
            id: upload.recordingId,
            conversationId: upload.conversationId,
            sessionId: upload.communicationId,
            media: 'audio',
            fileState: 'AVAILABLE',
            startTime: leg?.establishedAt,
            endTime: leg?.endedAt,
          };
        });
    },
  );
  app.get<{ Params: { conversationId: string } }>(
    '/api/v2/analytics/conversations/:conversationId/details',
    { config: { permission: 'analytics:conversationDetail:view' } },
    (request) => {
      const conversation = conversationOf(request.params.conversationId);
      return {
        conversationId: conversation.conversationId,
        conversationStart: conversation.startedAt,
        conversationEnd: conversation.endedAt,
        mediaType: conversation.channel,
        participants: Object.values(conversation.legs).map((leg) => ({
          participantId: leg.communicationId,
          purpose: leg.purpose,
          userId: leg.userId,
          queueId: leg.queueId,
          sessions: [
            {
              sessionId: leg.communicationId,
              mediaType: conversation.channel,
              established: leg.establishedAt,
              answered: leg.answeredAt,
              ended: leg.endedAt,
              disconnectType: leg.disconnectType,
              holds: leg.holds,
              wrapup: leg.wrapup,
            },
          ],
        })),
      };
    },
  );
}

/** Registers the recording routes, the upload target and the read-backs. */
export function registerRecordingRoutes(app: FastifyInstance, context: SimulatorContext): void {
  registerUploadUrl(app, context);
  registerUploadTarget(app, context);
  registerReports(app, context);
  registerReadBacks(app, context);
}
