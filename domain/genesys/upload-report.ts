/**
 * The content of a completed upload-status report (contract §5). Genesys documents the report resource
 * (`id`, `state`, `signedUrl`) but not the file its signed URL serves: **[assumption]** it lists the
 * uploads the report covers, each with its file name and upload status, as the simulator serves it.
 * Read leniently: only the fields the bridge matches on are required.
 */
import { z } from 'zod';
import { uploadStatuses } from './fields';

/** One upload in a report: the file (`<conversationId>/<communicationId>.<ext>`) and where it stands. */
export const recordingUploadReportEntrySchema = z.looseObject({
  fileName: z.string().min(1),
  status: z.enum(uploadStatuses),
  recordingId: z.string().optional(),
  errorMessage: z.string().optional(),
});
/** What a completed report's signed URL serves. */
export const recordingUploadReportListingSchema = z.looseObject({
  entities: z.array(recordingUploadReportEntrySchema),
});
/** One upload as a report lists it. */
export type RecordingUploadReportEntry = z.infer<typeof recordingUploadReportEntrySchema>;
