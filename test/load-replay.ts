/**
 * An independent replay of a generated contact centre's events, for the load generator's tests: it
 * follows every agent's presence and routing status and the interactions each handles, and lists what a
 * real contact centre (and Genesys's consistency rules) would not show — an agent offered an interaction
 * while not On Queue and Idle or outside the interaction's queue, not Interacting while it handles one,
 * a break taken mid-interaction, a presence change without its routing status, an agent stream that goes
 * back in time. It shares no code with the generator.
 */
import type { TimedEvent } from '../tools/load/generator';

interface AgentSeen {
  presence?: string;
  routing?: string;
  lastMs: { presence: number; routingStatus: number };
  handling: Set<string>;
}

/** What the replay found. */
export interface CentreReplay {
  violations: string[];
  /** Offers, assignments and transfers checked. */
  offers: number;
  transfers: number;
  /** Presence changes away from On Queue checked. */
  breaks: number;
  /** Calls whose customer hung up while waiting in queue. */
  abandoned: number;
  /** From queued to offered (or assigned), per interaction that reached an agent. */
  waitsMs: number[];
  /** The share of known agents On Queue, every 10 s of the replay. */
  onQueueShareEvery10s: number[];
  /** Agents not On Queue and Idle, or still handling an interaction, once every event is played. */
  notOnQueueAtEnd: string[];
}

interface Change {
  kind?: 'presence' | 'routingStatus';
  state?: string;
  status?: string;
  type?: string;
  agentId?: string;
  queueId?: string;
  target?: { kind: string; agentId?: string };
}

/** Replays `events` (in time order, the shift's opening first). */
export function replayCentre(
  events: TimedEvent[],
  options: { onQueueState: string; agentQueues: Readonly<Record<string, readonly string[]>> },
): CentreReplay {
  const agents = new Map<string, AgentSeen>();
  const queueOf = new Map<string, string>();
  const queuedAt = new Map<string, number>();
  const replay: CentreReplay = {
    violations: [],
    offers: 0,
    transfers: 0,
    breaks: 0,
    abandoned: 0,
    waitsMs: [],
    onQueueShareEvery10s: [],
    notOnQueueAtEnd: [],
  };
  const flag = (atMs: number, message: string) => {
    if (replay.violations.length < 1_000)
      replay.violations.push(`${new Date(atMs).toISOString()} ${message}`);
  };
  const agent = (agentId: string) => {
    let seen = agents.get(agentId);
    if (!seen) {
      seen = { lastMs: { presence: -Infinity, routingStatus: -Infinity }, handling: new Set() };
      agents.set(agentId, seen);
    }
    return seen;
  };
  let nextSample = events[0]?.atMs ?? 0;

  for (let start = 0; start < events.length;) {
    // One instant at a time: checks read the states before it and the changes made at it.
    const atMs = events[start]!.atMs;
    let end = start;
    while (end < events.length && events[end]!.atMs === atMs) end++;
    const instant = events.slice(start, end);
    start = end;
    while (nextSample < atMs) {
      const known = [...agents.values()];
      const onQueue = known.filter((seen) => seen.presence === options.onQueueState).length;
      replay.onQueueShareEvery10s.push(known.length === 0 ? 1 : onQueue / known.length);
      nextSample += 10_000;
    }
    const routingAt = new Map<string, string>();
    const presenceAt = new Map<string, string>();
    for (const { event } of instant.filter((timed) => timed.event.kind === 'agent')) {
      const change = event.change as Change;
      const agentId = event.agentId as string;
      if (change.kind === 'routingStatus') routingAt.set(agentId, change.status!);
      else presenceAt.set(agentId, change.state!);
    }

    /** `agentId` takes `interactionId`: it must be free, On Queue, in the queue, and Interacting from now. */
    const takes = (agentId: string, interactionId: string) => {
      const seen = agent(agentId);
      const queueId = queueOf.get(interactionId);
      if (seen.presence !== options.onQueueState || seen.routing !== 'Idle' || seen.handling.size > 0) {
        flag(
          atMs,
          `${agentId} offered ${interactionId} while ${seen.presence}/${seen.routing}, handling ${seen.handling.size}`,
        );
      }
      if (queueId === undefined || !(options.agentQueues[agentId] ?? []).includes(queueId)) {
        flag(atMs, `${agentId} offered ${interactionId} of ${queueId} outside its queues`);
      }
      if (routingAt.get(agentId) !== 'Interacting') {
        flag(atMs, `${agentId} offered ${interactionId} without turning Interacting at that instant`);
      }
      seen.handling.add(interactionId);
      replay.offers++;
    };

    for (const { event } of instant.filter((timed) => timed.event.kind === 'conversation')) {
      const change = event.change as Change;
      const interactionId = event.interactionId as string;
      switch (change.type) {
        case 'queued':
          queueOf.set(interactionId, change.queueId!);
          queuedAt.set(interactionId, atMs);
          break;
        case 'offered':
        case 'assigned':
          replay.waitsMs.push(atMs - (queuedAt.get(interactionId) ?? atMs));
          queuedAt.delete(interactionId);
          takes(change.agentId!, interactionId);
          break;
        case 'blindTransfer':
          if (change.target?.kind === 'agent') {
            takes(change.target.agentId!, interactionId);
            replay.transfers++;
          }
          break;
        case 'disconnected':
          if (queuedAt.delete(interactionId)) replay.abandoned++;
          break;
        case 'wrapUp': {
          const seen = agent(change.agentId!);
          if (!seen.handling.delete(interactionId)) {
            flag(atMs, `${change.agentId} wraps up ${interactionId}, which it was not handling`);
          }
          if (routingAt.get(change.agentId!) !== 'Idle' && seen.handling.size === 0) {
            flag(atMs, `${change.agentId} wraps up ${interactionId} without turning Idle at that instant`);
          }
          break;
        }
      }
    }

    for (const { event } of instant.filter((timed) => timed.event.kind === 'agent')) {
      const change = event.change as Change;
      const agentId = event.agentId as string;
      const seen = agent(agentId);
      const stream = change.kind!;
      if (atMs <= seen.lastMs[stream]) flag(atMs, `${agentId}'s ${stream} goes back or stands still in time`);
      seen.lastMs[stream] = atMs;
      if (stream === 'presence') {
        if (!routingAt.has(agentId))
          flag(atMs, `${agentId}'s presence ${change.state} comes without its routing status`);
        if (change.state !== options.onQueueState) {
          replay.breaks++;
          if (seen.routing !== 'Idle' || seen.handling.size > 0) {
            flag(
              atMs,
              `${agentId} goes on ${change.state} while ${seen.routing}, handling ${seen.handling.size}`,
            );
          }
          if (routingAt.get(agentId) !== 'OffQueue')
            flag(atMs, `${agentId} goes on ${change.state} without OffQueue`);
        } else if (routingAt.get(agentId) !== 'Idle') {
          flag(atMs, `${agentId} comes On Queue without Idle`);
        }
        seen.presence = change.state;
      } else {
        seen.routing = change.status;
      }
    }

    // After the instant: whoever handles an interaction is On Queue and Interacting; nobody else is.
    for (const agentId of new Set([...routingAt.keys(), ...presenceAt.keys()])) {
      const seen = agent(agentId);
      const busy = seen.handling.size > 0;
      if (busy && (seen.presence !== options.onQueueState || seen.routing !== 'Interacting')) {
        flag(atMs, `${agentId} handles an interaction while ${seen.presence}/${seen.routing}`);
      }
      if (!busy && seen.routing === 'Interacting')
        flag(atMs, `${agentId} is Interacting with nothing to handle`);
      if (seen.presence !== options.onQueueState && seen.routing !== 'OffQueue') {
        flag(atMs, `${agentId} is ${seen.routing} while ${seen.presence}`);
      }
    }
  }
  replay.notOnQueueAtEnd = [...agents]
    .filter(
      ([, seen]) =>
        seen.presence !== options.onQueueState || seen.routing !== 'Idle' || seen.handling.size > 0,
    )
    .map(([agentId, seen]) => `${agentId} ${seen.presence}/${seen.routing}, handling ${seen.handling.size}`);
  return replay;
}
