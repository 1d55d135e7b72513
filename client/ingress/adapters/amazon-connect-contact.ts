/**
 * Amazon Connect contact events (EventBridge, detail-type "Amazon Connect Contact Event",
 * https://docs.aws.amazon.com/connect/latest/adminguide/contact-events.html) → voice conversation events.
 * Every rule, and what happens when a field is absent, is in docs/adapters/amazon-connect-contact-events.md.
 *
 * - A customer's call (INBOUND, TRANSFER, QUEUE_TRANSFER, API, DISCONNECT) starts at INITIATED, waits at
 *   QUEUED and is answered at CONNECTED_TO_AGENT; an agent-dialled one (OUTBOUND, CALLBACK) starts at
 *   CONNECTED_TO_AGENT, placed by that agent. DISCONNECTED ends the party its `disconnectReason` names;
 *   COMPLETED (after-contact work done) is the agent's wrap-up. MONITOR contacts, other channels and
 *   other event types are ignored by name.
 * Field names and enum values are matched ignoring case: AWS's own samples disagree (`agentInfo` /
 * `AgentInfo`, `VOICE` / `Voice`). A record without the EventBridge envelope (AWS's CONNECTED_TO_AGENT
 * sample; an input path of `$.detail`) is read as the detail itself.
 */
import { z } from 'zod';
import {
  mappedIgnoringCase,
  spelledAs,
  translateEach,
  type RecordTranslation,
  type VendorAdapter,
} from './adapter';

/** How the adapter names what it reads. */
export interface AmazonConnectContactMapping {
  /** Agent id (end of the agent ARN) → the agent's external id in the directory (default: the same). */
  agents?: Record<string, string>;
  /** Queue id (end of the queue ARN) → the queue's external id in the directory (default: the same). */
  queues?: Record<string, string>;
}

const timestamp = z.string().min(1).optional();
const detailSchema = z.looseObject({
  eventType: z.string().min(1),
  contactId: z.string().min(1),
  channel: z.string().min(1),
  initiationMethod: z.string().min(1).optional(),
  initiationTimestamp: timestamp,
  disconnectTimestamp: timestamp,
  disconnectReason: z.string().min(1).optional(),
  customerEndpoint: z.looseObject({ address: z.string().min(1).optional() }).nullish(),
  systemEndpoint: z.looseObject({ address: z.string().min(1).optional() }).nullish(),
  queueInfo: z.looseObject({ queueArn: z.string().min(1), enqueueTimestamp: timestamp }).nullish(),
  agentInfo: z.looseObject({ agentArn: z.string().min(1), connectedToAgentTimestamp: timestamp }).nullish(),
});
const detailType = 'Amazon Connect Contact Event';
const envelopeSchema = z.looseObject({
  id: z.string().min(1),
  'detail-type': z.string().refine((type) => spelledAs(type, [detailType]), {
    error: `must be "${detailType}"`,
  }),
  time: z.string().min(1),
  detail: detailSchema,
});
/** A record without the envelope is the detail itself (its event id and time then come from the detail). */
const bareSchema = detailSchema.transform((detail) => ({ id: undefined, time: undefined, detail }));
type Detail = z.infer<typeof detailSchema>;

const steps = ['INITIATED', 'QUEUED', 'CONNECTED_TO_AGENT', 'DISCONNECTED', 'COMPLETED'] as const;
type Step = (typeof steps)[number];
const customerFirst = ['INBOUND', 'TRANSFER', 'QUEUE_TRANSFER', 'API', 'DISCONNECT'] as const;
const agentDialled = ['OUTBOUND', 'CALLBACK'] as const;
const initiationMethods = [...customerFirst, ...agentDialled, 'MONITOR'] as const;

/** Disconnect reason → the party that leaves and why; any other reason: the customer, `system`. */
const disconnects: Record<string, { party: 'customer' | 'agent'; reason: 'hangup' | 'error' | 'system' }> = {
  CUSTOMER_DISCONNECT: { party: 'customer', reason: 'hangup' },
  AGENT_DISCONNECT: { party: 'agent', reason: 'hangup' },
  THIRD_PARTY_DISCONNECT: { party: 'customer', reason: 'hangup' },
  TELECOM_PROBLEM: { party: 'customer', reason: 'error' },
  BARGED: { party: 'agent', reason: 'system' },
  CONTACT_FLOW_DISCONNECT: { party: 'customer', reason: 'system' },
};

/** The adapter for Amazon Connect contact events. */
export function amazonConnectContactAdapter(mapping: AmazonConnectContactMapping = {}): VendorAdapter {
  const lastSegment = (arn: string) => arn.split('/').at(-1) ?? arn;
  const agentOf = (arn: string) => mappedIgnoringCase(mapping.agents, lastSegment(arn)) ?? lastSegment(arn);
  const queueOf = (arn: string) => mappedIgnoringCase(mapping.queues, lastSegment(arn)) ?? lastSegment(arn);
  return {
    route: 'amazon-connect/contact-events',
    translate(records, source) {
      return records.map((input, record) => {
        const [translation] = isEnvelope(input)
          ? translateEach([input], envelopeSchema, translateOne, { fieldNamesIgnoringCase: true })
          : translateEach([input], bareSchema, translateOne, { fieldNamesIgnoringCase: true });
        return { ...translation!, record };
      });
      function translateOne(
        { id, time, detail }: { id: string | undefined; time: string | undefined; detail: Detail },
        record: number,
      ): RecordTranslation {
        const prefix = id === undefined ? '' : 'detail.';
        const refused = (field: string, message: string, code: 'missing' | 'invalidValue') => ({
          record,
          refused: [{ field: `${prefix}${field}`, message, code }],
        });
        if (spelledAs(detail.channel, ['VOICE']) === undefined) {
          return { record, ignored: `channel ${detail.channel}: the bridge carries voice calls only` };
        }
        const step = spelledAs(detail.eventType, steps);
        if (step === undefined) {
          return { record, ignored: `eventType ${detail.eventType} is not a step the bridge uses` };
        }
        // AWS's samples always carry it; a contact without one is taken as the customer's call.
        const method = spelledAs(detail.initiationMethod ?? 'INBOUND', initiationMethods);
        if (method === undefined) {
          return refused(
            'initiationMethod',
            `is ${detail.initiationMethod}, not one of ${initiationMethods.join(', ')}`,
            'invalidValue',
          );
        }
        if (method === 'MONITOR') {
          return { record, ignored: 'a supervisor’s monitoring contact is not a conversation of its own' };
        }
        const dialled = (agentDialled as readonly string[]).includes(method);
        const stepTime = timeOf(step, detail);
        const occurredAt = stepTime ?? time;
        if (occurredAt === undefined) {
          return refused(
            timeFieldOf(step),
            `is needed to time ${step} when the record has no EventBridge envelope (time)`,
            'missing',
          );
        }
        const event = (suffix: string, change: Record<string, unknown>, order = 0) => ({
          kind: 'conversation',
          channel: 'voice',
          source,
          interactionId: detail.contactId,
          // Without the envelope the contact and its step name the event, so a redelivery is one event.
          eventId: `${id ?? `${detail.contactId}/${step}`}${suffix ? `/${suffix}` : ''}`,
          occurredAt,
          // Steps stamped in the same second keep the lifecycle's order.
          sequence: steps.indexOf(step) * 10 + order,
          change,
        });
        const ani = detail.customerEndpoint?.address ?? 'anonymous';
        const dnis = detail.systemEndpoint?.address ?? 'unknown';
        switch (step) {
          case 'INITIATED':
            if (dialled) return { record, ignored: `${method} contacts start when their agent is connected` };
            return { record, events: [event('', { type: 'started', direction: 'inbound', ani, dnis })] };
          case 'QUEUED':
            if (dialled) return { record, ignored: `${method} contacts carry their queue in their start` };
            if (!detail.queueInfo) return refused('queueInfo', 'is needed for QUEUED', 'missing');
            return {
              record,
              events: [event('', { type: 'queued', queueId: queueOf(detail.queueInfo.queueArn) })],
            };
          case 'CONNECTED_TO_AGENT': {
            if (!detail.agentInfo) return refused('agentInfo', 'is needed for CONNECTED_TO_AGENT', 'missing');
            const agentId = agentOf(detail.agentInfo.agentArn);
            if (!dialled) return { record, events: [event('', { type: 'answered', agentId })] };
            const queue = detail.queueInfo ? { queueId: queueOf(detail.queueInfo.queueArn) } : {};
            return {
              record,
              events: [
                // The contact centre's line calls the customer: the ends swap.
                event('started', {
                  type: 'started',
                  direction: 'outbound',
                  ani: dnis,
                  dnis: ani,
                  agentId,
                  ...queue,
                }),
                event('answered', { type: 'answered', agentId }, 1),
              ],
            };
          }
          case 'DISCONNECTED': {
            const reason = detail.disconnectReason;
            const known = spelledAs(reason, Object.keys(disconnects));
            // No reason (AWS's sample has none; flows and APIs leave it null): the customer hung up.
            const outcome =
              reason === undefined
                ? disconnects.CUSTOMER_DISCONNECT!
                : known
                  ? disconnects[known]!
                  : undefined;
            if (outcome?.party === 'agent') {
              if (!detail.agentInfo) return refused('agentInfo', `is needed for ${known}`, 'missing');
              return {
                record,
                events: [
                  event('', {
                    type: 'disconnected',
                    party: { kind: 'agent', agentId: agentOf(detail.agentInfo.agentArn) },
                    reason: outcome.reason,
                  }),
                ],
              };
            }
            return {
              record,
              events: [
                event('', {
                  type: 'disconnected',
                  party: { kind: 'customer' },
                  reason: outcome?.reason ?? 'system',
                }),
              ],
            };
          }
          case 'COMPLETED':
            if (!detail.agentInfo)
              return { record, ignored: 'a contact completed without an agent has nothing to wrap up' };
            return {
              record,
              events: [event('', { type: 'wrapUp', agentId: agentOf(detail.agentInfo.agentArn) })],
            };
        }
      }
    },
  };
}

/** Whether a record is EventBridge's event (it has a `detail`, in any case) rather than the bare detail. */
function isEnvelope(input: unknown): boolean {
  return (
    typeof input === 'object' &&
    input !== null &&
    Object.keys(input).some((key) => key.toLowerCase() === 'detail')
  );
}

/** The detail's own time of a step (COMPLETED has none: the envelope's time). */
function timeOf(step: Step, detail: Detail): string | undefined {
  switch (step) {
    case 'INITIATED':
      return detail.initiationTimestamp;
    case 'QUEUED':
      return detail.queueInfo?.enqueueTimestamp;
    case 'CONNECTED_TO_AGENT':
      return detail.agentInfo?.connectedToAgentTimestamp;
    case 'DISCONNECTED':
      return detail.disconnectTimestamp;
    case 'COMPLETED':
      return undefined;
  }
}

function timeFieldOf(step: Step): string {
  const fields: Record<Step, string> = {
    INITIATED: 'initiationTimestamp',
    QUEUED: 'queueInfo.enqueueTimestamp',
    CONNECTED_TO_AGENT: 'agentInfo.connectedToAgentTimestamp',
    DISCONNECTED: 'disconnectTimestamp',
    COMPLETED: 'time',
  };
  return fields[step];
}
