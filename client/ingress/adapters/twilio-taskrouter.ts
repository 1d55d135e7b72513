/**
 * Twilio TaskRouter event callbacks (form-encoded webhooks,
 * https://www.twilio.com/docs/taskrouter/api/event/reference) → agent and conversation events. A
 * callback is translated only once its `X-Twilio-Signature` matches one of the source's Twilio auth
 * tokens (see ./twilio-signature.ts).
 *
 * - `worker.activity.update`: the worker's new activity is its presence (`WorkerActivityName`, through
 *   the adapter's activity mapping) and, by the activity's availability (`WorkerActivityAvailable`, or
 *   the mapping's list of available activities), routing status Idle or OffQueue.
 * - `task.created` (voice channel): the call starts inbound (from / to of the task attributes, Twilio's
 *   `from`/`to` or `caller`/`called`); `task-queue.entered`: it waits in that task queue.
 * - `reservation.created` → offered to the worker, `reservation.accepted` → answered,
 *   `reservation.rejected` / `reservation.timeout` → the offer is withdrawn (the agent's leg ends).
 * - `task.wrapup` → the call ended (the customer hung up); `reservation.completed` → the worker's
 *   wrap-up (`task.completed` names no worker and is ignored).
 * - Anything else, and tasks of other channels, are ignored by name.
 * Workers are named by `WorkerName` (their external id); queues by `TaskQueueName`. Event ids are the
 * callback's `Sid` (one record can give two events: `<Sid>/presence`, `<Sid>/routingStatus`).
 */
import { z } from 'zod';
import { translateEach, type RecordTranslation, type VendorAdapter } from './adapter';
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
        const callback = parsed as z.infer<typeof callbackSchema> & Record<string, string | undefined>;
        const occurredAt = new Date(Number(callback.Timestamp) * 1_000).toISOString();
        const required = (...names: string[]): RecordTranslation | undefined => {
          const missing = names.filter((name) => !callback[name]);
          return missing.length > 0
            ? {
                record,
                refused: missing.map((field) => ({
                  field,
                  message: `is needed for ${callback.EventType}`,
                  code: 'missing' as const,
                })),
              }
            : undefined;
        };

        if (callback.EventType === 'worker.activity.update') {
          const problem = required('WorkerName', 'WorkerActivityName');
          if (problem) return problem;
          const activity = callback.WorkerActivityName!;
          const isAvailable =
            callback.WorkerActivityAvailable !== undefined
              ? callback.WorkerActivityAvailable === 'true'
              : available.includes(activity);
          const base = { kind: 'agent', source, agentId: callback.WorkerName, occurredAt };
          return {
            record,
            events: [
              {
                ...base,
                eventId: `${callback.Sid}/presence`,
                change: { kind: 'presence', state: mapping.activities?.[activity] ?? activity },
              },
              {
                ...base,
                eventId: `${callback.Sid}/routingStatus`,
                change: { kind: 'routingStatus', status: isAvailable ? 'Idle' : 'OffQueue' },
              },
            ],
          };
        }

        if (!/^(task|task-queue|reservation)\./.test(callback.EventType)) {
          return { record, ignored: `EventType ${callback.EventType} is not one the bridge uses` };
        }
        const problem = required('TaskSid');
        if (problem) return problem;
        if (!voiceChannels.includes(callback.TaskChannelUniqueName ?? 'voice')) {
          return { record, ignored: `task channel ${callback.TaskChannelUniqueName} is not a voice call` };
        }
        const step = (change: Record<string, unknown>) => ({
          record,
          events: [
            {
              kind: 'conversation',
              channel: 'voice',
              source,
              interactionId: callback.TaskSid,
              eventId: callback.Sid,
              occurredAt,
              change,
            },
          ],
        });
        switch (callback.EventType) {
          case 'task-queue.entered':
            return required('TaskQueueName') ?? step({ type: 'queued', queueId: callback.TaskQueueName });
          case 'task.created': {
            const attributes = parseAttributes(callback.TaskAttributes);
            if (attributes === undefined) {
              return {
                record,
                refused: [
                  { field: 'TaskAttributes', message: 'must be a JSON object', code: 'invalidFormat' },
                ],
              };
            }
            const from = text(attributes.from) ?? text(attributes.caller);
            const to = text(attributes.to) ?? text(attributes.called);
            if (!from || !to) {
              return {
                record,
                refused: [
                  {
                    field: 'TaskAttributes',
                    message: 'must carry the caller (from or caller) and the number called (to or called)',
                    code: 'missing',
                  },
                ],
              };
            }
            return step({ type: 'started', direction: 'inbound', ani: from, dnis: to });
          }
          case 'reservation.created':
            return required('WorkerName') ?? step({ type: 'offered', agentId: callback.WorkerName });
          case 'reservation.accepted':
            return required('WorkerName') ?? step({ type: 'answered', agentId: callback.WorkerName });
          case 'reservation.rejected':
          case 'reservation.timeout':
            return (
              required('WorkerName') ??
              step({
                type: 'disconnected',
                party: { kind: 'agent', agentId: callback.WorkerName },
                reason: 'system',
              })
            );
          case 'task.wrapup':
            return step({ type: 'disconnected', party: { kind: 'customer' } });
          case 'reservation.completed':
            return required('WorkerName') ?? step({ type: 'wrapUp', agentId: callback.WorkerName });
          default:
            return { record, ignored: `EventType ${callback.EventType} is not one the bridge uses` };
        }
      });
    },
  };
}

function parseAttributes(value: string | undefined): Record<string, unknown> | undefined {
  if (value === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}
