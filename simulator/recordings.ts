/**
 * Recordings (contract §5): the presigned upload URL (its target is `upload-target.ts`), upload
 * reports, and the read-backs that show a recording is playable.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  genesysLimits,
  recordingUploadReportRequestSchema,
  uploadUrlRequestSchema,
  uuidV4,
} from '../domain/genesys';
import type { RecordingUploadReportEntry } from '../domain/genesys/upload-report';
import type { SimulatorContext } from './context';
import { parseBody, SimulatorHttpError } from './errors';
import type { RecordingUpload } from './state';
import { registerUploadTarget } from './upload-target';

/** [assumption] `<conversationId>/<communicationId>.<ext>` ties a file to its conversation. */
const recordingFileName = /^([^/]+)\/([^/.]+)\.(wav|mp3|ogg|opus)$/i;

/** The conversation and leg a file name names, as written (ids match events exactly, case included). */
function recordingIds(fileName: string): { conversationId: string; communicationId: string } | undefined {
  const [, conversationId, communicationId] = recordingFileName.exec(fileName) ?? [];
  if (!uuidV4.safeParse(conversationId).success || !uuidV4.safeParse(communicationId).success)
    return undefined;
  return { conversationId: conversationId!, communicationId: communicationId! };
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
      const ids = recordingIds(body.fileName);
      if (!ids) {
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
      // The simulator keeps each URL's signature, so a random one proves as much as an HMAC would.
      const signature = randomBytes(32).toString('hex');
      const now = new Date().toISOString();
      context.state.uploads.set(uploadKey, {
        uploadKey,
        recordingId: randomUUID(),
        fileName: body.fileName,
        ...ids,
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

/** An upload as reports and the inspection API show it: no signature, no local path. */
export function uploadView(upload: RecordingUpload) {
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
  // [assumption] The report's signed URL serves the uploads it covers as JSON, each with its file name
  // and status (`contract/upload-report.ts`): what the bridge's recording confirmer matches on.
  app.get<{ Params: { reportId: string } }>('/__reports/:reportId', (request) => {
    const report = context.state.reports.get(request.params.reportId);
    if (!report) throw new SimulatorHttpError(404, `Upload report ${request.params.reportId} not found`);
    const since = Date.parse(report.dateSince);
    const entities: RecordingUploadReportEntry[] = [...context.state.uploads.values()]
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
