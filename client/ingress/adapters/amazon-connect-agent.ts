/**
 * Amazon Connect agent event streams (the Kinesis records of
 * https://docs.aws.amazon.com/connect/latest/adminguide/agent-event-stream-model.html) → agent events.
 * Every rule, and what happens when a field is absent, is in docs/adapters/amazon-connect-agent-events.md.
 *
 * - LOGIN and STATE_CHANGE: the agent status of `CurrentAgentSnapshot` is the presence (its name,
 *   through the adapter's status mapping), published when it differs from `PreviousAgentSnapshot`'s;
 *   the routing status is inferred from the contacts and the status (see {@link routingStatusOf}),
 *   published when it changes.
 * - LOGOUT: the logged-out presence (default `Offline`) and OffQueue.
 * - HEART_BEAT and event types the bridge does not know are ignored by name.
 * Field names and enum values are matched ignoring case: AWS's own samples disagree. The agent is named
 * by its `Configuration.Username` (default) or the agent id at the end of its ARN. Each record gives event
 * ids `<EventId>/presence` and `<EventId>/routingStatus`.
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

/** How the adapter names what it reads. */
export interface AmazonConnectAgentMapping {
  /** Connect agent status name → the state name the directory's presence mapping knows (default: the same). */
  statuses?: Record<string, string>;
  /** The presence a LOGOUT reports (default `Offline`). */
  loggedOutState?: string;
  /** Which of the agent's names is its external id (default `username`). */
  agentId?: 'username' | 'arn';
  /**
   * Agent status names that take contacts, for a snapshot whose `AgentStatus` has no `Type` (AWS's published
   * sample has none); matched ignoring case (default `Available`).
   */
  routableStatuses?: string[];
}

const contactSchema = z.looseObject({ State: z.string().min(1), ContactId: z.string().optional() });
const snapshotSchema = z.looseObject({
  AgentStatus: z.looseObject({ Name: z.string().min(1), Type: z.string().min(1).optional() }).nullish(),
  Configuration: z.looseObject({ Username: z.string().min(1).optional() }).nullish(),
  Contacts: z.array(contactSchema).nullish(),
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

const eventTypes = ['LOGIN', 'LOGOUT', 'STATE_CHANGE', 'HEART_BEAT'] as const;
const interactingStates = ['INCOMING', 'PENDING', 'CONNECTING', 'CONNECTED', 'CONNECTED_ONHOLD', 'ENDED'];
const notRespondingStates = ['MISSED', 'REJECTED', 'ERROR'];
const statusTypes = ['ROUTABLE', 'CUSTOM', 'OFFLINE'] as const;

/** A snapshot's routing status, or why it has none (a field the rule cannot read). */
export type RoutingInference = { status: string } | { refused: FieldError };

/**
 * The routing status a snapshot implies: a contact alerting, connected, on hold or in after-contact work
 * (`ENDED` while still in the snapshot) → Interacting; else a missed, rejected or failed one →
 * NotResponding; else, by `AgentStatus.Type`, ROUTABLE → Idle and CUSTOM or OFFLINE → OffQueue; without a
 * Type, Idle when the status name is one of `routableStatuses`, else OffQueue.
 */
export function routingStatusOf(
  snapshot: Snapshot,
  routableStatuses: readonly string[],
  field = 'CurrentAgentSnapshot',
): RoutingInference | undefined {
  if (!snapshot.AgentStatus) return undefined;
  const contacts = snapshot.Contacts ?? [];
  const unknown = contacts.findIndex(
    (contact) => !spelledAs(contact.State, [...interactingStates, ...notRespondingStates]),
  );
  if (unknown >= 0) {
    return {
      refused: {
        field: `${field}.Contacts.${unknown}.State`,
        message: `is ${contacts[unknown]!.State}, not a contact state the routing status can be inferred from`,
        code: 'invalidValue',
      },
    };
  }
  const states = contacts.map((contact) => contact.State.toUpperCase());
  if (states.some((state) => interactingStates.includes(state))) return { status: 'Interacting' };
  if (states.length > 0) return { status: 'NotResponding' };
  const { Name: name, Type: type } = snapshot.AgentStatus;
  if (type === undefined) {
    return { status: spelledAs(name, routableStatuses) ? 'Idle' : 'OffQueue' };
  }
  const known = spelledAs(type, statusTypes);
  if (!known) {
    return {
      refused: {
        field: `${field}.AgentStatus.Type`,
        message: `is ${type}, not ROUTABLE, CUSTOM or OFFLINE`,
        code: 'invalidValue',
      },
    };
  }
  return { status: known === 'ROUTABLE' ? 'Idle' : 'OffQueue' };
}

/** The adapter for Amazon Connect agent event stream records. */
export function amazonConnectAgentAdapter(mapping: AmazonConnectAgentMapping = {}): VendorAdapter {
  const stateOf = (name: string) => mappedIgnoringCase(mapping.statuses, name) ?? name;
  const routable = mapping.routableStatuses ?? ['Available'];
  return {
    route: 'amazon-connect/agent-events',
    translate(records, source) {
      return translateEach(
        records,
        recordSchema,
        (event, record): RecordTranslation => {
          const eventType = spelledAs(event.EventType, eventTypes);
          if (eventType === undefined) {
            return { record, ignored: `EventType ${event.EventType} is not one the bridge uses` };
          }
          if (eventType === 'HEART_BEAT') {
            return { record, ignored: 'HEART_BEAT repeats the agent’s state; it changes nothing' };
          }
          const refused = (error: FieldError): RecordTranslation => ({ record, refused: [error] });
          const current = event.CurrentAgentSnapshot;
          const agentId =
            mapping.agentId === 'arn'
              ? event.AgentARN.split('/').at(-1)
              : (current?.Configuration?.Username ?? event.PreviousAgentSnapshot?.Configuration?.Username);
          if (!agentId) {
            return refused({
              field: mapping.agentId === 'arn' ? 'AgentARN' : 'CurrentAgentSnapshot.Configuration.Username',
              message: 'is needed to name the agent',
              code: 'missing',
            });
          }
          const base = { kind: 'agent', source, agentId, occurredAt: event.EventTimestamp };
          const change = (kind: 'presence' | 'routingStatus', value: string) => ({
            ...base,
            eventId: `${event.EventId}/${kind}`,
            change: kind === 'presence' ? { kind, state: value } : { kind, status: value },
          });
          if (eventType === 'LOGOUT') {
            return {
              record,
              events: [
                change('presence', mapping.loggedOutState ?? 'Offline'),
                change('routingStatus', 'OffQueue'),
              ],
            };
          }
          const routing = current && routingStatusOf(current, routable);
          if (!current?.AgentStatus || !routing) {
            return refused({
              field: 'CurrentAgentSnapshot.AgentStatus',
              message: `is needed for ${eventType}`,
              code: 'missing',
            });
          }
          if ('refused' in routing) return refused(routing.refused);
          const previous = eventType === 'LOGIN' ? undefined : event.PreviousAgentSnapshot;
          const previousRouting = previous && routingStatusOf(previous, routable, 'PreviousAgentSnapshot');
          const events: Record<string, unknown>[] = [];
          if (previous?.AgentStatus?.Name !== current.AgentStatus.Name) {
            events.push(change('presence', stateOf(current.AgentStatus.Name)));
          }
          // A previous snapshot the rule cannot read counts as a change: the current status is published.
          if (
            !previousRouting ||
            !('status' in previousRouting) ||
            previousRouting.status !== routing.status
          ) {
            events.push(change('routingStatus', routing.status));
          }
          return events.length > 0
            ? { record, events }
            : {
                record,
                ignored:
                  'neither the agent status nor the routing status changed (a configuration or contact change)',
              };
        },
        { fieldNamesIgnoringCase: true },
      );
    },
  };
}
