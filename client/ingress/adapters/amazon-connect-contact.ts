/**
 * Amazon Connect contact events (EventBridge, detail-type "Amazon Connect Contact Event",
 * https://docs.aws.amazon.com/connect/latest/adminguide/contact-events.html) → voice conversation events.
 *
 * - INITIATED (inbound or transfer) → the call starts: ANI from `customerEndpoint.address`, DNIS from
 *   `systemEndpoint.address` (`anonymous` / `unknown` when Connect does not say).
 * - QUEUED → queued in the queue at the end of `queueInfo.queueArn`.
 * - CONNECTED_TO_AGENT → answered by the agent at the end of `agentInfo.agentArn`; for an outbound
 *   contact, the call starts here (placed by that agent) and the customer answers.
 * - DISCONNECTED → the party of `disconnectReason` leaves (AGENT_DISCONNECT: the agent; otherwise the
 *   customer, with reason `system` unless it was CUSTOMER_DISCONNECT).
 * - COMPLETED (after-contact work done) → the agent's wrap-up.
 * - Other event types and channels are ignored by name.
 * Ids: agents and queues by the id at the end of their ARN, mapped through `agents` / `queues` when
 * the directory knows them by other names; the event id is EventBridge's `id`, the time the step's own
 * timestamp in `detail` (else the event's `time`), with the lifecycle's order as the tie-breaker.
 */
import { z } from 'zod';
import { translateEach, type RecordTranslation, type VendorAdapter } from './adapter';

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
  initiationMethod: z.string().optional(),
  initiationTimestamp: timestamp,
  disconnectTimestamp: timestamp,
  disconnectReason: z.string().optional(),
  customerEndpoint: z.looseObject({ address: z.string().optional() }).nullish(),
  systemEndpoint: z.looseObject({ address: z.string().optional() }).nullish(),
  queueInfo: z.looseObject({ queueArn: z.string().min(1), enqueueTimestamp: timestamp }).nullish(),
  agentInfo: z.looseObject({ agentArn: z.string().min(1), connectedToAgentTimestamp: timestamp }).nullish(),
});
const eventSchema = z.looseObject({
  id: z.string().min(1),
  'detail-type': z.literal('Amazon Connect Contact Event', {
    error: 'must be "Amazon Connect Contact Event"',
  }),
  time: z.string().min(1),
  detail: detailSchema,
});

const order = ['INITIATED', 'QUEUED', 'CONNECTED_TO_AGENT', 'DISCONNECTED', 'COMPLETED'];

/** The adapter for Amazon Connect contact events. */
export function amazonConnectContactAdapter(mapping: AmazonConnectContactMapping = {}): VendorAdapter {
  const lastSegment = (arn: string) => arn.split('/').at(-1) ?? arn;
  const agentOf = (arn: string) => mapping.agents?.[lastSegment(arn)] ?? lastSegment(arn);
  const queueOf = (arn: string) => mapping.queues?.[lastSegment(arn)] ?? lastSegment(arn);
  return {
    route: 'amazon-connect/contact-events',
    translate(records, source) {
      return translateEach(records, eventSchema, ({ id, time, detail }, record): RecordTranslation => {
        if (detail.channel !== 'VOICE')
          return { record, ignored: `channel ${detail.channel} is not a voice call` };
        if (!order.includes(detail.eventType)) {
          return { record, ignored: `eventType ${detail.eventType} is not a step the bridge uses` };
        }
        const outbound = detail.initiationMethod === 'OUTBOUND';
        const event = (
          suffix: string,
          occurredAt: string | undefined,
          change: Record<string, unknown>,
          step = 0,
        ) => ({
          kind: 'conversation',
          channel: 'voice',
          source,
          interactionId: detail.contactId,
          eventId: suffix ? `${id}/${suffix}` : id,
          occurredAt: occurredAt ?? time,
          sequence: order.indexOf(detail.eventType) * 10 + step,
          change,
        });
        const needs = (field: string): RecordTranslation => ({
          record,
          refused: [
            { field: `detail.${field}`, message: `is needed for ${detail.eventType}`, code: 'missing' },
          ],
        });
        const ani = detail.customerEndpoint?.address ?? 'anonymous';
        const dnis = detail.systemEndpoint?.address ?? 'unknown';
        switch (detail.eventType) {
          case 'INITIATED':
            if (outbound)
              return { record, ignored: 'an outbound contact starts when its agent is connected' };
            return {
              record,
              events: [
                event('', detail.initiationTimestamp, { type: 'started', direction: 'inbound', ani, dnis }),
              ],
            };
          case 'QUEUED':
            if (!detail.queueInfo) return needs('queueInfo');
            return {
              record,
              events: [
                event('', detail.queueInfo.enqueueTimestamp, {
                  type: 'queued',
                  queueId: queueOf(detail.queueInfo.queueArn),
                }),
              ],
            };
          case 'CONNECTED_TO_AGENT': {
            if (!detail.agentInfo) return needs('agentInfo');
            const agentId = agentOf(detail.agentInfo.agentArn);
            const at = detail.agentInfo.connectedToAgentTimestamp;
            if (!outbound) return { record, events: [event('', at, { type: 'answered', agentId })] };
            return {
              record,
              events: [
                event('started', at, {
                  type: 'started',
                  direction: 'outbound',
                  // Outbound: the contact centre's line calls the customer.
                  ani: dnis,
                  dnis: ani,
                  agentId,
                  ...(detail.queueInfo ? { queueId: queueOf(detail.queueInfo.queueArn) } : {}),
                }),
                event('answered', at, { type: 'answered', agentId }, 1),
              ],
            };
          }
          case 'DISCONNECTED': {
            const byAgent = detail.disconnectReason === 'AGENT_DISCONNECT' && detail.agentInfo;
            const party = byAgent
              ? { kind: 'agent', agentId: agentOf(detail.agentInfo!.agentArn) }
              : { kind: 'customer' };
            const reason =
              byAgent ||
              detail.disconnectReason === 'CUSTOMER_DISCONNECT' ||
              detail.disconnectReason === undefined
                ? 'hangup'
                : 'system';
            return {
              record,
              events: [event('', detail.disconnectTimestamp, { type: 'disconnected', party, reason })],
            };
          }
          default: {
            // COMPLETED: after-contact work is done.
            if (!detail.agentInfo)
              return { record, ignored: 'a contact completed without an agent has nothing to wrap up' };
            return {
              record,
              events: [event('', undefined, { type: 'wrapUp', agentId: agentOf(detail.agentInfo.agentArn) })],
            };
          }
        }
      });
    },
  };
}
