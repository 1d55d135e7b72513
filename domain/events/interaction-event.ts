/**
 * The normalised interaction event (a conversation step at the source): what every adapter turns an ACD's call events or a CRM's email
 * events into, and what the conversation workflows consume. One event is one step of one interaction's
 * lifecycle, named as the contact centre sees it (queued, offered, answered, held, transferred, …); the
 * workflow translates the lifecycle into Genesys's legs and communication events. Parties are named by
 * their ids at the source (agent, queue, wrap-up code), resolved through the directory mapping.
 *
 * Email is metadata only: addresses, subject and the lifecycle, never a body. Unknown fields (a `body`,
 * attachments) are dropped here, at the door, before anything reaches Temporal.
 */
import { z } from 'zod';
import { reasonCode } from './field-errors';
import { genesysLimits, recordingContentTypes } from '../genesys';
import { eventEnvelope, externalIdSchema } from './envelope';

const phoneNumber = z.string().trim().min(1).max(64);
const displayName = z.string().trim().min(1).max(256);
const emailAddress = z.string().trim().min(3).max(320).includes('@', { message: 'must be an email address' });
const addresses = z.array(emailAddress).min(1, 'must name at least one address').max(100);
const agentId = externalIdSchema;
const queueId = externalIdSchema;

/** Whom a transfer or a consult goes to. */
export const transferTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('agent'), agentId }),
  z.object({ kind: z.literal('queue'), queueId }),
  z.object({ kind: z.literal('number'), phoneNumber }),
]);

/** Routing requirements of a queued interaction, by their names at the source. */
const routingRequirements = {
  skills: z.array(z.string().trim().min(1).max(256)).max(50).optional(),
  language: z.string().trim().min(1).max(256).optional(),
};

/** A wrap-up: the source's wrap-up code (none: wrap-up skipped) and the agent's notes. */
const wrapUp = z.object({
  type: z.literal('wrapUp'),
  agentId,
  code: externalIdSchema.optional(),
  notes: z.string().max(2_000).optional(),
});

/** An MD5 as hex (32 digits) or base64 (24 characters), kept as base64: what the upload takes. */
const md5Schema = z
  .string()
  .trim()
  .refine((value) => /^[0-9a-f]{32}$/i.test(value) || /^[A-Za-z0-9+/]{22}==$/.test(value), {
    message: 'must be an MD5 digest, 32 hex digits or 24 base64 characters',
    ...reasonCode('invalidFormat'),
  })
  .transform((value) => (value.length === 32 ? Buffer.from(value, 'hex').toString('base64') : value));

/** Where a recording can be fetched: http, https, file, or an S3 object as `s3://<bucket>/<key>`. */
const recordingUrl = z
  .url({ protocol: /^(https?|file|s3)$/, error: 'must be an http, https, file or s3 URL' })
  .superRefine((url, context) => {
    if (url.startsWith('s3:') && !/^s3:\/\/[^/]+\/[^/]/.test(url)) {
      context.addIssue({
        code: 'invalid_format',
        format: 'url',
        input: url,
        message: 'must name a bucket and a key: s3://<bucket>/<key>',
      });
    }
  });

/** The steps of a voice call. */
export const voiceChangeSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('started'),
    direction: z.enum(['inbound', 'outbound']),
    /** The caller's number (inbound: the customer; outbound: the contact centre's line). */
    ani: phoneNumber,
    /** The dialled number. */
    dnis: phoneNumber,
    aniName: displayName.optional(),
    dnisName: displayName.optional(),
    /** An IVR the call passed through before it was queued. */
    ivr: z.object({ name: displayName.optional(), phoneNumber: phoneNumber.optional() }).optional(),
    /** Outbound: the agent who placed the call, and the queue it was placed on behalf of. */
    agentId: agentId.optional(),
    queueId: queueId.optional(),
  }),
  z.object({ type: z.literal('queued'), queueId, ...routingRequirements }),
  z.object({ type: z.literal('offered'), agentId }),
  z.object({ type: z.literal('answered'), agentId }),
  z.object({ type: z.literal('held'), agentId }),
  z.object({ type: z.literal('resumed'), agentId }),
  /** The agent hands the call on without staying on it. */
  z.object({ type: z.literal('blindTransfer'), agentId, target: transferTargetSchema }),
  /** The agent consults `target` while the customer waits; `consultId` names this consult. */
  z.object({
    type: z.literal('consultStarted'),
    agentId,
    consultId: externalIdSchema,
    target: transferTargetSchema,
  }),
  /** The consulted party takes the call over; the consulting agent leaves it. */
  z.object({ type: z.literal('consultCompleted'), consultId: externalIdSchema }),
  /** The consult ends and the customer is back with the consulting agent. */
  z.object({ type: z.literal('consultCancelled'), consultId: externalIdSchema }),
  /** A party left the call: the customer, or an agent. */
  z.object({
    type: z.literal('disconnected'),
    party: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('customer') }),
      z.object({ kind: z.literal('agent'), agentId }),
    ]),
    reason: z.enum(['hangup', 'error', 'system']).default('hangup'),
  }),
  wrapUp,
  /**
   * The call's recording can be fetched from `url`: http, https, file, or `s3://<bucket>/<key>` (where Amazon
   * Connect stores recordings). Neither Twilio's recording callback nor Connect's contact record announces
   * a size: without `sizeBytes` the worker learns it while fetching, and still refuses a file over
   * Genesys's upload limit.
   */
  z.object({
    type: z.literal('recordingReady'),
    url: recordingUrl,
    contentType: z.enum(recordingContentTypes),
    sizeBytes: z.number().int().positive().max(genesysLimits.maxUploadBytes).optional(),
    md5: md5Schema.optional(),
  }),
]);

/** The steps of an email conversation (metadata only). */
export const emailChangeSchema = z.discriminatedUnion('type', [
  /** A customer's email arrived. */
  z.object({
    type: z.literal('received'),
    to: addresses,
    from: emailAddress,
    cc: z.array(emailAddress).max(100).optional(),
    subject: z.string().max(998).optional(),
  }),
  /** An agent started an outbound email. */
  z.object({
    type: z.literal('sent'),
    agentId,
    to: addresses,
    from: emailAddress,
    cc: z.array(emailAddress).max(100).optional(),
    subject: z.string().max(998).optional(),
  }),
  z.object({ type: z.literal('queued'), queueId, ...routingRequirements }),
  z.object({ type: z.literal('assigned'), agentId }),
  z.object({ type: z.literal('replySent'), agentId }),
  z.object({
    type: z.literal('transferred'),
    agentId,
    target: z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('agent'), agentId }),
      z.object({ kind: z.literal('queue'), queueId }),
    ]),
  }),
  /** The conversation is over: handled, or marked as spam. */
  z.object({ type: z.literal('closed'), agentId: agentId.optional(), reason: z.enum(['resolved', 'spam']) }),
  wrapUp,
]);

const interaction = {
  ...eventEnvelope,
  /** The interaction's id at the source: one conversation workflow per id. */
  interactionId: externalIdSchema,
};

/** One step of one interaction at the source. */
export const interactionEventSchema = z.discriminatedUnion('channel', [
  z.object({ ...interaction, channel: z.literal('voice'), change: voiceChangeSchema }),
  z.object({ ...interaction, channel: z.literal('email'), change: emailChangeSchema }),
]);

/** A conversation event as an adapter writes it. */
export type InteractionEventInput = z.input<typeof interactionEventSchema>;
/** A validated conversation event. */
export type InteractionEvent = z.output<typeof interactionEventSchema>;
/** A voice step. */
export type VoiceChange = z.output<typeof voiceChangeSchema>;
/** An email step. */
export type EmailChange = z.output<typeof emailChangeSchema>;
