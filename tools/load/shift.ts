/**
 * The realistic mix: a discrete-event simulation of every agent's shift, so the events read like a real
 * contact centre's. Every agent starts On Queue and Idle (the shift's opening). An interaction arrives
 * on a queue and waits there until a free member of that queue — On Queue, Idle — is routed to it; the
 * agent is Interacting from the offer (or the email's assignment) through talk, hold, hang-up and
 * after-call work (Genesys: "On Queue handling an interaction or completing after-call work") and Idle
 * again at its wrap-up. A caller nobody takes abandons after a while. Breaks (each a leave — a break
 * presence with OffQueue — and a return On Queue and Idle) are taken only by idle agents.
 *
 * Every agent event is at least a millisecond after the agent's previous one, and the events of one
 * change — presence and routing status, a step and the agent's status it causes — share an instant.
 */
import { seededRandom, type Random } from '../../simulator/random';
import { Agenda } from './agenda';
import {
  agentChange,
  arrivals,
  between,
  callStarted,
  conversationStep,
  emailReceived,
  exponential,
  idMinter,
  pick,
  pickByShare,
  recordingReady,
  type LoadShape,
  type RoutingStatus,
  type TimedEvent,
} from './events';

/** How often a call is put on hold, or blind-transferred to another free agent of its queue. */
const holdShare = 0.3;
const transferShare = 0.05;

interface Agent {
  id: string;
  queues: readonly string[];
  /** idle: On Queue and free; busy: routed to an interaction, until its wrap-up; away: on a break. */
  state: 'idle' | 'busy' | 'away';
  /** The instant of the agent's latest event: the next one is at least a millisecond later. */
  lastMs: number;
  /** Its place in the list of idle agents (-1 when not idle). */
  idleSlot: number;
}

interface Interaction {
  interactionId: string;
  channel: 'voice' | 'email';
  queueId: string;
  lastMs: number;
  queuedAtMs: number;
  waiting: boolean;
}

/** Plays `shape`'s realistic mix from `startMs` for `durationMs`, yielding events in time order. */
export function* realisticLoad(shape: LoadShape, startMs: number, durationMs: number): Generator<TimedEvent> {
  const centre = new ContactCentreShift(shape, startMs);
  const windowMs = 5_000;
  for (let windowStart = startMs; windowStart < startMs + durationMs; windowStart += windowMs) {
    const windowEnd = Math.min(windowStart + windowMs, startMs + durationMs);
    centre.plan(windowStart, windowEnd);
    centre.agenda.runUntil(windowEnd);
    // Nothing still planned can happen before the window's end: what happened so far is final.
    yield* centre.takeEvents(windowEnd);
  }
  // Interactions begun and breaks taken are played to their end: afterwards every agent is On Queue and Idle.
  centre.agenda.runUntil(Infinity);
  yield* centre.takeEvents(Infinity);
}

class ContactCentreShift {
  readonly agenda = new Agenda();
  private readonly random: Random;
  private readonly eventId: (prefix: string) => string;
  private events: TimedEvent[] = [];
  private readonly idle: Agent[] = [];
  /** Idle members of each queue, longest idle first (a set keeps insertion order). */
  private readonly idleIn = new Map<string, Set<Agent>>();
  /** Interactions waiting in each queue, longest waiting first. */
  private readonly waitingIn = new Map<string, Set<Interaction>>();
  /** Queues with members: interactions arrive only on these. */
  private readonly servedQueues: string[];
  /** Expected returns from break per ms (each agent away returns at 1 / its break's mean length). */
  private returnsPerMs = 0;
  private interactions = 0;

  constructor(
    private readonly shape: LoadShape,
    startMs: number,
  ) {
    this.random = seededRandom(shape.seed);
    this.eventId = idMinter(shape.runId);
    for (const queueId of shape.queues) {
      this.idleIn.set(queueId, new Set());
      this.waitingIn.set(queueId, new Set());
    }
    for (const id of shape.agents) {
      const queues = (shape.agentQueues?.[id] ?? shape.queues).filter((queueId) => this.idleIn.has(queueId));
      this.joinIdle({ id, queues, state: 'idle', lastMs: startMs, idleSlot: -1 });
    }
    this.servedQueues = shape.queues.filter((queueId) => this.idleIn.get(queueId)!.size > 0);
    if (this.servedQueues.length === 0 && shape.interactionsPerSecond > 0) {
      throw new Error('no agent is a member of any queue: interactions would wait for ever');
    }
  }

  /** Plans the arrivals of [from, to): interactions, and the moments an idle agent may take a break. */
  plan(from: number, to: number): void {
    const changesPerMs = this.shape.presenceChangesPerMinute / 60_000;
    for (const atMs of arrivals(this.random, changesPerMs, from, to)) {
      this.agenda.at(atMs, () => this.maybeTakeBreak(atMs, changesPerMs));
    }
    for (const atMs of arrivals(this.random, this.shape.interactionsPerSecond / 1_000, from, to)) {
      this.agenda.at(atMs, () => this.arrive(atMs));
    }
  }

  /** The events before `endMs`, in time order; later ones stay. */
  takeEvents(endMs: number): TimedEvent[] {
    // A stable sort: events of one instant keep the order they were made in.
    const sorted = this.events.sort((a, b) => a.atMs - b.atMs);
    const cut = sorted.findIndex((timed) => timed.atMs >= endMs);
    const due = cut === -1 ? sorted : sorted.slice(0, cut);
    this.events = cut === -1 ? [] : sorted.slice(cut);
    return due;
  }

  // ---- interactions ----

  private arrive(atMs: number): void {
    const channel = this.random() < this.shape.voiceShare ? 'voice' : 'email';
    const interaction: Interaction = {
      interactionId: `${this.shape.runId}-${channel === 'voice' ? 'call' : 'email'}-${(this.interactions++).toString(36)}`,
      channel,
      queueId: pick(this.random, this.servedQueues),
      lastMs: -Infinity,
      queuedAtMs: 0,
      waiting: false,
    };
    const t = this.step(
      interaction,
      atMs,
      channel === 'voice' ? callStarted(this.random) : emailReceived(this.random),
    );
    this.after(t, 1_000, 5_000, (at) => this.enqueue(interaction, at));
  }

  private enqueue(interaction: Interaction, atMs: number): void {
    const t = this.step(interaction, atMs, { type: 'queued', queueId: interaction.queueId });
    interaction.queuedAtMs = t;
    interaction.waiting = true;
    this.waitingIn.get(interaction.queueId)!.add(interaction);
    // Callers hang up if nobody answers; an email waits for as long as it takes.
    if (interaction.channel === 'voice')
      this.after(t, 30_000, 180_000, (at) => this.abandon(interaction, at));
    const agent = first(this.idleIn.get(interaction.queueId)!);
    if (agent) this.route(interaction, agent, t);
  }

  /** The ACD picks `agent` for `interaction`; the offer follows a moment later. */
  private route(interaction: Interaction, agent: Agent, atMs: number): void {
    this.waitingIn.get(interaction.queueId)!.delete(interaction);
    interaction.waiting = false;
    this.takeFromIdle(agent);
    this.after(atMs, 500, 2_000, (at) => this.offer(interaction, agent, at));
  }

  private offer(interaction: Interaction, agent: Agent, atMs: number): void {
    const type = interaction.channel === 'voice' ? 'offered' : 'assigned';
    const t = this.stepWithAgent(interaction, agent, atMs, { type, agentId: agent.id }, 'Interacting');
    if (interaction.channel === 'voice') {
      this.after(t, 2_000, 8_000, (at) => this.answer(interaction, agent, at, true));
    } else {
      this.after(t, 30_000, 180_000, (at) => this.replyToEmail(interaction, agent, at));
    }
  }

  private answer(interaction: Interaction, agent: Agent, atMs: number, mayTransfer: boolean): void {
    const t = this.step(interaction, atMs, { type: 'answered', agentId: agent.id });
    const talkOn = (at: number) => this.talk(interaction, agent, at, mayTransfer);
    if (this.random() >= holdShare) {
      talkOn(t);
      return;
    }
    this.after(t, 10_000, 60_000, (heldAt) => {
      const held = this.step(interaction, heldAt, { type: 'held', agentId: agent.id });
      this.after(held, 5_000, 30_000, (resumedAt) =>
        talkOn(this.step(interaction, resumedAt, { type: 'resumed', agentId: agent.id })),
      );
    });
  }

  private talk(interaction: Interaction, agent: Agent, atMs: number, mayTransfer: boolean): void {
    if (mayTransfer && this.random() < transferShare) {
      this.after(atMs, 10_000, 60_000, (at) => this.transfer(interaction, agent, at));
    } else {
      this.after(atMs, 20_000, 180_000, (at) => this.hangUp(interaction, agent, at));
    }
  }

  /** A blind transfer to the queue's longest-idle member, if there is one; else the call goes on. */
  private transfer(interaction: Interaction, from: Agent, atMs: number): void {
    const to = first(this.idleIn.get(interaction.queueId)!);
    if (!to) {
      this.after(atMs, 20_000, 180_000, (at) => this.hangUp(interaction, from, at));
      return;
    }
    this.takeFromIdle(to);
    const change = { type: 'blindTransfer', agentId: from.id, target: { kind: 'agent', agentId: to.id } };
    const t = this.stepWithAgent(interaction, to, atMs, change, 'Interacting');
    // The first agent's leg ends with the transfer; it stays Interacting through its after-call work.
    this.after(t, 5_000, 30_000, (at) => this.wrapUp(interaction, from, at));
    this.after(t, 2_000, 8_000, (at) => this.answer(interaction, to, at, false));
  }

  private hangUp(interaction: Interaction, agent: Agent, atMs: number): void {
    const t = this.step(interaction, atMs, { type: 'disconnected', party: { kind: 'customer' } });
    this.after(t, 5_000, 30_000, (at) => {
      const wrapped = this.wrapUp(interaction, agent, at);
      this.after(wrapped, 2_000, 10_000, (readyAt) =>
        this.step(interaction, readyAt, recordingReady(this.shape, interaction.interactionId)),
      );
    });
  }

  private abandon(interaction: Interaction, atMs: number): void {
    if (!interaction.waiting) return;
    this.waitingIn.get(interaction.queueId)!.delete(interaction);
    interaction.waiting = false;
    // The customer's hang-up ends the queue leg too: no agent, so no wrap-up and no recording.
    this.step(interaction, atMs, { type: 'disconnected', party: { kind: 'customer' } });
  }

  private replyToEmail(interaction: Interaction, agent: Agent, atMs: number): void {
    const t = this.step(interaction, atMs, { type: 'replySent', agentId: agent.id });
    this.after(t, 1_000, 10_000, (closedAt) => {
      const closed = this.step(interaction, closedAt, {
        type: 'closed',
        agentId: agent.id,
        reason: 'resolved',
      });
      this.after(closed, 5_000, 30_000, (at) => this.wrapUp(interaction, agent, at));
    });
  }

  /** The agent's wrap-up; it is Idle at that instant, and free for the next interaction. */
  private wrapUp(interaction: Interaction, agent: Agent, atMs: number): number {
    const code = pick(this.random, this.shape.wrapupCodes);
    const t = this.stepWithAgent(
      interaction,
      agent,
      atMs,
      { type: 'wrapUp', agentId: agent.id, code },
      'Idle',
    );
    this.makeIdle(agent, t);
    return t;
  }

  // ---- breaks ----

  /**
   * A moment a presence change may happen (Poisson at the shape's rate): an idle agent leaves for a break
   * with the probability that keeps leaves and returns together at that rate — the expected returns
   * take their share first, so the rate holds from the first minute on, not only once breaks end.
   */
  private maybeTakeBreak(atMs: number, changesPerMs: number): void {
    if (this.shape.breaks.length === 0 || this.random() >= 1 - this.returnsPerMs / changesPerMs) return;
    if (this.idle.length === 0) return;
    const agent = this.idle[Math.floor(this.random() * this.idle.length)]!;
    const kind = pickByShare(this.random, this.shape.breaks);
    this.takeFromIdle(agent);
    agent.state = 'away';
    const meanMs = kind.meanMs * this.shape.timeScale;
    this.returnsPerMs += 1 / meanMs;
    const t = this.agentEvents(agent, atMs, { presence: kind.state, routing: 'OffQueue' });
    const returnAt = Math.floor(t + breakLength(this.random, meanMs));
    this.agenda.at(returnAt, () => {
      this.returnsPerMs -= 1 / meanMs;
      const back = this.agentEvents(agent, returnAt, { presence: this.shape.onQueueState, routing: 'Idle' });
      this.makeIdle(agent, back);
    });
  }

  // ---- bookkeeping ----

  /** The agent is free: the interaction that has waited longest in its queues, or the idle lists. */
  private makeIdle(agent: Agent, atMs: number): void {
    let oldest: Interaction | undefined;
    for (const queueId of agent.queues) {
      const head = first(this.waitingIn.get(queueId)!);
      if (head && (!oldest || head.queuedAtMs < oldest.queuedAtMs)) oldest = head;
    }
    if (oldest) this.route(oldest, agent, atMs);
    else this.joinIdle(agent);
  }

  private joinIdle(agent: Agent): void {
    agent.state = 'idle';
    agent.idleSlot = this.idle.push(agent) - 1;
    for (const queueId of agent.queues) this.idleIn.get(queueId)!.add(agent);
  }

  private takeFromIdle(agent: Agent): void {
    agent.state = 'busy';
    if (agent.idleSlot === -1) return;
    const last = this.idle.pop()!;
    if (last !== agent) {
      this.idle[agent.idleSlot] = last;
      last.idleSlot = agent.idleSlot;
    }
    agent.idleSlot = -1;
    for (const queueId of agent.queues) this.idleIn.get(queueId)!.delete(agent);
  }

  /** Plans `then` a scaled `fromMs`–`toMs` after `atMs`. */
  private after(atMs: number, fromMs: number, toMs: number, then: (at: number) => void): void {
    const at = Math.floor(atMs + between(this.random, fromMs, toMs) * this.shape.timeScale);
    this.agenda.at(at, () => then(at));
  }

  private step(interaction: Interaction, atMs: number, change: Record<string, unknown>): number {
    const t = Math.max(Math.floor(atMs), interaction.lastMs + 1);
    interaction.lastMs = t;
    this.events.push(conversationStep(this.shape, interaction, t, change, this.eventId('step')));
    return t;
  }

  /** A step and the routing status it gives the agent, at one instant later than both's last events. */
  private stepWithAgent(
    interaction: Interaction,
    agent: Agent,
    atMs: number,
    change: Record<string, unknown>,
    routing: RoutingStatus,
  ): number {
    const t = this.step(interaction, Math.max(atMs, agent.lastMs + 1), change);
    this.agentEvents(agent, t, { routing });
    return t;
  }

  private agentEvents(
    agent: Agent,
    atMs: number,
    change: { presence?: string; routing: RoutingStatus },
  ): number {
    const t = Math.max(Math.floor(atMs), agent.lastMs + 1);
    agent.lastMs = t;
    this.events.push(...agentChange(this.shape, agent.id, t, change, this.eventId));
    return t;
  }
}

/** A break's length: never under a quarter of its mean, exponential above that. */
function breakLength(random: Random, meanMs: number): number {
  return meanMs / 4 + exponential(random, 1 / ((meanMs * 3) / 4));
}

function first<T>(items: Set<T>): T | undefined {
  return items.values().next().value;
}
