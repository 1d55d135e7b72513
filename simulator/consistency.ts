/**
 * The consistency report (`GET /__simulator/consistency`): traffic Genesys would most likely accept but
 * that contradicts what the SDK's model descriptions and Genesys's own connector documentation say,
 * so it is reported rather than refused. Pure functions over what the simulator already keeps: the
 * conversations' legs, each user's presence and routing-status timeline, and the ties noted on
 * acceptance. One pass over each timeline and a binary search per agent leg, nothing quadratic.
 */
import {
  agentStates,
  disagreements,
  stateIndexAt,
  type AgentStates,
  type Agreement,
  type Disagreement,
} from './agent-states';
import type { SimulatedConversation, SimulatedLeg } from './conversation-model';
import type { SameTimeEvent, TimelineEntry } from './state';

/** Every rule of the report, in the order the answer's `byRule` lists them. */
export const consistencyRules = [
  'queueOnInboundAgentLeg',
  'inboundAgentLegWithoutInvitedBy',
  'dispositionWithoutAfterCallWork',
  'inboundEmailWithoutIncludeMessage',
  'sameTimeInConversation',
  'sameTimeInUserStream',
  'routingStatusWithoutOnQueue',
  'agentStateDuringInteraction',
] as const;
/** One rule of the report. */
export type ConsistencyRule = (typeof consistencyRules)[number];

/** One thing the report found. */
export interface ConsistencyFinding {
  rule: ConsistencyRule;
  /** When it happened (ISO), by the events' own times. */
  at: string;
  userId?: string;
  conversationId?: string;
  communicationId?: string;
  message: string;
}

/** The answer of `GET /__simulator/consistency`. */
export interface ConsistencyReport {
  graceMs: number;
  /** Findings at or after `since`, all of them. */
  total: number;
  /** Every rule, with 0 when nothing broke it. */
  byRule: Record<string, number>;
  /** The first `limit` of them by time. */
  findings: ConsistencyFinding[];
}

/** What the report reads: the simulator state's conversations, timelines and ties. */
export interface ConsistencyInput {
  conversations: Iterable<SimulatedConversation>;
  /** Presence timelines by user id; each entry's value is the system presence of its definition. */
  presence: ReadonlyMap<string, { timeline: readonly TimelineEntry[] }>;
  /** Routing-status timelines by user id. */
  routing: ReadonlyMap<string, { timeline: readonly TimelineEntry[] }>;
  sameTimeEvents: readonly SameTimeEvent[];
}

/** How the report judges: the grace a disagreement gets, and the instant that ends what is still going on. */
export interface ConsistencyOptions {
  graceMs: number;
  /** ms since the epoch. */
  now: number;
}

/** Routing statuses of an agent On Queue (Genesys: Idle, Interacting, Communicating, NotResponding). */
const onQueueStatuses: ReadonlySet<string> = new Set([
  'Idle',
  'Interacting',
  'Communicating',
  'NotResponding',
]);

/** Every finding, unsorted. */
export function consistencyFindings(
  input: ConsistencyInput,
  options: ConsistencyOptions,
): ConsistencyFinding[] {
  const findings: ConsistencyFinding[] = [];
  const states = new Map<string, AgentStates>();
  const statesOf = (userId: string) => {
    let found = states.get(userId);
    if (!found) {
      found = agentStates(input.presence.get(userId)?.timeline, input.routing.get(userId)?.timeline);
      states.set(userId, found);
    }
    return found;
  };
  for (const conversation of input.conversations) {
    for (const leg of Object.values(conversation.legs)) {
      findings.push(...legFindings(conversation.conversationId, leg));
      if (leg.purpose === 'agent' && leg.userId !== undefined) {
        const finding = agentStateFinding(conversation.conversationId, leg, statesOf(leg.userId), options);
        if (finding) findings.push(finding);
      }
    }
  }
  for (const tie of input.sameTimeEvents) findings.push(sameTimeFinding(tie));
  for (const userId of input.presence.keys()) {
    if (input.routing.has(userId)) findings.push(...routingStatusFindings(userId, statesOf(userId), options));
  }
  return findings;
}

/** The report of `findings` at or after `since` (ms), the first `limit` of them by time. */
export function consistencyReport(
  findings: readonly ConsistencyFinding[],
  { graceMs, since, limit = 200 }: { graceMs: number; since?: number; limit?: number },
): ConsistencyReport {
  const selected = findings.filter((finding) => since === undefined || Date.parse(finding.at) >= since);
  const byRule: Record<string, number> = Object.fromEntries(consistencyRules.map((rule) => [rule, 0]));
  for (const finding of selected) byRule[finding.rule] = (byRule[finding.rule] ?? 0) + 1;
  selected.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return { graceMs, total: selected.length, byRule, findings: selected.slice(0, limit) };
}

/** What the leg's own establishment and wrap-up say, whatever happened around it. */
function legFindings(conversationId: string, leg: SimulatedLeg): ConsistencyFinding[] {
  const { communicationId, userId } = leg;
  const found = (rule: ConsistencyRule, at: string, message: string): ConsistencyFinding => ({
    rule,
    at,
    ...(userId === undefined ? {} : { userId }),
    conversationId,
    communicationId,
    message,
  });
  const findings: ConsistencyFinding[] = [];
  const agentLeg = `agent leg ${communicationId} of conversation ${conversationId} (user ${userId})`;
  if (leg.purpose === 'agent' && leg.inbound && leg.queueId !== undefined) {
    findings.push(
      found(
        'queueOnInboundAgentLeg',
        leg.establishedAt,
        `inbound ${agentLeg} carries queueId ${leg.queueId}, which "applies to outbound calls only" (the queue an outbound interaction is placed on behalf of); an inbound leg names what offered it with initialConfiguration.invitedBy`,
      ),
    );
  }
  if (leg.purpose === 'agent' && leg.inbound && leg.invitedBy === undefined) {
    findings.push(
      found(
        'inboundAgentLegWithoutInvitedBy',
        leg.establishedAt,
        `inbound ${agentLeg} has no initialConfiguration.invitedBy: nothing links it to the queue or agent that offered it`,
      ),
    );
  }
  if (leg.purpose === 'agent' && leg.wrapup !== undefined && leg.afterCallWorkRequired !== true) {
    findings.push(
      found(
        'dispositionWithoutAfterCallWork',
        leg.wrapup.appliedAt,
        `a disposition was applied to ${agentLeg}, which was established without afterCallWorkRequired true (no wrap-up expected)`,
      ),
    );
  }
  if (leg.key === 'emailExternalEstablishedEvents' && leg.inbound && leg.includeMessage !== true) {
    findings.push(
      found(
        'inboundEmailWithoutIncludeMessage',
        leg.establishedAt,
        `inbound email customer leg ${communicationId} of conversation ${conversationId} was established without includeMessage true, so its messagesSent starts at 0 although the customer's email is its first message`,
      ),
    );
  }
  return findings;
}

function sameTimeFinding(tie: SameTimeEvent): ConsistencyFinding {
  const sameTime = `has the same eventDateTime (${tie.eventDateTime}) as event ${tie.previousEventId}, accepted before it; Genesys leaves the order of such events to chance`;
  if (tie.stream === 'conversation') {
    return {
      rule: 'sameTimeInConversation',
      at: tie.eventDateTime,
      conversationId: tie.conversationId,
      ...(tie.communicationId === undefined ? {} : { communicationId: tie.communicationId }),
      message: `${tie.key} event ${tie.eventId} of conversation ${tie.conversationId} ${sameTime}`,
    };
  }
  return {
    rule: 'sameTimeInUserStream',
    at: tie.eventDateTime,
    userId: tie.userId,
    message: `${tie.key} event ${tie.eventId} of user ${tie.userId}'s ${tie.stream} stream ${sameTime}`,
  };
}

/** Presence and routing status agree: an On Queue routing status goes with an OnQueue presence. */
const presenceAgreesWithRouting: Agreement = (presence, routing) =>
  presence === 'OnQueue' ? routing !== 'OffQueue' : !onQueueStatuses.has(routing ?? '');

/** Every disagreement between the user's presence and routing status longer than the grace. */
function routingStatusFindings(
  userId: string,
  states: AgentStates,
  { graceMs, now }: ConsistencyOptions,
): ConsistencyFinding[] {
  // Judged once both streams have said something: before that one of them is simply unknown.
  const first = states.times.findIndex(
    (_time, index) => states.presence[index] !== undefined && states.routing[index] !== undefined,
  );
  if (first === -1) return [];
  const to = Math.max(now, states.times.at(-1)!);
  return disagreements(states, states.times[first]!, to, presenceAgreesWithRouting, graceMs).map((run) => ({
    rule: 'routingStatusWithoutOnQueue',
    at: iso(run.start),
    userId,
    message: `user ${userId}'s routing status was ${run.routing} while their presence was ${run.presence}, from ${iso(run.start)} for ${lasting(run, to)} (grace ${graceMs} ms); ${
      run.presence === 'OnQueue'
        ? 'an agent On Queue is Idle, Interacting, Communicating or NotResponding, never OffQueue'
        : 'Idle, Interacting, Communicating and NotResponding are the routing statuses of an agent On Queue'
    }`,
  }));
}

/** An agent handling an interaction is OnQueue and Interacting or Communicating. */
const handlingAnInteraction: Agreement = (presence, routing) =>
  presence === 'OnQueue' && (routing === 'Interacting' || routing === 'Communicating');

/** The first disagreement longer than the grace while the agent leg was live, if any. */
function agentStateFinding(
  conversationId: string,
  leg: SimulatedLeg,
  states: AgentStates,
  { graceMs, now }: ConsistencyOptions,
): ConsistencyFinding | undefined {
  const from = Date.parse(leg.establishedAt);
  const to = leg.endedAt === undefined ? Math.max(now, from) : Date.parse(leg.endedAt);
  const live = `user ${leg.userId}'s agent leg ${leg.communicationId} of conversation ${conversationId} was live from ${leg.establishedAt} to ${leg.endedAt ?? 'now'}`;
  const found = (at: number, what: string): ConsistencyFinding => ({
    rule: 'agentStateDuringInteraction',
    at: iso(at),
    userId: leg.userId,
    conversationId,
    communicationId: leg.communicationId,
    message: `${live}, but ${what}; an agent handling an interaction is OnQueue and Interacting or Communicating`,
  });
  // A stream that never spoke before the leg's end leaves the state unknown, however short the leg:
  // the agent handled an interaction Genesys never saw them logged in for.
  const last = stateIndexAt(states.times, to);
  const unknown = [
    ...(last >= 0 && states.presence[last] !== undefined ? [] : ['presence']),
    ...(last >= 0 && states.routing[last] !== undefined ? [] : ['routing-status']),
  ];
  if (unknown.length > 0) {
    return found(
      from,
      `their state is unknown: no ${unknown.join(' or ')} event of theirs was accepted before or during it (Genesys never saw this agent logged in)`,
    );
  }
  const [run] = disagreements(states, from, to, handlingAnInteraction, graceMs, true);
  if (!run) return undefined;
  return found(
    run.start,
    `from ${iso(run.start)} for ${lasting(run, leg.endedAt === undefined ? to : undefined)} (grace ${graceMs} ms) their presence was ${run.presence ?? 'unknown'} and routing status ${run.routing ?? 'unknown'}`,
  );
}

/** How long a disagreement lasted; `openEnd`: the end of a judged span that is still going on. */
function lasting(run: Disagreement, openEnd: number | undefined): string {
  return `${run.end - run.start} ms${run.end === openEnd ? ' and counting' : ''}`;
}

function iso(time: number): string {
  return new Date(time).toISOString();
}
