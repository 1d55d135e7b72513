/**
 * Twilio TaskRouter event callbacks (form-encoded webhooks,
 * https://www.twilio.com/docs/taskrouter/api/event/reference) → agent and conversation events. A
 * callback is translated only once its `X-Twilio-Signature` matches one of the source's Twilio auth
 * tokens (see ./twilio-signature.ts). Every rule, and what happens when a field is absent, is in
 * docs/adapters/twilio-taskrouter.md.
 *
 * - `worker.activity.update`: the worker's activity is its presence and, by its availability, routing
 *   status Idle or OffQueue.
 * - A voice task is a call, keyed by the `call_sid` of its attributes (what `<Enqueue>` puts there, and
 *   what the recording status callback names) or else by its TaskSid: `task.created` starts it inbound,
 *   `task-queue.entered` queues it, reservations offer it to a worker, who answers it or lets it go,
 *   `task.wrapup` and `task.canceled` end it, `reservation.completed` is the worker's wrap-up.
 * - Other event types, and tasks of other channels, are ignored by name.
 * Event types and channel names are matched ignoring case. Workers are named by `WorkerName` (their
 * external id); queues by `TaskQueueName`. Event ids are the callback's `Sid`.
 */
import { z } from 'zod';
import type { FieldError } from '../../../domain/events/field-errors';
import {
  mappedIgnoringCase,
  spelledAs,
  translateEach,
  type RecordTranslation,
  type VendorAdapter,
} from './adapter';
import { authenticateTwilioWebhook, type TwilioCredentials } from './twilio-signature';

/** How the adapter names what it reads. */
export interface TwilioTaskRouterMapping {
  /** Activity name → the state name the directory's presence mapping knows (default: the same). */
  activities?: Record<string, string>;
  /** Activities that make a worker available, when the callback does not say (default: `Available`, `Idle`). */
  availableActivities?: string[];
  /** Task channels that are voice calls (default `voice`). */
  voiceChannels?: string[];
}

const callbackSchema = z.looseObject({
  EventType: z.string().min(1),
  Sid: z.string().min(1),
  Timestamp: z.string().regex(/^\d+$/, 'must be Unix seconds'),
});
type Callback = z.infer<typeof callbackSchema> & Record<string, string | undefined>;

const taskEventTypes = [
  'task.created',
  'task-queue.entered',
  'reservation.created',
  'reservation.accepted',
  'reservation.rejected',
  'reservation.timeout',
  'reservation.rescinded',
  'task.wrapup',
  'task.canceled',
  'reservation.completed',
] as const;
type TaskEventType = (typeof taskEventTypes)[number];

/** The adapter for TaskRouter event callbacks. */
export function twilioTaskRouterAdapter(
  mapping: TwilioTaskRouterMapping = {},
): VendorAdapter<TwilioCredentials> {
  const voiceChannels = mapping.voiceChannels ?? ['voice'];
  const available = mapping.availableActivities ?? ['Available', 'Idle'];
  return {
    route: 'twilio/taskrouter',
    authenticateWebhook: authenticateTwilioWebhook,
    translate(records, source) {
      return translateEach(records, callbackSchema, (parsed, record): RecordTranslation => {
        const callback = parsed as Callback;
        const occurredAt = new Date(Number(callback.Timestamp) * 1_000).toISOString();
        const eventType = callback.EventType.toLowerCase();
        const refused = (...errors: FieldError[]): RecordTranslation => ({ record, refused: errors });
        const required = (...names: string[]): RecordTranslation | undefined => {
          const missing = names.filter((name) => !callback[name]);
          return missing.length > 0
            ? refused(
                ...missing.map((field) => ({
                  field,
                  message: `is needed for ${eventType}`,
                  code: 'missing' as const,
                })),
              )
            : undefined;
        };

        if (eventType === 'worker.activity.update') {
          const problem = required('WorkerName', 'WorkerActivityName');
          if (problem) return problem;
          const activity = callback.WorkerActivityName!;
          const said = callback.WorkerActivityAvailable;
          const isAvailable = said === undefined ? spelledAs(activity, available) !== undefined : flag(said);
          if (isAvailable === undefined) {
            return refused({
              field: 'WorkerActivityAvailable',
              message: `is ${said}, not true or false`,
              code: 'invalidValue',
            });
          }
          const base = { kind: 'agent', source, agentId: callback.WorkerName, occurredAt };
          return {
            record,
            events: [
              {
                ...base,
                eventId: `${callback.Sid}/presence`,
                change: {
                  kind: 'presence',
                  state: mappedIgnoringCase(mapping.activities, activity) ?? activity,
                },
              },
              {
                ...base,
                eventId: `${callback.Sid}/routingStatus`,
                change: { kind: 'routingStatus', status: isAvailable ? 'Idle' : 'OffQueue' },
              },
            ],
          };
        }

        const step = spelledAs(eventType, taskEventTypes);
        if (step === undefined) {
          return { record, ignored: `EventType ${callback.EventType} is not one the bridge uses` };
        }
        const problem = required('TaskSid');
        if (problem) return problem;
        const channel = callback.TaskChannelUniqueName;
        if (channel !== undefined && spelledAs(channel, voiceChannels) === undefined) {
          return { record, ignored: `task channel ${channel} is not a voice call` };
        }
        const attributes = parseAttributes(callback.TaskAttributes);
        if (attributes === undefined) {
          return refused({
            field: 'TaskAttributes',
            message:
              callback.TaskAttributes === undefined
                ? `is needed to key the call of ${eventType}`
                : 'must be a JSON object',
            code: callback.TaskAttributes === undefined ? 'missing' : 'invalidFormat',
          });
        }
        const callSid = text(attributes.call_sid) ?? text(attributes.callSid);
        const conversationStep = (change: Record<string, unknown>): RecordTranslation => ({
          record,
          events: [
            {
              kind: 'conversation',
              channel: 'voice',
              source,
              interactionId: callSid ?? callback.TaskSid,
              eventId: callback.Sid,
              occurredAt,
              change,
            },
          ],
        });
        return translateTaskEvent(step, callback, attributes, conversationStep, refused, required);
      });
    },
  };
}

/** The conversation step of a voice task's callback. */
function translateTaskEvent(
  eventType: TaskEventType,
  callback: Callback,
  attributes: Record<string, unknown>,
  step: (change: Record<string, unknown>) => RecordTranslation,
  refused: (...errors: FieldError[]) => RecordTranslation,
  required: (...names: string[]) => RecordTranslation | undefined,
): RecordTranslation {
  const worker = callback.WorkerName!;
  switch (eventType) {
    case 'task.created': {
      const from = text(attributes.from) ?? text(attributes.caller);
      const to = text(attributes.to) ?? text(attributes.called);
      if (!from || !to) {
        return refused({
          field: 'TaskAttributes',
          message: 'must carry the caller (from or caller) and the number called (to or called)',
          code: 'missing',
        });
      }
      return step({ type: 'started', direction: 'inbound', ani: from, dnis: to });
    }
    case 'task-queue.entered':
      return required('TaskQueueName') ?? step({ type: 'queued', queueId: callback.TaskQueueName });
    case 'reservation.created':
      return required('WorkerName') ?? step({ type: 'offered', agentId: worker });
    case 'reservation.accepted':
      return required('WorkerName') ?? step({ type: 'answered', agentId: worker });
    case 'reservation.rejected':
    case 'reservation.timeout':
    case 'reservation.rescinded':
      return (
        required('WorkerName') ??
        step({ type: 'disconnected', party: { kind: 'agent', agentId: worker }, reason: 'system' })
      );
    case 'task.wrapup':
      return step({ type: 'disconnected', party: { kind: 'customer' }, reason: 'hangup' });
    case 'task.canceled': {
      // Twilio cancels a waiting call's task with the reason "hangup" when the caller hangs up.
      const reason = callback.TaskCanceledReason;
      const hungUp = reason === undefined || spelledAs(reason, ['hangup']) !== undefined;
      return step({
        type: 'disconnected',
        party: { kind: 'customer' },
        reason: hungUp ? 'hangup' : 'system',
      });
    }
    case 'reservation.completed':
      return required('WorkerName') ?? step({ type: 'wrapUp', agentId: worker });
  }
}

/** A task's attributes (Twilio sends them as a JSON string); undefined when absent or not an object. */
function parseAttributes(value: string | undefined): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** `true` / `false` in any case, else undefined. */
function flag(value: string): boolean | undefined {
  const spelled = spelledAs(value, ['true', 'false']);
  return spelled === undefined ? undefined : spelled === 'true';
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}
