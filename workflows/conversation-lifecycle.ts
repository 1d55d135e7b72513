/**
 * The lifecycle of one interaction, translated into Genesys conversation events: which legs exist
 * (customer, IVR, queue, agents, external numbers), what each step of the source's lifecycle does to them,
 * and which sequences Genesys cannot express (refused with a reason naming the step and the state).
 * Pure and deterministic: ids come from the `mint` it is given (the workflow's, derived from the step:
 * domain/genesys/derived-ids.ts), directory ids from the `ids` the workflow resolved before translating;
 * the state is plain data that crosses continue-as-new and is shown by the status query.
 */
import type { EmailChange, InteractionEvent, VoiceChange } from '../domain/events/interaction-event';
import type { ConversationEvent, ConversationEventKey } from '../domain/genesys';

/** What a leg stands for. */
export type LegRole = 'customer' | 'ivr' | 'queue' | 'agent' | 'external';

/** One communication of the conversation. */
export interface Leg {
  communicationId: string;
  role: LegRole;
  /** The agent (role agent) or queue (role queue), by their ids at the source. */
  agentId?: string;
  queueId?: string;
  answered: boolean;
  held: boolean;
  ended: boolean;
  wrappedUp: boolean;
}

/** A consult in progress: the consulting agent's leg, the consulted party's and the customer's. */
export interface Consult {
  initiating: string;
  destination: string;
  object: string;
}

/** Everything the translation keeps about one conversation. */
export interface LifecycleState {
  channel: 'voice' | 'email';
  direction: 'inbound' | 'outbound';
  conversationId: string;
  legs: Leg[];
  consults: Record<string, Consult>;
  /** Consult ids already used: a finished consult is not started again. */
  finishedConsults: string[];
  /** Voice: the numbers every leg repeats. */
  call?: { ani: string; dnis: string };
  /** Email: the addresses and subject every leg's initial configuration carries (never a body). */
  email?: { to: string; from: string; cc?: string[]; subject?: string };
}

/** A Genesys event the translation plans, without the eventId and eventDateTime the workflow adds. */
export type PlannedEvent = {
  [Key in ConversationEventKey]: {
    key: Key;
    event: Omit<ConversationEvent<Key>, 'eventId' | 'eventDateTime'>;
  };
}[ConversationEventKey];

/** Genesys ids of the parties events name, resolved by the workflow before it translates. */
export interface ResolvedIds {
  users: Record<string, string>;
  queues: Record<string, string>;
  wrapupCodes: Record<string, string>;
}

/** What translation needs besides the state and the event. */
export interface TranslationContext {
  /** The source's presence source id in Genesys (every leg's `sourceConfiguration.sourceId`). */
  sourceId: string;
  ids: ResolvedIds;
  /** Mints the step's next UUID v4; the same step from the same state must get the same ids on every run. */
  mint: () => string;
  /** The Genesys conversation id chosen when the workflow started (minted with the rest when none was). */
  conversationId?: string;
  /** Whether agents wrap up after their legs end (`afterCallWorkRequired` on agent legs); default true. */
  afterCallWork?: boolean;
}

/** The outcome of one step: the new state and the Genesys events it makes, or why it cannot be taken. */
export type Translation =
  { ok: true; state: LifecycleState; events: PlannedEvent[] } | { ok: false; reason: string };

/** The source ids one event names, which the workflow resolves to Genesys ids before translating it. */
export function referencesOf(event: InteractionEvent): {
  agents: string[];
  queues: string[];
  wrapupCodes: string[];
} {
  const change = event.change;
  const agents = new Set<string>();
  const queues = new Set<string>();
  const wrapupCodes = new Set<string>();
  if ('agentId' in change && change.agentId !== undefined) agents.add(change.agentId);
  if ('queueId' in change && change.queueId !== undefined) queues.add(change.queueId);
  if ('target' in change) {
    if (change.target.kind === 'agent') agents.add(change.target.agentId);
    if (change.target.kind === 'queue') queues.add(change.target.queueId);
  }
  if (change.type === 'wrapUp' && change.code !== undefined) wrapupCodes.add(change.code);
  return { agents: [...agents], queues: [...queues], wrapupCodes: [...wrapupCodes] };
}

/** Whether every leg has ended. */
export function hasEnded(state: LifecycleState): boolean {
  return state.legs.length > 0 && state.legs.every((leg) => leg.ended);
}

/** Agents whose answered legs still wait for a wrap-up. */
export function awaitingWrapUp(state: LifecycleState): string[] {
  return state.legs
    .filter((leg) => leg.role === 'agent' && leg.answered && !leg.wrappedUp)
    .map((leg) => leg.agentId ?? '');
}

/** Translates one step of the interaction (`state` undefined: the conversation has not started). */
export function translate(
  state: LifecycleState | undefined,
  event: InteractionEvent,
  context: TranslationContext,
): Translation {
  try {
    const builder = new Builder(state, event, context);
    if (event.channel === 'voice') builder.voice(event.change);
    else builder.email(event.change);
    return { ok: true, state: builder.result(), events: builder.events };
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    const where = state === undefined ? 'before the conversation started' : `in ${describeLifecycle(state)}`;
    // The cause first: lists cut the reason short.
    return { ok: false, reason: `${error.message}: ${event.change.type} (event ${event.eventId}) ${where}` };
  }
}

/**
 * Ends every leg still live (an operator abandoned the conversation): the events that close it in
 * Genesys, with a System disconnect.
 */
export function closeAll(
  state: LifecycleState,
  interactionId: string,
  context: TranslationContext,
): Translation {
  const builder = new Builder(state, { channel: state.channel, interactionId }, context);
  builder.closeAll();
  return { ok: true, state: builder.result(), events: builder.events };
}

/** The state in a few words, for refusals and the Web UI. */
export function describeLifecycle(state: LifecycleState): string {
  if (hasEnded(state)) return `an ended ${state.channel} conversation`;
  const live = state.legs.filter((leg) => !leg.ended);
  const parts = live.map((leg) =>
    leg.role === 'agent'
      ? `agent ${leg.agentId} (${leg.held ? 'held' : leg.answered ? 'connected' : 'alerting'})`
      : leg.role === 'queue'
        ? `queue ${leg.queueId}`
        : leg.role,
  );
  return `a ${state.channel} conversation with ${parts.join(', ')}`;
}

type Disconnect =
  | 'Self'
  | 'Peer'
  | 'System'
  | 'Error'
  | 'Transfer'
  | 'TransferACD'
  | 'TransferUser'
  | 'TransferConsult'
  | 'Spam';

/** A step Genesys cannot express from the current state. */
class Refusal extends Error {}

function refuse(reason: string): never {
  throw new Refusal(reason);
}

/** Applies one step to a copy of the state, collecting the events it makes. */
class Builder {
  readonly events: PlannedEvent[] = [];
  private state: LifecycleState | undefined;

  constructor(
    state: LifecycleState | undefined,
    private readonly event: Pick<InteractionEvent, 'channel' | 'interactionId'>,
    private readonly context: TranslationContext,
  ) {
    this.state = state && {
      ...state,
      legs: state.legs.map((leg) => ({ ...leg })),
      consults: { ...state.consults },
      finishedConsults: [...state.finishedConsults],
    };
  }

  result(): LifecycleState {
    return this.current();
  }

  voice(change: VoiceChange): void {
    if (change.type === 'started') return this.startCall(change);
    if (change.type === 'wrapUp') return this.wrapUp(change.agentId, change.code, change.notes);
    // The recording is the workflow's business; any time after the start is fine.
    if (change.type === 'recordingReady') return void this.current();
    const state = this.live(change.type);
    switch (change.type) {
      case 'queued':
        return this.queue(change.queueId);
      case 'offered':
        this.agentLeg(change.agentId, { alerting: true, invitedBy: this.offeringLeg() });
        return;
      case 'answered':
        return state.direction === 'outbound'
          ? this.outboundConnected(change.agentId)
          : this.answer(change.agentId);
      case 'held':
      case 'resumed':
        return this.hold(change.agentId, change.type === 'held');
      case 'blindTransfer':
        return this.blindTransfer(change.agentId, change.target);
      case 'consultStarted':
        return this.startConsult(change);
      case 'consultCompleted':
        return this.finishConsult(change.consultId, true);
      case 'consultCancelled':
        return this.finishConsult(change.consultId, false);
      case 'disconnected':
        return change.party.kind === 'customer'
          ? this.customerLeft(change.reason)
          : this.agentLeft(change.party.agentId, change.reason);
    }
  }

  email(change: EmailChange): void {
    if (change.type === 'received' || change.type === 'sent') return this.startEmail(change);
    if (change.type === 'wrapUp') return this.wrapUp(change.agentId, change.code, change.notes);
    const state = this.live(change.type);
    switch (change.type) {
      case 'queued':
        return this.queue(change.queueId);
      case 'assigned':
        return this.answer(change.agentId);
      case 'replySent':
        this.emit({
          key: 'emailCommunicationSentMessageEvents',
          event: this.legEvent(this.connectedAgent(change.agentId).communicationId),
        });
        return;
      case 'transferred':
        return this.blindTransfer(change.agentId, change.target);
      case 'closed': {
        const spam = change.reason === 'spam';
        for (const leg of state.legs.filter((each) => !each.ended)) {
          this.end(
            leg,
            spam ? 'Spam' : leg.role === 'agent' && leg.agentId === change.agentId ? 'Self' : 'Peer',
          );
        }
        return;
      }
    }
  }

  closeAll(): void {
    for (const leg of this.current().legs.filter((each) => !each.ended)) this.end(leg, 'System');
  }

  // ---- starting ----

  private startCall(change: Extract<VoiceChange, { type: 'started' }>): void {
    if (this.state) refuse('the call has started already');
    const { ani, dnis } = change;
    this.state = this.newState('voice', change.direction);
    this.state.call = { ani, dnis };
    if (change.direction === 'inbound') {
      this.establish('customer', (base) => ({
        key: 'externalEstablishedEvents',
        event: {
          ...base,
          initialConfiguration: { inbound: true, alerting: false },
          ani,
          dnis,
          ...(change.aniName === undefined ? {} : { aniName: change.aniName }),
          ...(change.dnisName === undefined ? {} : { dnisName: change.dnisName }),
        },
      }));
      const ivr = change.ivr;
      if (ivr) {
        this.establish('ivr', (base) => ({
          key: 'ivrEstablishedEvents',
          event: {
            ...base,
            initialConfiguration: { inbound: true, alerting: false },
            ani,
            dnis,
            ...(ivr.name === undefined ? {} : { ivrName: ivr.name }),
            ...(ivr.phoneNumber === undefined ? {} : { ivrPhoneNumber: ivr.phoneNumber }),
          },
        }));
      }
      return;
    }
    if (change.agentId === undefined) refuse('an outbound call names the agent who placed it (agentId)');
    // The agent's leg starts connected (alerting false: no answered event); the customer's rings.
    const agent = this.agentLeg(change.agentId, { alerting: false, onBehalfOf: change.queueId });
    this.establish('customer', (base) => ({
      key: 'externalEstablishedEvents',
      event: {
        ...base,
        initialConfiguration: { inbound: false, alerting: true, invitedBy: agent.communicationId },
        ani,
        dnis,
      },
    }));
  }

  private startEmail(change: Extract<EmailChange, { type: 'received' | 'sent' }>): void {
    if (this.state) refuse('the email conversation has started already');
    const inbound = change.type === 'received';
    this.state = this.newState('email', inbound ? 'inbound' : 'outbound');
    this.state.email = {
      to: change.to.join(', '),
      from: change.from,
      ...(change.cc === undefined ? {} : { cc: change.cc }),
      ...(change.subject === undefined ? {} : { subject: change.subject }),
    };
    if (inbound) {
      // includeMessage: the customer's email is the conversation's first message (messagesSent starts at 1).
      this.establish('customer', (base) => ({
        key: 'emailExternalEstablishedEvents',
        event: { ...base, includeMessage: true, initialConfiguration: this.emailConfiguration(true, false) },
      }));
      return;
    }
    // The agent's leg starts connected (no answered event); its first message is the one it sends.
    const agent = this.agentLeg(change.agentId, { alerting: false });
    this.establish('customer', (base) => ({
      key: 'emailExternalEstablishedEvents',
      event: {
        ...base,
        initialConfiguration: { ...this.emailConfiguration(false, false), invitedBy: agent.communicationId },
      },
    }));
    this.emit({ key: 'emailCommunicationSentMessageEvents', event: this.legEvent(agent.communicationId) });
  }

  // ---- steps shared by voice and email ----

  private queue(queueId: string): void {
    const state = this.current();
    const queued = state.legs.find((leg) => leg.role === 'queue' && !leg.ended);
    if (queued) refuse(`the interaction waits in queue ${queued.queueId} already`);
    if (state.legs.some((leg) => leg.role === 'agent' && !leg.ended && leg.answered)) {
      refuse('an agent is connected; move it to a queue with a transfer');
    }
    for (const ivr of state.legs.filter((leg) => leg.role === 'ivr' && !leg.ended)) this.end(ivr, 'Transfer');
    this.queueLeg(queueId);
  }

  /**
   * An agent takes the interaction: its alerting leg is answered, or, when it was never offered, a leg
   * is established connected (alerting false, which Genesys reads as "started connected": no answered event).
   */
  private answer(agentId: string): void {
    const state = this.current();
    const existing = state.legs.find((leg) => leg.role === 'agent' && leg.agentId === agentId && !leg.ended);
    if (existing?.answered) refuse(`agent ${agentId} is connected already`);
    if (existing) {
      this.emit({ key: this.keys().answered, event: this.legEvent(existing.communicationId) });
      existing.answered = true;
    } else {
      this.agentLeg(agentId, { alerting: false, invitedBy: this.offeringLeg() });
    }
    for (const queued of state.legs.filter((each) => each.role === 'queue' && !each.ended))
      this.end(queued, 'Transfer');
  }

  private outboundConnected(agentId: string): void {
    const state = this.current();
    if (!state.legs.some((leg) => leg.role === 'agent' && leg.agentId === agentId && !leg.ended)) {
      refuse(`agent ${agentId} is not on this outbound call`);
    }
    const customer = this.customer();
    if (customer.answered) refuse('the customer has answered already');
    this.emit({ key: 'communicationAnsweredEvents', event: this.legEvent(customer.communicationId) });
    customer.answered = true;
  }

  private hold(agentId: string, held: boolean): void {
    const leg = this.connectedAgent(agentId);
    if (held && leg.held) refuse(`agent ${agentId} holds the call already`);
    if (!held && !leg.held) refuse(`agent ${agentId} does not hold the call, so it cannot resume it`);
    this.emit({ key: 'holdUpdatedEvents', event: { ...this.legEvent(leg.communicationId), held } });
    leg.held = held;
  }

  private blindTransfer(
    agentId: string,
    target:
      | { kind: 'agent'; agentId: string }
      | { kind: 'queue'; queueId: string }
      | { kind: 'number'; phoneNumber: string },
  ): void {
    const state = this.current();
    const from = this.connectedAgent(agentId);
    const customer = this.customer();
    const keys = this.keys();
    const command = {
      conversationId: state.conversationId,
      transferType: 'Unattended' as const,
      commandId: this.context.mint(),
      initiatingCommunicationId: from.communicationId,
      targetCommunicationId: from.communicationId,
      objectCommunicationId: customer.communicationId,
    };
    // The command, the destination's leg (invited by the transferring agent, still connected), the
    // customer moving to it, the transferring agent leaving, the command completed.
    let destination: Leg;
    let disconnect: Disconnect;
    if (target.kind === 'agent') {
      if (target.agentId === agentId) refuse(`agent ${agentId} cannot transfer the interaction to itself`);
      this.emit({
        key: keys.userTransfer,
        event: { ...command, destinationUserId: this.user(target.agentId) },
      });
      destination = this.agentLeg(target.agentId, { alerting: true, invitedBy: from.communicationId });
      disconnect = 'TransferUser';
    } else if (target.kind === 'queue') {
      this.emit({
        key: keys.routingTransfer,
        event: { ...command, destinationQueueId: this.queueId(target.queueId) },
      });
      destination = this.queueLeg(target.queueId, from.communicationId);
      disconnect = 'TransferACD';
    } else {
      if (state.channel === 'email') refuse('an email cannot be transferred to a phone number');
      this.emit({
        key: 'phoneTransferEvents',
        event: { ...command, destinationPhoneNumber: target.phoneNumber },
      });
      destination = this.phoneLeg(target.phoneNumber, from.communicationId);
      disconnect = 'Transfer';
    }
    const moved = {
      conversationId: state.conversationId,
      commandId: command.commandId,
      objectCommunicationId: customer.communicationId,
    };
    this.emit({
      key: keys.progressTransfer,
      event: { ...moved, destinationCommunicationId: destination.communicationId },
    });
    this.end(from, disconnect);
    this.emit({ key: keys.endTransfer, event: { ...moved, finalState: 'Completed' } });
  }

  private startConsult(change: Extract<VoiceChange, { type: 'consultStarted' }>): void {
    const state = this.current();
    if (state.consults[change.consultId] || state.finishedConsults.includes(change.consultId)) {
      refuse(`consult ${change.consultId} was started already`);
    }
    const open = Object.keys(state.consults)[0];
    if (open !== undefined) refuse(`consult ${open} is still in progress; finish it first`);
    const from = this.connectedAgent(change.agentId);
    const customer = this.customer();
    const { target } = change;
    const destination =
      target.kind === 'agent'
        ? target.agentId === change.agentId
          ? refuse(`agent ${change.agentId} cannot consult itself`)
          : this.agentLeg(target.agentId, { alerting: true, invitedBy: from.communicationId })
        : target.kind === 'queue'
          ? this.queueLeg(target.queueId, from.communicationId)
          : this.phoneLeg(target.phoneNumber, from.communicationId);
    const consult = {
      initiating: from.communicationId,
      destination: destination.communicationId,
      object: customer.communicationId,
    };
    state.consults[change.consultId] = consult;
    this.emit({ key: 'consultTransferEvents', event: this.consultEvent(consult) });
  }

  private finishConsult(consultId: string, completed: boolean): void {
    const state = this.current();
    const consult = state.consults[consultId];
    if (!consult) refuse(`no consult ${consultId} is in progress`);
    if (completed) {
      this.emit({ key: 'progressConsultTransferEvents', event: this.consultEvent(consult) });
      const initiating = this.leg(consult.initiating);
      if (!initiating.ended) this.end(initiating, 'TransferConsult');
    } else {
      const destination = this.leg(consult.destination);
      if (!destination.ended) this.end(destination, 'Peer');
    }
    this.emit({ key: 'endConsultTransferEvents', event: { conversationId: state.conversationId } });
    delete state.consults[consultId];
    state.finishedConsults.push(consultId);
  }

  private customerLeft(reason: 'hangup' | 'error' | 'system'): void {
    const state = this.current();
    const customer = this.customer();
    for (const consultId of Object.keys(state.consults)) this.finishConsult(consultId, false);
    this.end(customer, reason === 'hangup' ? 'Self' : reasonType(reason));
    for (const leg of state.legs.filter((each) => !each.ended)) {
      this.end(leg, reason === 'hangup' ? 'Peer' : reasonType(reason));
    }
  }

  private agentLeft(agentId: string, reason: 'hangup' | 'error' | 'system'): void {
    const state = this.current();
    const leg = state.legs.find((each) => each.role === 'agent' && each.agentId === agentId && !each.ended);
    if (!leg) refuse(`agent ${agentId} is not on the call`);
    const consultId = Object.keys(state.consults).find((id) => {
      const consult = state.consults[id];
      return consult?.initiating === leg.communicationId || consult?.destination === leg.communicationId;
    });
    if (consultId !== undefined) {
      // The consulting agent hanging up hands the call over; the consulted one hanging up cancels.
      const initiator = state.consults[consultId]?.initiating === leg.communicationId;
      this.finishConsult(consultId, initiator);
      if (!leg.ended) this.end(leg, reason === 'hangup' ? 'Self' : reasonType(reason));
      return;
    }
    this.end(leg, reason === 'hangup' ? 'Self' : reasonType(reason));
    // Without another agent, a queue or an external party, nobody is left to talk to the customer.
    const others = state.legs.some(
      (each) => !each.ended && (each.role === 'agent' || each.role === 'queue' || each.role === 'external'),
    );
    const customer = state.legs.find((each) => each.role === 'customer' && !each.ended);
    if (!others && customer) this.end(customer, reason === 'hangup' ? 'Peer' : reasonType(reason));
  }

  private wrapUp(agentId: string, code: string | undefined, notes: string | undefined): void {
    const state = this.current();
    const leg = [...state.legs]
      .reverse()
      .find((each) => each.role === 'agent' && each.agentId === agentId && each.answered);
    if (!leg) refuse(`agent ${agentId} never handled this interaction`);
    if (leg.wrappedUp) refuse(`agent ${agentId} has wrapped up already`);
    this.emit({
      key: this.keys().disposition,
      event: {
        ...this.legEvent(leg.communicationId),
        ...(code === undefined ? {} : { code: this.wrapupCode(code) }),
        ...(notes === undefined ? {} : { notes }),
      },
    });
    leg.wrappedUp = true;
  }

  // ---- helpers ----

  /** The state of a conversation that has started and not ended: only a wrap-up follows the end. */
  private live(type: string): LifecycleState {
    const state = this.current();
    if (hasEnded(state)) refuse(`nothing but a wrap-up follows the end of the conversation, not ${type}`);
    return state;
  }

  private current(): LifecycleState {
    return (
      this.state ??
      refuse(
        `a ${this.event.channel} conversation starts with ${this.event.channel === 'voice' ? 'started' : 'received or sent'}`,
      )
    );
  }

  private newState(
    channel: LifecycleState['channel'],
    direction: LifecycleState['direction'],
  ): LifecycleState {
    return {
      channel,
      direction,
      conversationId: this.context.conversationId ?? this.context.mint(),
      legs: [],
      consults: {},
      finishedConsults: [],
    };
  }

  private keys() {
    return this.current().channel === 'voice' ? voiceKeys : emailKeys;
  }

  private leg(communicationId: string): Leg {
    return (
      this.current().legs.find((leg) => leg.communicationId === communicationId) ??
      refuse(`no communication ${communicationId}`)
    );
  }

  private customer(): Leg {
    return (
      this.current().legs.find((leg) => leg.role === 'customer' && !leg.ended) ??
      refuse('the customer has left')
    );
  }

  private connectedAgent(agentId: string): Leg {
    const leg = this.current().legs.find(
      (each) => each.role === 'agent' && each.agentId === agentId && !each.ended,
    );
    if (!leg) refuse(`agent ${agentId} is not on the interaction`);
    if (!leg.answered) refuse(`agent ${agentId} has not answered yet`);
    return leg;
  }

  private mintLeg(role: LegRole, owner: Pick<Leg, 'agentId' | 'queueId'> = {}): Leg {
    return {
      communicationId: this.context.mint(),
      role,
      ...owner,
      answered: false,
      held: false,
      ended: false,
      wrappedUp: false,
    };
  }

  /** Adds a leg to the conversation with the event that establishes it. */
  private establish(
    role: LegRole,
    build: (base: ReturnType<Builder['legBase']>) => PlannedEvent,
    owner: Pick<Leg, 'agentId' | 'queueId'> = {},
  ): Leg {
    const leg = this.mintLeg(role, owner);
    this.current().legs.push(leg);
    this.emit(build(this.legBase(leg)));
    return leg;
  }

  /**
   * An agent's leg. `onBehalfOf`: the queue an outbound interaction is placed for (the models: queueId
   * "applies to outbound calls only"); `invitedBy`: the leg that offered it (queue, transferring or
   * consulting agent), which is how Genesys ties an inbound agent leg to its queue.
   */
  private agentLeg(
    agentId: string,
    { alerting, onBehalfOf, invitedBy }: { alerting: boolean; onBehalfOf?: string; invitedBy?: string },
  ): Leg {
    const state = this.current();
    if (state.legs.some((leg) => leg.role === 'agent' && leg.agentId === agentId && !leg.ended)) {
      refuse(`agent ${agentId} is on the interaction already`);
    }
    const owner = {
      userId: this.user(agentId),
      ...(onBehalfOf === undefined ? {} : { queueId: this.queueId(onBehalfOf) }),
      afterCallWorkRequired: this.context.afterCallWork ?? true,
    };
    const inbound = state.direction === 'inbound';
    const configuration = { inbound, alerting, ...(invitedBy === undefined ? {} : { invitedBy }) };
    const leg = this.establish(
      'agent',
      (base) =>
        state.channel === 'voice'
          ? {
              key: 'userEstablishedEvents',
              event: { ...base, ...owner, ...state.call, initialConfiguration: configuration },
            }
          : {
              key: 'emailUserEstablishedEvents',
              event: {
                ...base,
                ...owner,
                initialConfiguration: { ...this.emailConfiguration(inbound, alerting), ...configuration },
              },
            },
      { agentId },
    );
    // A leg that starts connected is answered by definition.
    leg.answered = !alerting;
    return leg;
  }

  /** The live leg an agent is offered the interaction by: its queue, else the IVR, else the customer. */
  private offeringLeg(): string | undefined {
    const live = this.current().legs.filter((leg) => !leg.ended);
    const by = (role: LegRole) => live.filter((leg) => leg.role === role).at(-1);
    return (by('queue') ?? by('ivr') ?? by('customer'))?.communicationId;
  }

  private queueLeg(queueId: string, invitedBy?: string): Leg {
    const state = this.current();
    const genesysQueueId = this.queueId(queueId);
    const inbound = state.direction === 'inbound';
    const invited = invitedBy === undefined ? {} : { invitedBy };
    return this.establish(
      'queue',
      (base) =>
        state.channel === 'voice'
          ? {
              key: 'routingEstablishedEvents',
              event: {
                ...base,
                queueId: genesysQueueId,
                ...state.call,
                initialConfiguration: { inbound, alerting: false, ...invited },
              },
            }
          : {
              key: 'emailRoutingEstablishedEvents',
              event: {
                ...base,
                queueId: genesysQueueId,
                initialConfiguration: { ...this.emailConfiguration(inbound, false), ...invited },
              },
            },
      { queueId },
    );
  }

  private phoneLeg(phoneNumber: string, invitedBy: string): Leg {
    const call = this.current().call;
    return this.establish('external', (base) => ({
      key: 'phoneEstablishedEvents',
      event: {
        ...base,
        initialConfiguration: { inbound: false, alerting: true, invitedBy },
        phoneNumber,
        ...call,
      },
    }));
  }

  private end(leg: Leg, disconnect: Disconnect): void {
    const event = this.legEvent(leg.communicationId);
    this.emit(
      this.current().channel === 'voice'
        ? {
            key: 'communicationEndedEvents',
            event: { ...event, disconnectType: voiceDisconnect(disconnect) },
          }
        : {
            key: 'emailCommunicationEndedEvents',
            event: { ...event, disconnectType: emailDisconnect(disconnect) },
          },
    );
    leg.ended = true;
    leg.held = false;
  }

  private legBase({ communicationId }: { communicationId: string }) {
    return {
      conversationId: this.current().conversationId,
      communicationId,
      sourceConfiguration: { sourceId: this.context.sourceId, interactionId: this.event.interactionId },
    };
  }

  private legEvent(communicationId: string) {
    return { conversationId: this.current().conversationId, communicationId };
  }

  private consultEvent(consult: Consult) {
    return {
      conversationId: this.current().conversationId,
      initiatingCommunicationId: consult.initiating,
      destinationCommunicationId: consult.destination,
      objectCommunicationId: consult.object,
    };
  }

  private emailConfiguration(inbound: boolean, alerting: boolean) {
    const email = this.current().email ?? refuse('the email has no addresses');
    return { ...email, inbound, alerting };
  }

  private emit(planned: PlannedEvent): void {
    this.events.push(planned);
  }

  private user(agentId: string): string {
    return this.context.ids.users[agentId] ?? refuse(`agent ${agentId} has no Genesys user`);
  }

  private queueId(queueId: string): string {
    return this.context.ids.queues[queueId] ?? refuse(`queue ${queueId} has no Genesys queue`);
  }

  private wrapupCode(code: string): string {
    return this.context.ids.wrapupCodes[code] ?? refuse(`wrap-up code ${code} has no Genesys wrap-up code`);
  }
}

const voiceKeys = {
  answered: 'communicationAnsweredEvents',
  disposition: 'communicationDispositionAppliedEvents',
  userTransfer: 'userTransferEvents',
  routingTransfer: 'routingTransferEvents',
  progressTransfer: 'progressTransferEvents',
  endTransfer: 'endTransferEvents',
} as const;

const emailKeys = {
  answered: 'emailCommunicationAnsweredEvents',
  disposition: 'emailCommunicationDispositionAppliedEvents',
  userTransfer: 'emailUserTransferEvents',
  routingTransfer: 'emailRoutingTransferEvents',
  progressTransfer: 'emailProgressTransferEvents',
  endTransfer: 'emailEndTransferEvents',
} as const;

function reasonType(reason: 'error' | 'system'): Disconnect {
  return reason === 'error' ? 'Error' : 'System';
}

function voiceDisconnect(
  disconnect: Disconnect,
): ConversationEvent<'communicationEndedEvents'>['disconnectType'] {
  return disconnect === 'Spam' ? 'Self' : disconnect;
}

function emailDisconnect(
  disconnect: Disconnect,
): ConversationEvent<'emailCommunicationEndedEvents'>['disconnectType'] {
  return disconnect === 'TransferConsult' ? 'Transfer' : disconnect;
}
