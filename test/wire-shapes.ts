/**
 * The wire-shape proof, checked by `tsc --noEmit` in the test command: every body the bridge sends is
 * assignable to the official Genesys SDK's model of it (`purecloud-platform-client-v2`), and the bridge
 * knows exactly the SDK's conversation event keys. A field renamed, dropped or loosened fails the build.
 */
import type { Models } from 'purecloud-platform-client-v2';
import type { z } from 'zod';
import type {
  BatchConversationEventRequest,
  ConversationEvent,
  ConversationEventKey,
  createPresenceSourceRequestSchema,
  createQueueRequestSchema,
  createSkillRequestSchema,
  createUserRequestSchema,
  createWrapupCodeRequestSchema,
  entityReferencesSchema,
  externalIdSchema,
  recordingUploadReportRequestSchema,
  setPrimarySourceRequestSchema,
  updateUserRequestSchema,
  uploadUrlRequestSchema,
  userRoutingSkillSchema,
  batchUserPresenceEventRequestSchema,
  batchUserRoutingStatusEventRequestSchema,
  UserPresenceEvent,
  UserRoutingStatusEvent,
} from '../domain/genesys';

type Assert<Condition extends true> = Condition;
type Assignable<From, To> = [From] extends [To] ? true : false;
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never]
  ? true
  : false;

type SdkBatch = Models.BatchConversationEventRequest;
type SdkEvent<Key extends ConversationEventKey> = NonNullable<SdkBatch[Key]>[number];
type EveryEventAssignable = {
  [Key in ConversationEventKey]: Assignable<ConversationEvent<Key>, SdkEvent<Key>>;
}[ConversationEventKey];

export type WireShapeProof = [
  Assert<SameKeys<Record<ConversationEventKey, true>, Required<SdkBatch>>>,
  Assert<EveryEventAssignable>,
  Assert<Assignable<BatchConversationEventRequest, SdkBatch>>,
  Assert<Assignable<UserPresenceEvent, Models.UserPresenceEvent>>,
  Assert<Assignable<UserRoutingStatusEvent, Models.UserRoutingStatusEvent>>,
  Assert<
    Assignable<z.infer<typeof batchUserPresenceEventRequestSchema>, Models.BatchUserPresenceEventRequest>
  >,
  Assert<
    Assignable<
      z.infer<typeof batchUserRoutingStatusEventRequestSchema>,
      Models.BatchUserRoutingStatusEventRequest
    >
  >,
  Assert<Assignable<z.infer<typeof uploadUrlRequestSchema>, Models.UploadUrlRequest>>,
  Assert<Assignable<z.infer<typeof recordingUploadReportRequestSchema>, Models.RecordingUploadReportRequest>>,
  Assert<Assignable<z.infer<typeof createUserRequestSchema>, Models.CreateUser>>,
  Assert<Assignable<z.infer<typeof updateUserRequestSchema>, Models.UpdateUser>>,
  Assert<Assignable<z.infer<typeof externalIdSchema>, Models.UserExternalIdentifier>>,
  Assert<Assignable<z.infer<typeof createQueueRequestSchema>, Models.CreateQueueRequest>>,
  Assert<Assignable<z.infer<typeof userRoutingSkillSchema>, Models.UserRoutingSkillPost>>,
  Assert<Assignable<z.infer<typeof createWrapupCodeRequestSchema>, Models.WrapupCodeRequest>>,
  Assert<Assignable<z.infer<typeof createPresenceSourceRequestSchema>, Models.Source>>,
  Assert<Assignable<z.infer<typeof createSkillRequestSchema>, Models.CreateRoutingSkill>>,
  Assert<Assignable<z.infer<typeof entityReferencesSchema>, Models.WritableEntity[]>>,
  Assert<Assignable<z.infer<typeof entityReferencesSchema>, Models.WrapUpCodeReference[]>>,
  Assert<Assignable<z.infer<typeof setPrimarySourceRequestSchema>, Models.UserPrimarySource>>,
];
