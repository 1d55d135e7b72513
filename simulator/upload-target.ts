/**
 * The presigned upload target, served by the simulator itself as S3 would: signature and expiry, the
 * exact headers the URL was issued with, Content-MD5 verified while the file streams to disk, S3 XML
 * errors. A stored file waits for its conversation leg, then becomes playable.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SimulatorContext } from './context';
import { sendS3Error } from './errors';
import type { RecordingUpload, SimulatorState, UploadStatus } from './state';

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
    return sendS3Error(reply, 403, 'AccessDenied', 'Access Denied');
  }
  if (Date.now() > upload.expiresAt) {
    return sendS3Error(reply, 403, 'AccessDenied', 'Request has expired');
  }
  const expectedHeaders = {
    'content-md5': upload.contentMd5,
    'content-type': upload.contentType,
    'x-amz-server-side-encryption': 'AES256',
  };
  for (const [name, expected] of Object.entries(expectedHeaders)) {
    if (request.headers[name] !== expected) {
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
    return sendS3Error(
      reply,
      411,
      'MissingContentLength',
      'You must provide the Content-Length HTTP header.',
    );
  }
  if (declared > context.limits.maxUploadBytes) {
    return sendS3Error(reply, 400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
  }
  // Each PUT writes its own part file and only a verified one replaces the stored file, so a failing
  // PUT never removes what an earlier one stored.
  const filePath = join(context.uploadDir, upload.uploadKey);
  const partPath = `${filePath}.${randomUUID()}.part`;
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
    await pipeline(request.raw, meter, createWriteStream(partPath));
  } catch (error) {
    await rm(partPath, { force: true });
    throw error;
  }
  const refusal =
    size !== declared
      ? {
          code: 'IncompleteBody',
          message: 'You did not provide the number of bytes specified by the Content-Length HTTP header',
        }
      : md5.digest('base64') !== upload.contentMd5
        ? { code: 'BadDigest', message: 'The Content-MD5 you specified did not match what we received.' }
        : undefined;
  if (refusal) {
    await rm(partPath, { force: true });
    return sendS3Error(reply, 400, refusal.code, refusal.message);
  }
  await rename(partPath, filePath);
  if (upload.filePath === undefined) context.state.counters.recordingsUploaded++;
  upload.sizeBytes = size;
  upload.filePath = filePath;
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

/** Registers `PUT /__uploads/:uploadKey`. */
export function registerUploadTarget(app: FastifyInstance, context: SimulatorContext): void {
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
