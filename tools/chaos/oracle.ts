/**
 * The chaos run's oracle, independent of the bridge's own counters: what the ingress acknowledged (the
 * driver's log) held against what Genesys shows (the simulator's read-back) and, for what is not there,
 * the workflows' ledgers with their reasons. Pure: the run reads, this judges.
 *
 * An acknowledged event is matched to a Genesys event of its stream stamped at its own time or up to
 * `toleranceMs` after it (the bridge nudges a tie forward by a millisecond, never back). A Genesys event
 * that can only match an event already matched is a double; one matched out of the source's order is a
 * reorder. A call's recording must be in Genesys once, uploaded whole, its MD5 the served file's.
 */
import type { AcknowledgedEvent } from './acknowledgements';

/** How far after its source time a Genesys event may be stamped and still be that event. */
export const toleranceMs = 20;

/** One Genesys event as the simulator shows it. */
export interface GenesysEvent {
  eventId: string;
  eventDateTime: string;
  /** The conversation event's key (agent streams: the stream's kind). */
  key?: string;
  communicationId?: string;
}

/** One ledger entry of a workflow, as its status shows it. */
export interface LedgerNote {
  eventId: string;
  outcome: string;
  reason: string;
}

/** What was read back for one agent: the Genesys streams of its user and its workflow's ledger. */
export interface AgentReadBack {
  agentId: string;
  streams: Record<string, GenesysEvent[]>;
  ledger: LedgerNote[];
}

/** What was read back for one interaction. */
export interface ConversationReadBack {
  interactionId: string;
  /** The workflow's status, and why it waits when it does. */
  status: string;
  reason?: string;
  events: GenesysEvent[];
  ledger: LedgerNote[];
  /** Each upload of the conversation's recordings: its status and the MD5 of the file Genesys holds. */
  recordings: { status: string; md5?: string }[];
}

/** The oracle's findings. */
export interface OracleVerdict {
  acknowledged: number;
  delivered: number;
  inLedgers: Record<string, number>;
  lost: number;
  doubled: number;
  reordered: number;
  /** Genesys events no acknowledged event accounts for. */
  unexpected: number;
  recordings: {
    expected: number;
    matched: number;
    mismatched: number;
    doubled: number;
    notUploaded: Record<string, number>;
  };
  conversations: { terminal: Record<string, number>; waiting: Record<string, number>; unexplained: number };
  /** The first few of each problem, to look into. */
  examples: string[];
  ok: boolean;
}

/** Statuses a conversation workflow ends in. */
const terminalStatuses = new Set([
  'Completed',
  'RecordingMissing',
  'RecordingFailed',
  'Abandoned',
  'Orphaned',
]);

/** Judges a run from its acknowledged events and what was read back. */
export function judge(
  acknowledged: readonly AcknowledgedEvent[],
  agents: readonly AgentReadBack[],
  conversations: readonly ConversationReadBack[],
  recordingMd5: string,
  /** Events Genesys refused because a later one of their stream was already accepted (its business rule 1). */
  refusedOutOfOrder = 0,
): OracleVerdict {
  const verdict: OracleVerdict = {
    acknowledged: acknowledged.length,
    delivered: 0,
    inLedgers: {},
    lost: 0,
    doubled: 0,
    // An event the bridge sent out of order is refused, then sits in a ledger: it counts as reordered too.
    reordered: refusedOutOfOrder,
    unexpected: 0,
    recordings: { expected: 0, matched: 0, mismatched: 0, doubled: 0, notUploaded: {} },
    conversations: { terminal: {}, waiting: {}, unexplained: 0 },
    examples: [],
    ok: false,
  };
  const example = (text: string) => {
    if (verdict.examples.length < 20) verdict.examples.push(text);
  };
  const byEntity = groupBy(acknowledged, (event) => `${event.kind}/${event.entityId}`);

  for (const agent of agents) {
    const events = byEntity.get(`agent/${agent.agentId}`) ?? [];
    byEntity.delete(`agent/${agent.agentId}`);
    for (const [stream, expected] of groupBy(events, (event) => event.change)) {
      judgeStream(
        verdict,
        example,
        `agent ${agent.agentId} ${stream}`,
        expected,
        agent.streams[stream] ?? [],
        agent.ledger,
      );
    }
  }
  for (const conversation of conversations) {
    const events = byEntity.get(`conversation/${conversation.interactionId}`) ?? [];
    byEntity.delete(`conversation/${conversation.interactionId}`);
    judgeConversation(verdict, example, conversation, events, recordingMd5);
  }
  // Acknowledged for an entity nothing was read back for: no workflow and nothing in Genesys.
  for (const [entity, events] of byEntity) {
    verdict.lost += events.length;
    example(`${entity}: ${events.length} acknowledged events, no workflow or Genesys record found`);
  }
  verdict.ok =
    verdict.lost === 0 &&
    verdict.doubled === 0 &&
    verdict.reordered === 0 &&
    verdict.recordings.mismatched === 0 &&
    verdict.recordings.doubled === 0 &&
    verdict.conversations.unexplained === 0;
  return verdict;
}

/**
 * One ordered stream: each Genesys event (in the order Genesys accepted them) takes the first acknowledged
 * event not yet matched that it can be; then what is unmatched is in the ledger or lost.
 */
function judgeStream(
  verdict: OracleVerdict,
  example: (text: string) => void,
  name: string,
  expected: readonly AcknowledgedEvent[],
  delivered: readonly GenesysEvent[],
  ledger: readonly LedgerNote[],
): void {
  const sorted = [...expected].sort((a, b) => Date.parse(a.occurredAt) - Date.parse(b.occurredAt));
  const matched = new Array<boolean>(sorted.length).fill(false);
  let furthest = -1;
  for (const event of delivered) {
    const stamp = Date.parse(event.eventDateTime);
    const fits = (index: number) => {
      const gap = stamp - Date.parse(sorted[index]!.occurredAt);
      return gap >= 0 && gap <= toleranceMs;
    };
    const index = sorted.findIndex((_event, candidate) => !matched[candidate] && fits(candidate));
    if (index === -1) {
      if (sorted.some((_event, candidate) => fits(candidate))) {
        verdict.doubled++;
        example(
          `${name}: Genesys event ${event.eventId} at ${event.eventDateTime} delivers an event already delivered`,
        );
      } else verdict.unexpected++;
      continue;
    }
    matched[index] = true;
    verdict.delivered++;
    if (index < furthest) {
      verdict.reordered++;
      example(
        `${name}: ${sorted[index]!.eventId} reached Genesys after ${sorted[furthest]!.eventId}, which came after it`,
      );
    }
    furthest = Math.max(furthest, index);
  }
  sorted.forEach((event, index) => {
    if (!matched[index]) accountFor(verdict, example, name, event, ledger);
  });
}

/** An acknowledged event not in Genesys: in its workflow's ledger with a reason, or lost. */
function accountFor(
  verdict: OracleVerdict,
  example: (text: string) => void,
  name: string,
  event: AcknowledgedEvent,
  ledger: readonly LedgerNote[],
): void {
  const entry = ledger.find((note) => note.eventId === event.eventId);
  if (entry) {
    verdict.inLedgers[entry.outcome] = (verdict.inLedgers[entry.outcome] ?? 0) + 1;
    return;
  }
  verdict.lost++;
  example(
    `${name}: ${event.eventId} (${event.change} at ${event.occurredAt}) acknowledged, not in Genesys nor in a ledger`,
  );
}

function judgeConversation(
  verdict: OracleVerdict,
  example: (text: string) => void,
  conversation: ConversationReadBack,
  acknowledged: readonly AcknowledgedEvent[],
  recordingMd5: string,
): void {
  const name = `interaction ${conversation.interactionId}`;
  // Genesys's own events, in the order it accepted them: never back in time, never the same one twice.
  let latest = Number.NEGATIVE_INFINITY;
  const seen = new Set<string>();
  for (const event of conversation.events) {
    const stamp = Date.parse(event.eventDateTime);
    if (stamp < latest) {
      verdict.reordered++;
      example(`${name}: Genesys event ${event.key} at ${event.eventDateTime} accepted after a later one`);
    }
    latest = Math.max(latest, stamp);
    const identity = `${event.key}/${event.communicationId ?? ''}/${event.eventDateTime}`;
    if (seen.has(identity) || seen.has(event.eventId)) {
      verdict.doubled++;
      example(
        `${name}: Genesys event ${event.key} of ${event.communicationId ?? 'the conversation'} at ${event.eventDateTime} twice`,
      );
    }
    seen.add(identity).add(event.eventId);
  }
  const stamps = conversation.events.map((event) => Date.parse(event.eventDateTime));
  const uploaded = conversation.recordings.filter((recording) => recording.status === 'Success');
  for (const event of acknowledged) {
    // A recording is delivered as an upload, not as a conversation event.
    if (event.change === 'recordingReady') {
      if (uploaded.length > 0) verdict.delivered++;
      else accountFor(verdict, example, name, event, conversation.ledger);
      continue;
    }
    const occurred = Date.parse(event.occurredAt);
    if (stamps.some((stamp) => stamp >= occurred && stamp - occurred <= toleranceMs)) verdict.delivered++;
    else accountFor(verdict, example, name, event, conversation.ledger);
  }
  if (acknowledged.some((event) => event.change === 'recordingReady')) {
    const { recordings } = verdict;
    recordings.expected++;
    if (uploaded.length > 1) {
      recordings.doubled++;
      example(`${name}: ${uploaded.length} recordings uploaded for one call`);
    }
    if (uploaded.some((recording) => recording.md5 === recordingMd5)) recordings.matched++;
    else if (uploaded.length > 0) {
      recordings.mismatched++;
      example(
        `${name}: the uploaded recording's MD5 is ${uploaded[0]!.md5 ?? 'unknown'}, the source's ${recordingMd5}`,
      );
    } else {
      const why = `${conversation.status}${conversation.reason ? `: ${conversation.reason}` : ''}`;
      recordings.notUploaded[why] = (recordings.notUploaded[why] ?? 0) + 1;
    }
  }
  const statuses = verdict.conversations;
  if (terminalStatuses.has(conversation.status)) {
    statuses.terminal[conversation.status] = (statuses.terminal[conversation.status] ?? 0) + 1;
  } else if (conversation.reason) {
    statuses.waiting[conversation.status] = (statuses.waiting[conversation.status] ?? 0) + 1;
  } else {
    statuses.unexplained++;
    example(`${name}: ${conversation.status} with no reason given`);
  }
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
