/**
 * The three BYOI event endpoints' bodies (contract §3), field for field as the SDK models them
 * (`purecloud-platform-client-v2` `Models.*Event`), tightened by the contract: minted ids are UUID v4,
 * timestamps ISO-8601 UTC with milliseconds, enum fields closed. test/wire-shapes.ts proves assignability.
 */
import { z } from 'zod';
import {
  emailDisconnectTypes,
  isoDateTime,
  routingStatuses,
  transferFinalStates,
  transferTypes,
  uuidV4,
  voiceDisconnectTypes,
} from './fields';

/** The three BYOI event endpoints. */
export const eventEndpoints = {
  presence: '/api/v2/events/users/presence',
  routingStatus: '/api/v2/events/users/routingstatus',
  conversations: '/api/v2/events/conversations',
} as const;
/** One of {@link eventEndpoints}. */
export type EventEndpoint = keyof typeof eventEndpoints;

/** A user's presence change. */
export const userPresenceEventSchema = z.object({
  eventId: uuidV4,
  eventDateTime: isoDateTime,
  userId: z.string().min(1),
  sourceId: z.string().min(1),
  presenceDefinitionId: z.string().min(1).optional(),
  message: z.string().optional(),
});
/** A user's routing status change. */
export const userRoutingStatusEventSchema = z.object({
  eventId: uuidV4,
  eventDateTime: isoDateTime,
  agentId: z.string().min(1),
  sourceId: z.string().min(1),
  status: z.enum(routingStatuses),
});
/** Body of `POST /api/v2/events/users/presence`. */
export const batchUserPresenceEventRequestSchema = z.object({
  userPresenceEvents: z.array(userPresenceEventSchema),
});
/** Body of `POST /api/v2/events/users/routingstatus`. */
export const batchUserRoutingStatusEventRequestSchema = z.object({
  userRoutingStatusEvents: z.array(userRoutingStatusEventSchema),
});
/** A presence event. */
export type UserPresenceEvent = z.infer<typeof userPresenceEventSchema>;
/** A routing status event. */
export type UserRoutingStatusEvent = z.infer<typeof userRoutingStatusEventSchema>;

const audioStateSchema = z.object({ canHear: z.boolean().optional(), canSpeak: z.boolean().optional() });
const additionalInfoSchema = z.record(z.string(), z.string());

/** How a voice leg starts. */
export const initialConfigurationSchema = z.object({
  audioState: audioStateSchema.optional(),
  alerting: z.boolean().optional(),
  inbound: z.boolean().optional(),
  invitedBy: z.string().optional(),
  recordingActive: z.boolean().optional(),
  additionalInfo: additionalInfoSchema.optional(),
});
/** How an email leg starts; metadata only, never content. */
export const emailInitialConfigurationSchema = z.object({
  to: z.string().min(1),
  from: z.string().min(1),
  cc: z.array(z.string()).optional(),
  bcc: z.array(z.string()).optional(),
  subject: z.string().optional(),
  previousEmailId: z.string().optional(),
  held: z.boolean().optional(),
  alerting: z.boolean().optional(),
  inbound: z.boolean().optional(),
  invitedBy: z.string().optional(),
  additionalInfo: additionalInfoSchema.optional(),
});
/** Which external system and interaction a leg comes from. */
export const sourceConfigurationSchema = z.object({
  sourceId: z.string().min(1),
  interactionId: z.string().min(1),
  tagId: z.string().optional(),
});

const base = { eventId: uuidV4, eventDateTime: isoDateTime, conversationId: uuidV4 };
const leg = { ...base, communicationId: uuidV4 };
const voiceLeg = {
  ...leg,
  initialConfiguration: initialConfigurationSchema,
  sourceConfiguration: sourceConfigurationSchema,
};
const emailLeg = {
  ...leg,
  initialConfiguration: emailInitialConfigurationSchema,
  sourceConfiguration: sourceConfigurationSchema,
};
const blindTransfer = {
  ...base,
  transferType: z.enum(transferTypes),
  commandId: uuidV4,
  initiatingCommunicationId: uuidV4,
  targetCommunicationId: uuidV4,
  objectCommunicationId: uuidV4,
};
const progressTransfer = {
  ...base,
  commandId: uuidV4,
  objectCommunicationId: uuidV4,
  destinationCommunicationId: uuidV4,
};
const endTransfer = {
  ...base,
  commandId: uuidV4,
  objectCommunicationId: uuidV4,
  finalState: z.enum(transferFinalStates),
};
const disposition = {
  ...leg,
  code: z.string().optional(),
  notes: z.string().optional(),
  tags: z.array(z.string()).optional(),
};
const consult = {
  ...base,
  initiatingCommunicationId: uuidV4,
  destinationCommunicationId: uuidV4,
  objectCommunicationId: uuidV4,
};
const routingTransfer = {
  ...blindTransfer,
  destinationQueueId: z.string().min(1),
  languageId: z.string().optional(),
  skillIds: z.array(z.string()).optional(),
};

/** One schema per key of `BatchConversationEventRequest`. */
export const conversationEventSchemas = {
  externalEstablishedEvents: z.object({
    ...voiceLeg,
    ani: z.string().optional(),
    aniName: z.string().optional(),
    dnis: z.string().optional(),
    dnisName: z.string().optional(),
  }),
  ivrEstablishedEvents: z.object({
    ...voiceLeg,
    ivrPhoneNumber: z.string().optional(),
    ivrName: z.string().optional(),
    ani: z.string().optional(),
    dnis: z.string().optional(),
  }),
  phoneEstablishedEvents: z.object({
    ...voiceLeg,
    phoneNumber: z.string().optional(),
    ani: z.string().optional(),
    dnis: z.string().optional(),
  }),
  routingEstablishedEvents: z.object({
    ...voiceLeg,
    queueId: z.string().min(1),
    skillIds: z.array(z.string()).optional(),
    languageId: z.string().optional(),
    phoneNumber: z.string().optional(),
    ani: z.string().optional(),
    dnis: z.string().optional(),
  }),
  userEstablishedEvents: z.object({
    ...voiceLeg,
    userId: z.string().min(1),
    stationId: z.string().optional(),
    phoneNumber: z.string().optional(),
    ani: z.string().optional(),
    dnis: z.string().optional(),
    afterCallWorkRequired: z.boolean().optional(),
    queueId: z.string().optional(),
  }),
  communicationAnsweredEvents: z.object(leg),
  holdUpdatedEvents: z.object({ ...leg, held: z.boolean() }),
  audioUpdatedEvents: z.object({ ...leg, audioState: audioStateSchema }),
  communicationEndedEvents: z.object({
    ...leg,
    disconnectType: z.enum(voiceDisconnectTypes),
    destinationConversationId: uuidV4.optional(),
  }),
  communicationDispositionAppliedEvents: z.object(disposition),
  userTransferEvents: z.object({ ...blindTransfer, destinationUserId: z.string().min(1) }),
  routingTransferEvents: z.object(routingTransfer),
  phoneTransferEvents: z.object({ ...blindTransfer, destinationPhoneNumber: z.string().min(1) }),
  progressTransferEvents: z.object(progressTransfer),
  endTransferEvents: z.object(endTransfer),
  consultTransferEvents: z.object(consult),
  progressConsultTransferEvents: z.object(consult),
  endConsultTransferEvents: z.object(base),
  emailExternalEstablishedEvents: z.object({
    ...emailLeg,
    displayName: z.string().optional(),
    includeMessage: z.boolean().optional(),
  }),
  emailFlowEstablishedEvents: z.object(emailLeg),
  emailRoutingEstablishedEvents: z.object({
    ...emailLeg,
    queueId: z.string().min(1),
    skillIds: z.array(z.string()).optional(),
    languageId: z.string().optional(),
    label: z.string().optional(),
  }),
  emailUserEstablishedEvents: z.object({
    ...emailLeg,
    userId: z.string().min(1),
    queueId: z.string().optional(),
    afterCallWorkRequired: z.boolean().optional(),
  }),
  emailCommunicationAnsweredEvents: z.object(leg),
  emailBeginTransmittingEvents: z.object(leg),
  emailCommunicationSentMessageEvents: z.object(leg),
  emailHoldUpdatedEvents: z.object({ ...leg, held: z.boolean() }),
  emailCommunicationEndedEvents: z.object({ ...leg, disconnectType: z.enum(emailDisconnectTypes) }),
  emailCommunicationDispositionAppliedEvents: z.object(disposition),
  emailUserTransferEvents: z.object({ ...blindTransfer, destinationUserId: z.string().min(1) }),
  emailRoutingTransferEvents: z.object(routingTransfer),
  emailProgressTransferEvents: z.object(progressTransfer),
  emailEndTransferEvents: z.object(endTransfer),
} as const;

/** A key of `BatchConversationEventRequest`, e.g. `userEstablishedEvents`. */
export type ConversationEventKey = keyof typeof conversationEventSchemas;
/** The event type carried under a key. */
export type ConversationEvent<Key extends ConversationEventKey> = z.infer<
  (typeof conversationEventSchemas)[Key]
>;

const allKeys = Object.keys(conversationEventSchemas) as ConversationEventKey[];
/** Keys of email conversations. */
export const emailEventKeys: readonly ConversationEventKey[] = allKeys.filter((key) =>
  key.startsWith('email'),
);
/** Keys of voice conversations. */
export const voiceEventKeys: readonly ConversationEventKey[] = allKeys.filter(
  (key) => !key.startsWith('email'),
);
/** Keys whose events establish a communication (a leg). */
export const legEstablishingEventKeys: readonly ConversationEventKey[] = allKeys.filter((key) =>
  key.endsWith('EstablishedEvents'),
);

/** Body of `POST /api/v2/events/conversations`: one optional array per event type. */
export const batchConversationEventRequestSchema = z.object(
  Object.fromEntries(allKeys.map((key) => [key, z.array(conversationEventSchemas[key]).optional()])) as {
    [Key in ConversationEventKey]: z.ZodOptional<z.ZodArray<(typeof conversationEventSchemas)[Key]>>;
  },
);
/** A conversation batch. */
export type BatchConversationEventRequest = z.infer<typeof batchConversationEventRequestSchema>;

/** One refused event of a batch. */
export const eventErrorSchema = z.looseObject({
  eventId: z.string().optional(),
  message: z.string().optional(),
  retryable: z.boolean().optional(),
});
/** Answer of every event endpoint: the events not accepted, if any. */
export const batchEventResponseSchema = z.looseObject({ errors: z.array(eventErrorSchema).optional() });
/** One refused event. */
export type EventError = z.infer<typeof eventErrorSchema>;
/** An event endpoint's answer. */
export type BatchEventResponse = z.infer<typeof batchEventResponseSchema>;
