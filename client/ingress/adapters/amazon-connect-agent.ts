/**
 * Amazon Connect agent event streams (the Kinesis records of
 * https://docs.aws.amazon.com/connect/latest/adminguide/agent-event-stream-model.html) → agent events.
 *
 * - LOGIN and STATE_CHANGE: the agent status of `CurrentAgentSnapshot` is the presence (its name,
 *   through the adapter's status mapping), published when it differs from `PreviousAgentSnapshot`'s;
 *   the routing status is inferred from the status type and the contacts, published when it changes:
 *   a contact alerting, connected, on hold or in after-contact work (`ENDED` while still in the
 *   snapshot) → Interacting; a missed or rejected one → NotResponding; otherwise Idle for a routable
 *   status and OffQueue for any other.
 * - LOGOUT: the logged-out presence (default `Offline`) and OffQueue.
 * - HEART_BEAT and event types the bridge does not know are ignored.
 * The agent is named by its `Configuration.Username` (default) or the agent id at the end of its ARN.
 * Each record gives event ids `<EventId>/presence` and `<EventId>/routingStatus`.
 */
import { z } from 'zod';
import { translateEach, type RecordTranslation, type VendorAdapter } from './adapter';

/** How the adapter names what it reads. */
export interface AmazonConnectAgentMapping {
  /** Connect agent status name → the state name the directory's presence mapping knows (default: the same). */
  statuses?: Record<string, string>;
  /** The presence a LOGOUT reports (default `Offline`). */
  loggedOutState?: string;
  /** Which of the agent's names is its external id (default `username`). */
  agentId?: 'username' | 'arn';
}

const contactSchema = z.looseObject({ State: z.string(), ContactId: z.string().optional() });
const snapshotSchema = z.looseObject({
  AgentStatus: z.looseObject({ Name: z.string().min(1), Type: z.string().optional() }).optional(),
  Configuration: z.looseObject({ Username: z.string().min(1).optional() }).optional(),
  Contacts: z.array(contactSchema).optional(),
});
const recordSchema = z.looseObject({
  EventType: z.string().min(1),
  EventId: z.string().min(1),
  EventTimestamp: z.string().min(1),
  AgentARN: z.string().min(1),
  CurrentAgentSnapshot: snapshotSchema.nullish(),
  PreviousAgentSnapshot: snapshotSchema.nullish(),
});
type Snapshot = z.infer<typeof snapshotSchema>;

const interacting = new Set(['INCOMING', 'PENDING', 'CONNECTING', 'CONNECTED', 'CONNECTED_ONHOLD', 'ENDED']);
const notResponding = new Set(['MISSED', 'REJECTED', 'ERROR']);

/** The routing status a snapshot implies. */
export function routingStatusOf(snapshot: Snapshot | null | undefined): string | undefined {
  if (!snapshot?.AgentStatus) return undefined;
  const states = (snapshot.Contacts ?? []).map((contact) => contact.State);
  if (states.some((state) => interacting.has(state))) return 'Interacting';
  if (states.some((state) => notResponding.has(state))) return 'NotResponding';
  return snapshot.AgentStatus.Type === 'ROUTABLE' ? 'Idle' : 'OffQueue';
}

/** The adapter for Amazon Connect agent event stream records. */
export function amazonConnectAgentAdapter(mapping: AmazonConnectAgentMapping = {}): VendorAdapter {
  const stateOf = (name: string) => mapping.statuses?.[name] ?? name;
  return {
    route: 'amazon-connect/agent-events',
    translate(records, source) {
      return translateEach(records, recordSchema, (event, record): RecordTranslation => {
        if (!['LOGIN', 'LOGOUT', 'STATE_CHANGE'].includes(event.EventType)) {
          return { record, ignored: `EventType ${event.EventType} carries no agent state change` };
        }
        const current = event.CurrentAgentSnapshot;
        const agentId =
          mapping.agentId === 'arn'
            ? event.AgentARN.split('/').at(-1)
            : (current?.Configuration?.Username ?? event.PreviousAgentSnapshot?.Configuration?.Username);
        if (!agentId) {
          return {
            record,
            refused: [
              {
                field: 'CurrentAgentSnapshot.Configuration.Username',
                message: 'is needed to name the agent',
                code: 'missing',
              },
            ],
          };
        }
        const base = { kind: 'agent', source, agentId, occurredAt: event.EventTimestamp };
        const change = (kind: 'presence' | 'routingStatus', value: string) => ({
          ...base,
          eventId: `${event.EventId}/${kind}`,
          change: kind === 'presence' ? { kind, state: value } : { kind, status: value },
        });
        if (event.EventType === 'LOGOUT') {
          return {
            record,
            events: [
              change('presence', mapping.loggedOutState ?? 'Offline'),
              change('routingStatus', 'OffQueue'),
            ],
          };
        }
        if (!current?.AgentStatus) {
          return {
            record,
            refused: [{ field: 'CurrentAgentSnapshot.AgentStatus', message: 'is missing', code: 'missing' }],
          };
        }
        const previous = event.EventType === 'LOGIN' ? undefined : event.PreviousAgentSnapshot;
        const events: Record<string, unknown>[] = [];
        if (previous?.AgentStatus?.Name !== current.AgentStatus.Name) {
          events.push(change('presence', stateOf(current.AgentStatus.Name)));
        }
        const routing = routingStatusOf(current)!;
        if (routingStatusOf(previous) !== routing) events.push(change('routingStatus', routing));
        return events.length > 0
          ? { record, events }
          : { record, ignored: 'neither the agent status nor the routing status changed' };
      });
    },
  };
}
