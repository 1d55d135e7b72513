/**
 * Everything else on the wire (contract §1, §2, §5, §6): error bodies, OAuth, recordings and the
 * directory. Outbound bodies are exact; Genesys's answers are read leniently (unknown fields pass).
 */
import { z } from 'zod';
import { genesysLimits } from './limits';
import { recordingContentTypes, reportStates, systemPresences, uploadStatuses } from './fields';

/** The error body of any 4xx/5xx answer. */
export const genesysErrorBodySchema = z.looseObject({
  message: z.string(),
  code: z.string(),
  status: z.number(),
  contextId: z.string().optional(),
  details: z
    .array(
      z.looseObject({
        errorCode: z.string().optional(),
        fieldName: z.string().optional(),
        entityId: z.string().optional(),
        entityName: z.string().optional(),
      }),
    )
    .optional(),
  errors: z.array(z.unknown()).optional(),
  messageWithParams: z.string().optional(),
  messageParams: z.record(z.string(), z.string()).optional(),
});
/** A Genesys error body. */
export type GenesysErrorBody = z.infer<typeof genesysErrorBodySchema>;

/** Answer of `POST /oauth/token`. */
export const oauthTokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  token_type: z.string(),
  expires_in: z.number().positive(),
});

/** Body of `POST /api/v2/uploads/recordings`. */
export const uploadUrlRequestSchema = z.object({
  fileName: z.string().min(1),
  contentMd5: z.string().min(1),
  contentType: z.enum(recordingContentTypes).optional(),
  signedUrlTimeoutSeconds: z
    .number()
    .int()
    .min(genesysLimits.signedUrlTimeoutSeconds.min)
    .max(genesysLimits.signedUrlTimeoutSeconds.max)
    .optional(),
  serverSideEncryption: z.literal('AES256').optional(),
});
/** Answer of `POST /api/v2/uploads/recordings`. */
export const uploadUrlResponseSchema = z.looseObject({
  url: z.string().min(1),
  uploadKey: z.string().min(1),
  headers: z.record(z.string(), z.string()),
});
/** Body of `POST /api/v2/recording/uploads/reports`. */
export const recordingUploadReportRequestSchema = z.object({
  dateSince: z.string().min(1),
  uploadStatus: z.enum(uploadStatuses).optional(),
});
/** An upload-status report. */
export const recordingUploadReportSchema = z.looseObject({
  id: z.string().min(1),
  state: z.enum(reportStates),
  signedUrl: z.string().optional(),
});
/** Answer of `GET /api/v2/conversations/{id}/recordingmetadata`. */
export const recordingMetadataSchema = z.array(
  z.looseObject({
    id: z.string().optional(),
    conversationId: z.string().optional(),
    fileState: z.string().optional(),
    media: z.string().optional(),
    startTime: z.string().optional(),
    endTime: z.string().optional(),
    sessionId: z.string().optional(),
  }),
);

/** A paged listing of `item`. */
export function listingPageSchema<Item extends z.ZodType>(item: Item) {
  return z.looseObject({
    entities: z.array(item).optional(),
    pageSize: z.number().optional(),
    pageNumber: z.number().optional(),
    total: z.number().optional(),
    pageCount: z.number().optional(),
    nextUri: z.string().optional(),
  });
}

const entityReference = z.looseObject({ id: z.string(), name: z.string().optional() });

/** A Genesys user. */
export const userSchema = z.looseObject({
  id: z.string(),
  name: z.string().optional(),
  email: z.string().optional(),
  state: z.enum(['active', 'inactive', 'deleted']).optional(),
  version: z.number(),
  division: entityReference.optional(),
});
/** Body of `POST /api/v2/users`. */
export const createUserRequestSchema = z.object({
  name: z.string().min(1),
  email: z.string().min(1),
  divisionId: z.string().min(1),
  department: z.string().optional(),
  title: z.string().optional(),
  state: z.enum(['active', 'inactive']).optional(),
});
/** Body of `PATCH /api/v2/users/{id}`: needs the current version. */
export const updateUserRequestSchema = z.object({
  version: z.number().int(),
  name: z.string().min(1).optional(),
  email: z.string().min(1).optional(),
  department: z.string().optional(),
  title: z.string().optional(),
  state: z.enum(['active', 'inactive']).optional(),
});
/** A user's external id (`authorityName` = the source's name). */
export const externalIdSchema = z.object({
  authorityName: z.string().min(1),
  externalKey: z.string().min(1),
});
/** A queue. */
export const queueSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  division: entityReference.optional(),
});
/** Body of `POST /api/v2/routing/queues`. */
export const createQueueRequestSchema = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  division: z.object({ id: z.string() }).optional(),
});
/** A queue member. */
export const queueMemberSchema = z.looseObject({
  id: z.string(),
  name: z.string().optional(),
  user: entityReference.optional(),
});
/** A routing skill. */
export const skillSchema = z.looseObject({ id: z.string(), name: z.string(), state: z.string().optional() });
/** Body of `POST /api/v2/routing/skills` (`CreateRoutingSkill`). */
export const createSkillRequestSchema = z.object({ name: z.string().min(1) });
/** Entity references: queue members to add or remove (≤ 100), wrap-up codes for a queue (≤ 100). */
export const entityReferencesSchema = z.array(z.object({ id: z.string().min(1) })).max(100);
/** Body of `PUT /api/v2/presence/users/{userId}/primarysource`. */
export const setPrimarySourceRequestSchema = z.object({ sourceId: z.string().min(1) });
/** One of a user's routing skills, as the bulk PUT takes it. */
export const userRoutingSkillSchema = z.object({
  id: z.string().min(1),
  proficiency: z.number().min(0).max(5),
});
/** A wrap-up code. */
export const wrapupCodeSchema = z.looseObject({ id: z.string(), name: z.string() });
/** Body that creates a wrap-up code (`WrapupCodeRequest`). */
export const createWrapupCodeRequestSchema = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
});
/** An external presence source. */
export const presenceSourceSchema = z.looseObject({
  id: z.string().optional(),
  name: z.string(),
  deactivated: z.boolean().optional(),
});
/** Body that registers a presence source (`Source`). */
export const createPresenceSourceRequestSchema = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
});
/** A presence definition (system presences have one each). */
export const presenceDefinitionSchema = z.looseObject({
  id: z.string(),
  systemPresence: z.enum(systemPresences).or(z.string()).optional(),
  languageLabels: z.record(z.string(), z.string()).optional(),
  deactivated: z.boolean().optional(),
});
/** A user's primary presence source (`UserPrimarySource`). */
export const primarySourceSchema = z.looseObject({
  id: z.string().optional(),
  name: z.string().optional(),
  sourceId: z.string().optional(),
  registered: z.boolean().optional(),
});
/** A division. */
export const divisionSchema = z.looseObject({ id: z.string(), name: z.string().optional() });
