import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import {
  conversationEventSchemas,
  emailEventKeys,
  type ConversationEvent,
  type ConversationEventKey,
} from '../domain/genesys';
import type {
  ConversationDirectory,
  RuleOutcome,
  SimulatedConversation,
  SimulatedLeg,
} from '../simulator/conversation-model';
import { applyConversationEvent } from '../simulator/conversation-rules';

/** What a test writes for an event; the conversation under test adds the ids and timestamp every event has. */
type EventFields<Key extends ConversationEventKey> = Key extends ConversationEventKey
  ? Omit<ConversationEvent<Key>, 'eventId' | 'eventDateTime' | 'conversationId'>
  : never;

const agent = randomUUID();
const colleague = randomUUID();
const salesQueue = randomUUID();
const supportQueue = randomUUID();
const resolvedCode = randomUUID();
const organization = directoryOf({
  users: [agent, colleague],
  queues: [salesQueue, supportQueue],
  wrapupCodes: [resolvedCode],
});

function directoryOf(entries: {
  users: string[];
  queues: string[];
  wrapupCodes: string[];
}): ConversationDirectory {
  const users = new Set(entries.users);
  const queues = new Set(entries.queues);
  const wrapupCodes = new Set(entries.wrapupCodes);
  return {
    userExists: (id) => users.has(id),
    queueExists: (id) => queues.has(id),
    wrapupCodeExists: (id) => wrapupCodes.has(id),
  };
}

/** The timestamp of the `minute`th event of a conversation. */
function at(minute: number): string {
  return new Date(Date.UTC(2026, 10, 25, 7, minute)).toISOString();
}

/** One conversation fed event by event through the rules, as the simulator feeds them. */
class ConversationUnderTest {
  readonly conversationId = randomUUID();
  state: SimulatedConversation | undefined;
  private eventCount = 0;

  constructor(private readonly directory: ConversationDirectory = organization) {}

  /** The conversation as the rules last returned it; fails when it does not exist. */
  get conversation(): SimulatedConversation {
    assert.ok(this.state, `conversation ${this.conversationId} should exist`);
    return this.state;
  }

  leg(communicationId: string): SimulatedLeg {
    const leg = this.conversation.legs[communicationId];
    assert.ok(leg, `communication ${communicationId} should be a leg`);
    return leg;
  }

  send<Key extends ConversationEventKey>(key: Key, fields: EventFields<Key>): RuleOutcome {
    this.eventCount += 1;
    // Parsing proves the fixture is a valid event; the rules only ever see parsed events.
    const event = conversationEventSchemas[key].parse({
      eventId: randomUUID(),
      eventDateTime: at(this.eventCount),
      conversationId: this.conversationId,
      ...fields,
    }) as ConversationEvent<Key>;
    const result = applyConversationEvent(this.state, key, event, this.directory);
    this.state = result.conversation;
    return result.outcome;
  }

  accept<Key extends ConversationEventKey>(key: Key, fields: EventFields<Key>): void {
    assert.deepEqual(this.send(key, fields), { accepted: true });
  }

  /** Sends an event the rules must refuse with a message naming `key` and holding every fragment, changing nothing. */
  reject<Key extends ConversationEventKey>(key: Key, fields: EventFields<Key>, ...fragments: string[]): void {
    const before = structuredClone(this.state);
    const outcome = this.send(key, fields);
    if (outcome.accepted) assert.fail(`${key} should have been rejected`);
    assert.ok(outcome.message.startsWith(`${key}: `), outcome.message);
    for (const fragment of fragments)
      assert.ok(outcome.message.includes(fragment), `"${outcome.message}" should include "${fragment}"`);
    assert.deepEqual(this.state, before);
  }
}

/** What every voice leg-establishing event carries: an inbound leg that rings unless `initial` says otherwise. */
function voiceLeg(communicationId: string, initial: { alerting?: boolean; invitedBy?: string } = {}) {
  return {
    communicationId,
    initialConfiguration: { inbound: true, alerting: true, ...initial },
    sourceConfiguration: { sourceId: 'ccaas', interactionId: randomUUID() },
  };
}

/** What every email leg-establishing event carries; without `alerting` the leg starts connected. */
function emailLeg(
  communicationId: string,
  initial: { held?: boolean; alerting?: boolean; invitedBy?: string } = {},
) {
  return {
    communicationId,
    initialConfiguration: {
      to: 'support@example.com',
      from: 'customer@example.com',
      inbound: true,
      ...initial,
    },
    sourceConfiguration: { sourceId: 'ccaas', interactionId: randomUUID() },
  };
}

/** An inbound call: customer leg, queue leg, and an agent leg that has answered. */
function connectedCall() {
  const call = new ConversationUnderTest();
  const customer = randomUUID();
  const queue = randomUUID();
  const agentLeg = randomUUID();
  call.accept('externalEstablishedEvents', { ...voiceLeg(customer), ani: 'tel:+33123456789' });
  call.accept('routingEstablishedEvents', { ...voiceLeg(queue), queueId: salesQueue });
  call.accept('userEstablishedEvents', { ...voiceLeg(agentLeg, { invitedBy: queue }), userId: agent });
  call.accept('communicationAnsweredEvents', { communicationId: agentLeg });
  return { call, customer, queue, agentLeg };
}

/** An inbound email: customer leg, queue leg, and an agent leg that has answered. */
function connectedEmail() {
  const email = new ConversationUnderTest();
  const customer = randomUUID();
  const queue = randomUUID();
  const agentLeg = randomUUID();
  email.accept('emailExternalEstablishedEvents', { ...emailLeg(customer), displayName: 'Ada' });
  email.accept('emailRoutingEstablishedEvents', { ...emailLeg(queue), queueId: supportQueue });
  email.accept('emailUserEstablishedEvents', {
    ...emailLeg(agentLeg, { alerting: true, invitedBy: queue }),
    userId: agent,
  });
  email.accept('emailCommunicationAnsweredEvents', { communicationId: agentLeg });
  return { email, customer, queue, agentLeg };
}

/** The fields every blind transfer carries: the agent hands the customer over. */
function blindTransfer(legs: { agentLeg: string; customer: string }, commandId = randomUUID()) {
  return {
    transferType: 'Unattended' as const,
    commandId,
    initiatingCommunicationId: legs.agentLeg,
    targetCommunicationId: legs.agentLeg,
    objectCommunicationId: legs.customer,
  };
}

/** A call whose agent has started a blind transfer of the customer to the support queue. */
function callBeingTransferred() {
  const legs = connectedCall();
  const commandId = randomUUID();
  legs.call.accept('routingTransferEvents', {
    ...blindTransfer(legs, commandId),
    destinationQueueId: supportQueue,
  });
  return { ...legs, commandId };
}

/** A call whose agent has started consulting a colleague. */
function callInConsult() {
  const legs = connectedCall();
  const colleagueLeg = randomUUID();
  legs.call.accept('userEstablishedEvents', { ...voiceLeg(colleagueLeg), userId: colleague });
  const consult = {
    initiatingCommunicationId: legs.agentLeg,
    destinationCommunicationId: colleagueLeg,
    objectCommunicationId: legs.customer,
  };
  legs.call.accept('consultTransferEvents', consult);
  return { ...legs, colleagueLeg, consult };
}

/** An event on one leg, named so that a table of them can drive the same checks. */
function legEvent<Key extends ConversationEventKey>(
  key: Key,
  fields: (communicationId: string) => EventFields<Key>,
) {
  const channel: 'voice' | 'email' = emailEventKeys.includes(key) ? 'email' : 'voice';
  return {
    key,
    channel,
    accept: (conversation: ConversationUnderTest, communicationId: string) =>
      conversation.accept(key, fields(communicationId)),
    reject: (conversation: ConversationUnderTest, communicationId: string, ...fragments: string[]) =>
      conversation.reject(key, fields(communicationId), ...fragments),
  };
}

const liveLegEvents = [
  legEvent('communicationAnsweredEvents', (communicationId) => ({ communicationId })),
  legEvent('holdUpdatedEvents', (communicationId) => ({ communicationId, held: true })),
  legEvent('audioUpdatedEvents', (communicationId) => ({ communicationId, audioState: { canHear: true } })),
  legEvent('communicationEndedEvents', (communicationId) => ({ communicationId, disconnectType: 'Peer' })),
  legEvent('emailCommunicationAnsweredEvents', (communicationId) => ({ communicationId })),
  legEvent('emailBeginTransmittingEvents', (communicationId) => ({ communicationId })),
  legEvent('emailCommunicationSentMessageEvents', (communicationId) => ({ communicationId })),
  legEvent('emailHoldUpdatedEvents', (communicationId) => ({ communicationId, held: true })),
  legEvent('emailCommunicationEndedEvents', (communicationId) => ({
    communicationId,
    disconnectType: 'Peer',
  })),
];

describe('simulator conversation rules', () => {
  describe('a conversation not injected yet', () => {
    it('starts with a leg-establishing event, taking its channel and start time from it', () => {
      const call = new ConversationUnderTest();
      const customer = randomUUID();
      call.accept('phoneEstablishedEvents', { ...voiceLeg(customer), phoneNumber: 'tel:+33123456789' });
      assert.equal(call.conversation.conversationId, call.conversationId);
      assert.equal(call.conversation.channel, 'voice');
      assert.equal(call.conversation.startedAt, at(1));
      assert.deepEqual(Object.keys(call.conversation.legs), [customer]);

      const email = new ConversationUnderTest();
      email.accept('emailFlowEstablishedEvents', emailLeg(randomUUID()));
      assert.equal(email.conversation.channel, 'email');
    });

    it('refuses any other first event, since there is no leg for it to act on', () => {
      const call = new ConversationUnderTest();
      const communicationId = randomUUID();
      call.reject(
        'communicationAnsweredEvents',
        { communicationId },
        `conversation ${call.conversationId} does not exist yet`,
      );
      assert.equal(call.state, undefined);
    });

    it('refuses a first leg it would otherwise accept when the directory lacks its queue', () => {
      const call = new ConversationUnderTest();
      const unknownQueue = randomUUID();
      call.reject(
        'routingEstablishedEvents',
        { ...voiceLeg(randomUUID()), queueId: unknownQueue },
        `queue ${unknownQueue} does not exist`,
      );
      assert.equal(call.state, undefined);
    });
  });

  describe('channels', () => {
    it('refuses an email event in a voice conversation', () => {
      const { call, agentLeg } = connectedCall();
      call.reject(
        'emailHoldUpdatedEvents',
        { communicationId: agentLeg, held: true },
        `conversation ${call.conversationId} carries voice events`,
        'voice and email events never mix in one conversation',
      );
    });

    it('refuses a voice event in an email conversation, even one establishing a leg', () => {
      const { email } = connectedEmail();
      email.reject(
        'externalEstablishedEvents',
        voiceLeg(randomUUID()),
        `conversation ${email.conversationId} carries email events`,
        'never mix',
      );
    });
  });

  describe('establishing legs', () => {
    it('gives each leg the purpose its key implies, keeping establishment order', () => {
      const call = new ConversationUnderTest();
      call.accept('externalEstablishedEvents', voiceLeg(randomUUID()));
      call.accept('ivrEstablishedEvents', { ...voiceLeg(randomUUID()), ivrName: 'Main menu' });
      call.accept('phoneEstablishedEvents', voiceLeg(randomUUID()));
      call.accept('routingEstablishedEvents', { ...voiceLeg(randomUUID()), queueId: salesQueue });
      call.accept('userEstablishedEvents', { ...voiceLeg(randomUUID()), userId: agent });
      assert.deepEqual(
        Object.values(call.conversation.legs).map((leg) => [leg.key, leg.purpose]),
        [
          ['externalEstablishedEvents', 'customer'],
          ['ivrEstablishedEvents', 'ivr'],
          ['phoneEstablishedEvents', 'customer'],
          ['routingEstablishedEvents', 'acd'],
          ['userEstablishedEvents', 'agent'],
        ],
      );

      const email = new ConversationUnderTest();
      email.accept('emailExternalEstablishedEvents', emailLeg(randomUUID()));
      email.accept('emailFlowEstablishedEvents', emailLeg(randomUUID()));
      email.accept('emailRoutingEstablishedEvents', { ...emailLeg(randomUUID()), queueId: supportQueue });
      email.accept('emailUserEstablishedEvents', { ...emailLeg(randomUUID()), userId: agent });
      assert.deepEqual(
        Object.values(email.conversation.legs).map((leg) => [leg.key, leg.purpose]),
        [
          ['emailExternalEstablishedEvents', 'customer'],
          ['emailFlowEstablishedEvents', 'flow'],
          ['emailRoutingEstablishedEvents', 'acd'],
          ['emailUserEstablishedEvents', 'agent'],
        ],
      );
    });

    it('records the queue of a routing leg and the user and on-behalf-of queue of a user leg', () => {
      const call = new ConversationUnderTest();
      const queueLeg = randomUUID();
      const agentLeg = randomUUID();
      const outboundLeg = randomUUID();
      call.accept('routingEstablishedEvents', { ...voiceLeg(queueLeg), queueId: salesQueue });
      call.accept('userEstablishedEvents', { ...voiceLeg(agentLeg), userId: agent });
      call.accept('userEstablishedEvents', {
        ...voiceLeg(outboundLeg),
        userId: colleague,
        queueId: supportQueue,
      });
      assert.deepEqual(call.leg(queueLeg), {
        communicationId: queueLeg,
        key: 'routingEstablishedEvents',
        purpose: 'acd',
        queueId: salesQueue,
        inbound: true,
        startedConnected: false,
        establishedAt: at(1),
        held: false,
        holds: 0,
      });
      assert.equal(call.leg(agentLeg).userId, agent);
      assert.equal(call.leg(agentLeg).queueId, undefined);
      assert.equal(call.leg(outboundLeg).userId, colleague);
      assert.equal(call.leg(outboundLeg).queueId, supportQueue);
    });

    it('records how each leg started: inbound, ringing or connected, who invited it, its flags', () => {
      const email = new ConversationUnderTest();
      const [customer, queue, agentLeg] = [randomUUID(), randomUUID(), randomUUID()];
      email.accept('emailExternalEstablishedEvents', { ...emailLeg(customer), includeMessage: true });
      email.accept('emailRoutingEstablishedEvents', {
        ...emailLeg(queue, { invitedBy: customer }),
        queueId: supportQueue,
      });
      email.accept('emailUserEstablishedEvents', {
        ...emailLeg(agentLeg, { alerting: true, invitedBy: queue }),
        userId: agent,
        afterCallWorkRequired: false,
      });
      const started = (communicationId: string) => {
        const { inbound, startedConnected, invitedBy, afterCallWorkRequired, includeMessage } =
          email.leg(communicationId);
        return { inbound, startedConnected, invitedBy, afterCallWorkRequired, includeMessage };
      };
      assert.deepEqual([customer, queue, agentLeg].map(started), [
        {
          inbound: true,
          startedConnected: true,
          invitedBy: undefined,
          afterCallWorkRequired: undefined,
          includeMessage: true,
        },
        {
          inbound: true,
          startedConnected: true,
          invitedBy: customer,
          afterCallWorkRequired: undefined,
          includeMessage: undefined,
        },
        {
          inbound: true,
          startedConnected: false,
          invitedBy: queue,
          afterCallWorkRequired: false,
          includeMessage: undefined,
        },
      ]);
    });

    it('accepts invitedBy naming a leg of the conversation, even one that has ended', () => {
      const { call, agentLeg } = connectedCall();
      call.accept('communicationEndedEvents', { communicationId: agentLeg, disconnectType: 'TransferUser' });
      const colleagueLeg = randomUUID();
      call.accept('userEstablishedEvents', {
        ...voiceLeg(colleagueLeg, { invitedBy: agentLeg }),
        userId: colleague,
      });
      assert.equal(call.leg(colleagueLeg).invitedBy, agentLeg);
    });

    it('refuses invitedBy naming a communication that is not a leg of the conversation', () => {
      const { call } = connectedCall();
      const other = connectedCall();
      const stranger = other.queue;
      call.reject(
        'userEstablishedEvents',
        { ...voiceLeg(randomUUID(), { invitedBy: stranger }), userId: colleague },
        `initialConfiguration.invitedBy ${stranger} is not a leg of conversation ${call.conversationId}`,
      );
      const email = new ConversationUnderTest();
      const itself = randomUUID();
      email.reject(
        'emailExternalEstablishedEvents',
        emailLeg(itself, { invitedBy: itself }),
        `initialConfiguration.invitedBy ${itself} is not a leg of conversation ${email.conversationId}`,
      );
      assert.equal(email.state, undefined);
    });

    it('refuses a communication that is already a leg of the conversation', () => {
      const { call, customer } = connectedCall();
      call.reject(
        'phoneEstablishedEvents',
        voiceLeg(customer),
        `communication ${customer} is already a leg of conversation ${call.conversationId}`,
      );
    });

    it('refuses a routing leg whose queue does not exist', () => {
      const { email } = connectedEmail();
      const unknownQueue = randomUUID();
      email.reject(
        'emailRoutingEstablishedEvents',
        { ...emailLeg(randomUUID()), queueId: unknownQueue },
        `queue ${unknownQueue} does not exist`,
      );
    });

    it('refuses a user leg whose user does not exist', () => {
      const { call } = connectedCall();
      const unknownUser = randomUUID();
      call.reject(
        'userEstablishedEvents',
        { ...voiceLeg(randomUUID()), userId: unknownUser },
        `user ${unknownUser} does not exist`,
      );
    });

    it('refuses a user leg whose on-behalf-of queue does not exist', () => {
      const { email } = connectedEmail();
      const unknownQueue = randomUUID();
      email.reject(
        'emailUserEstablishedEvents',
        { ...emailLeg(randomUUID()), userId: colleague, queueId: unknownQueue },
        `queue ${unknownQueue} does not exist`,
      );
    });

    it('accepts new legs while one leg is still up and refuses them once every leg has ended', () => {
      const call = new ConversationUnderTest();
      const customer = randomUUID();
      const ivr = randomUUID();
      call.accept('externalEstablishedEvents', voiceLeg(customer));
      call.accept('ivrEstablishedEvents', voiceLeg(ivr));
      call.accept('communicationEndedEvents', { communicationId: ivr, disconnectType: 'Transfer' });
      call.accept('routingEstablishedEvents', { ...voiceLeg(randomUUID()), queueId: salesQueue });
      for (const communicationId of Object.keys(call.conversation.legs).filter((id) => id !== ivr))
        call.accept('communicationEndedEvents', { communicationId, disconnectType: 'Peer' });
      call.reject(
        'userEstablishedEvents',
        { ...voiceLeg(randomUUID()), userId: agent },
        `conversation ${call.conversationId} has ended`,
        'no new leg may be established',
      );
    });

    it('starts an email leg on hold when its initial configuration says so', () => {
      const email = new ConversationUnderTest();
      const parked = randomUUID();
      email.accept('emailExternalEstablishedEvents', emailLeg(parked, { held: true }));
      assert.equal(email.leg(parked).held, true);
      assert.equal(email.leg(parked).holds, 1);
      email.accept('emailHoldUpdatedEvents', { communicationId: parked, held: false });
      assert.equal(email.leg(parked).held, false);
    });
  });

  describe('events on a leg', () => {
    /**
     * A conversation of the event's channel with an answered agent leg, a colleague's leg still ringing
     * and a leg that has ended; `liveLeg` is the one the event fits (only a ringing leg is answered).
     */
    function conversationFor({ channel, key }: { channel: 'voice' | 'email'; key: ConversationEventKey }) {
      const ringingLeg = randomUUID();
      const answers = key.endsWith('AnsweredEvents');
      if (channel === 'voice') {
        const { call, agentLeg, queue } = connectedCall();
        call.accept('userEstablishedEvents', {
          ...voiceLeg(ringingLeg, { invitedBy: queue }),
          userId: colleague,
        });
        call.accept('communicationEndedEvents', { communicationId: queue, disconnectType: 'Transfer' });
        return { conversation: call, liveLeg: answers ? ringingLeg : agentLeg, endedLeg: queue };
      }
      const { email, agentLeg, queue } = connectedEmail();
      email.accept('emailUserEstablishedEvents', {
        ...emailLeg(ringingLeg, { alerting: true, invitedBy: queue }),
        userId: colleague,
      });
      email.accept('emailCommunicationEndedEvents', { communicationId: queue, disconnectType: 'Transfer' });
      return { conversation: email, liveLeg: answers ? ringingLeg : agentLeg, endedLeg: queue };
    }

    for (const event of liveLegEvents) {
      it(`accepts ${event.key} on an established leg that has not ended`, () => {
        const { conversation, liveLeg } = conversationFor(event);
        event.accept(conversation, liveLeg);
      });

      it(`refuses ${event.key} for a communication that is not a leg`, () => {
        const { conversation } = conversationFor(event);
        const stranger = randomUUID();
        event.reject(
          conversation,
          stranger,
          `communication ${stranger} is not a leg of conversation ${conversation.conversationId}; establish it first`,
        );
      });

      it(`refuses ${event.key} on a leg that has ended`, () => {
        const { conversation, endedLeg } = conversationFor(event);
        event.reject(
          conversation,
          endedLeg,
          `communication ${endedLeg} of conversation ${conversation.conversationId} ended at`,
          "nothing but a disposition follows a leg's end",
        );
      });
    }

    it('records when a ringing leg is answered and refuses a second answer', () => {
      const { call, agentLeg } = connectedCall();
      assert.equal(call.leg(agentLeg).startedConnected, false);
      assert.equal(call.leg(agentLeg).answeredAt, at(4));
      call.reject(
        'communicationAnsweredEvents',
        { communicationId: agentLeg },
        `communication ${agentLeg} was already answered at ${at(4)}`,
        'a leg is answered once',
      );
    });

    it('refuses answering a leg established with alerting false, which started connected', () => {
      const call = new ConversationUnderTest();
      const customer = randomUUID();
      const agentLeg = randomUUID();
      call.accept('externalEstablishedEvents', voiceLeg(customer, { alerting: false }));
      call.accept('userEstablishedEvents', {
        ...voiceLeg(agentLeg, { alerting: false, invitedBy: customer }),
        userId: agent,
      });
      assert.equal(call.leg(agentLeg).startedConnected, true);
      call.reject(
        'communicationAnsweredEvents',
        { communicationId: agentLeg },
        `communication ${agentLeg} was established without initialConfiguration.alerting true`,
        'started connected and cannot be answered',
      );
      assert.equal(call.leg(agentLeg).answeredAt, undefined);
    });

    it('refuses answering an email leg established without alerting at all', () => {
      const email = new ConversationUnderTest();
      const customer = randomUUID();
      const agentLeg = randomUUID();
      email.accept('emailExternalEstablishedEvents', emailLeg(customer));
      email.accept('emailUserEstablishedEvents', {
        ...emailLeg(agentLeg, { invitedBy: customer }),
        userId: agent,
      });
      email.reject(
        'emailCommunicationAnsweredEvents',
        { communicationId: agentLeg },
        `communication ${agentLeg} was established without initialConfiguration.alerting true`,
      );
      email.accept('emailCommunicationEndedEvents', { communicationId: agentLeg, disconnectType: 'Self' });
    });

    it('puts a leg on hold and takes it off again, counting each hold', () => {
      const { call, agentLeg } = connectedCall();
      call.accept('holdUpdatedEvents', { communicationId: agentLeg, held: true });
      assert.equal(call.leg(agentLeg).held, true);
      call.accept('holdUpdatedEvents', { communicationId: agentLeg, held: false });
      call.accept('holdUpdatedEvents', { communicationId: agentLeg, held: true });
      assert.equal(call.leg(agentLeg).held, true);
      assert.equal(call.leg(agentLeg).holds, 2);
    });

    it('refuses holding a leg that is already on hold', () => {
      const { email, agentLeg } = connectedEmail();
      email.accept('emailHoldUpdatedEvents', { communicationId: agentLeg, held: true });
      email.reject(
        'emailHoldUpdatedEvents',
        { communicationId: agentLeg, held: true },
        `communication ${agentLeg} is already on hold`,
      );
    });

    it('refuses resuming a leg that is not on hold', () => {
      const { call, agentLeg } = connectedCall();
      call.reject(
        'holdUpdatedEvents',
        { communicationId: agentLeg, held: false },
        `communication ${agentLeg} is not on hold`,
      );
    });

    it('records how each leg ended and ends the conversation with its last leg', () => {
      const { call, customer, queue, agentLeg } = connectedCall();
      call.accept('communicationEndedEvents', { communicationId: queue, disconnectType: 'Transfer' });
      call.accept('communicationEndedEvents', { communicationId: customer, disconnectType: 'Peer' });
      assert.equal(call.leg(customer).endedAt, at(6));
      assert.equal(call.leg(customer).disconnectType, 'Peer');
      assert.equal(call.conversation.endedAt, undefined);
      call.accept('communicationEndedEvents', { communicationId: agentLeg, disconnectType: 'Self' });
      assert.equal(call.conversation.endedAt, at(7));
    });
  });

  describe('dispositions', () => {
    it('applies a wrap-up code and notes to an agent leg before it ends', () => {
      const { call, agentLeg } = connectedCall();
      call.accept('communicationDispositionAppliedEvents', {
        communicationId: agentLeg,
        code: resolvedCode,
        notes: 'refund issued',
      });
      assert.deepEqual(call.leg(agentLeg).wrapup, {
        code: resolvedCode,
        notes: 'refund issued',
        appliedAt: at(5),
      });
      assert.equal(call.leg(agentLeg).endedAt, undefined);
    });

    it('applies a skipped wrap-up (no code) to an agent leg that has ended', () => {
      const { email, agentLeg } = connectedEmail();
      email.accept('emailCommunicationEndedEvents', { communicationId: agentLeg, disconnectType: 'Self' });
      email.accept('emailCommunicationDispositionAppliedEvents', { communicationId: agentLeg });
      assert.deepEqual(email.leg(agentLeg).wrapup, { appliedAt: at(6) });
    });

    it('refuses a disposition for a communication that is not a leg', () => {
      const { call } = connectedCall();
      const stranger = randomUUID();
      call.reject(
        'communicationDispositionAppliedEvents',
        { communicationId: stranger, code: resolvedCode },
        `communication ${stranger} is not a leg of conversation ${call.conversationId}`,
      );
    });

    it('refuses a disposition on a leg that is not an agent leg', () => {
      const { call, customer } = connectedCall();
      call.reject(
        'communicationDispositionAppliedEvents',
        { communicationId: customer, code: resolvedCode },
        `communication ${customer} is a customer leg; dispositions apply to agent legs only`,
      );
    });

    it('refuses a wrap-up code that does not exist', () => {
      const { email, agentLeg } = connectedEmail();
      const unknownCode = randomUUID();
      email.reject(
        'emailCommunicationDispositionAppliedEvents',
        { communicationId: agentLeg, code: unknownCode },
        `wrap-up code ${unknownCode} does not exist`,
      );
    });

    it('refuses a second disposition on the same leg', () => {
      const { call, agentLeg } = connectedCall();
      call.accept('communicationDispositionAppliedEvents', { communicationId: agentLeg, code: resolvedCode });
      call.reject(
        'communicationDispositionAppliedEvents',
        { communicationId: agentLeg },
        `communication ${agentLeg} already has a disposition`,
        'a leg takes one disposition only',
      );
    });
  });

  describe('blind transfers', () => {
    it('opens user, routing and phone transfers, remembering what moves where', () => {
      const { call, customer, agentLeg } = connectedCall();
      const [toUser, toQueue, toPhone] = [randomUUID(), randomUUID(), randomUUID()];
      call.accept('userTransferEvents', {
        ...blindTransfer({ agentLeg, customer }, toUser),
        destinationUserId: colleague,
      });
      call.accept('routingTransferEvents', {
        ...blindTransfer({ agentLeg, customer }, toQueue),
        destinationQueueId: supportQueue,
        skillIds: [randomUUID()],
      });
      call.accept('phoneTransferEvents', {
        ...blindTransfer({ agentLeg, customer }, toPhone),
        destinationPhoneNumber: 'tel:+33987654321',
      });
      assert.deepEqual(call.conversation.openTransfers, {
        [toUser]: { key: 'userTransferEvents', objectCommunicationId: customer, destination: colleague },
        [toQueue]: {
          key: 'routingTransferEvents',
          objectCommunicationId: customer,
          destination: supportQueue,
        },
        [toPhone]: {
          key: 'phoneTransferEvents',
          objectCommunicationId: customer,
          destination: 'tel:+33987654321',
        },
      });
    });

    it('opens email user and routing transfers', () => {
      const legs = connectedEmail();
      legs.email.accept('emailUserTransferEvents', { ...blindTransfer(legs), destinationUserId: colleague });
      legs.email.accept('emailRoutingTransferEvents', {
        ...blindTransfer(legs),
        destinationQueueId: salesQueue,
      });
      assert.deepEqual(
        Object.values(legs.email.conversation.openTransfers).map((transfer) => transfer.key),
        ['emailUserTransferEvents', 'emailRoutingTransferEvents'],
      );
    });

    it('refuses a user transfer to a user that does not exist', () => {
      const legs = connectedEmail();
      const unknownUser = randomUUID();
      legs.email.reject(
        'emailUserTransferEvents',
        { ...blindTransfer(legs), destinationUserId: unknownUser },
        `user ${unknownUser} does not exist`,
      );
    });

    it('refuses a routing transfer to a queue that does not exist', () => {
      const legs = connectedCall();
      const unknownQueue = randomUUID();
      legs.call.reject(
        'routingTransferEvents',
        { ...blindTransfer(legs), destinationQueueId: unknownQueue },
        `queue ${unknownQueue} does not exist`,
      );
    });

    it('refuses a commandId that is already open', () => {
      const { call, commandId, agentLeg, customer } = callBeingTransferred();
      call.reject(
        'userTransferEvents',
        { ...blindTransfer({ agentLeg, customer }, commandId), destinationUserId: colleague },
        `transfer command ${commandId} is already open`,
      );
    });

    it('refuses a commandId that has already finished', () => {
      const { call, commandId, agentLeg, customer } = callBeingTransferred();
      call.accept('endTransferEvents', { commandId, objectCommunicationId: customer, finalState: 'Failed' });
      call.reject(
        'phoneTransferEvents',
        { ...blindTransfer({ agentLeg, customer }, commandId), destinationPhoneNumber: 'tel:+33987654321' },
        `transfer command ${commandId} already finished (Failed)`,
      );
    });

    for (const role of ['initiating', 'target', 'object'] as const) {
      it(`refuses a transfer whose ${role} communication is not a leg`, () => {
        const legs = connectedCall();
        const stranger = randomUUID();
        legs.call.reject(
          'userTransferEvents',
          { ...blindTransfer(legs), [`${role}CommunicationId`]: stranger, destinationUserId: colleague },
          `${role} communication ${stranger} is not a leg of conversation ${legs.call.conversationId}`,
        );
      });

      it(`refuses a transfer whose ${role} communication has ended`, () => {
        const legs = connectedCall();
        legs.call.accept('communicationEndedEvents', {
          communicationId: legs.queue,
          disconnectType: 'Transfer',
        });
        legs.call.reject(
          'routingTransferEvents',
          {
            ...blindTransfer(legs),
            [`${role}CommunicationId`]: legs.queue,
            destinationQueueId: supportQueue,
          },
          `${role} communication ${legs.queue} of conversation ${legs.call.conversationId} ended at`,
        );
      });
    }
  });

  describe('transfer progress and end', () => {
    it('accepts progress towards an existing leg of an open transfer', () => {
      const { call, commandId, customer } = callBeingTransferred();
      const supportLeg = randomUUID();
      call.accept('routingEstablishedEvents', { ...voiceLeg(supportLeg), queueId: supportQueue });
      call.accept('progressTransferEvents', {
        commandId,
        objectCommunicationId: customer,
        destinationCommunicationId: supportLeg,
      });
      assert.ok(call.conversation.openTransfers[commandId]);
    });

    it('refuses progress of a commandId that is not open', () => {
      const { call, customer, queue } = connectedCall();
      const commandId = randomUUID();
      call.reject(
        'progressTransferEvents',
        { commandId, objectCommunicationId: customer, destinationCommunicationId: queue },
        `transfer command ${commandId} is not open in conversation ${call.conversationId}`,
      );
    });

    it('refuses progress naming another object than the transfer was opened with', () => {
      const { call, commandId, customer, queue } = callBeingTransferred();
      call.reject(
        'progressTransferEvents',
        { commandId, objectCommunicationId: queue, destinationCommunicationId: queue },
        `transfer command ${commandId} moves communication ${customer}, not ${queue}`,
      );
    });

    it('refuses progress towards a communication that is not a leg', () => {
      const { call, commandId, customer } = callBeingTransferred();
      const stranger = randomUUID();
      call.reject(
        'progressTransferEvents',
        { commandId, objectCommunicationId: customer, destinationCommunicationId: stranger },
        `destination communication ${stranger} is not a leg of conversation ${call.conversationId}`,
      );
    });

    it('closes a transfer with its final state, even after the transferring leg has ended', () => {
      const { call, commandId, customer, agentLeg } = callBeingTransferred();
      call.accept('communicationEndedEvents', { communicationId: agentLeg, disconnectType: 'Transfer' });
      call.accept('endTransferEvents', {
        commandId,
        objectCommunicationId: customer,
        finalState: 'Completed',
      });
      assert.deepEqual(call.conversation.openTransfers, {});
      assert.deepEqual(call.conversation.finishedTransfers, { [commandId]: { finalState: 'Completed' } });
    });

    it('refuses ending a transfer that is not open, including one already ended', () => {
      const { call, commandId, customer } = callBeingTransferred();
      call.accept('endTransferEvents', {
        commandId,
        objectCommunicationId: customer,
        finalState: 'Canceled',
      });
      call.reject(
        'endTransferEvents',
        { commandId, objectCommunicationId: customer, finalState: 'Completed' },
        `transfer command ${commandId} is not open`,
      );
    });

    it('refuses ending a transfer with another object than it was opened with', () => {
      const { call, commandId, customer, agentLeg } = callBeingTransferred();
      call.reject(
        'endTransferEvents',
        { commandId, objectCommunicationId: agentLeg, finalState: 'Completed' },
        `transfer command ${commandId} moves communication ${customer}, not ${agentLeg}`,
      );
    });

    it('runs an email transfer through progress to its end', () => {
      const legs = connectedEmail();
      const commandId = randomUUID();
      const supportLeg = randomUUID();
      const { email, customer } = legs;
      email.accept('emailRoutingTransferEvents', {
        ...blindTransfer(legs, commandId),
        destinationQueueId: salesQueue,
      });
      email.accept('emailRoutingEstablishedEvents', { ...emailLeg(supportLeg), queueId: salesQueue });
      email.accept('emailProgressTransferEvents', {
        commandId,
        objectCommunicationId: customer,
        destinationCommunicationId: supportLeg,
      });
      email.reject(
        'emailEndTransferEvents',
        { commandId, objectCommunicationId: supportLeg, finalState: 'Completed' },
        `transfer command ${commandId} moves communication ${customer}`,
      );
      email.accept('emailEndTransferEvents', {
        commandId,
        objectCommunicationId: customer,
        finalState: 'Completed',
      });
      assert.deepEqual(email.conversation.finishedTransfers, { [commandId]: { finalState: 'Completed' } });
    });
  });

  describe('consult transfers', () => {
    it('opens a consult between live legs', () => {
      const { call, consult } = callInConsult();
      assert.deepEqual(call.conversation.consult, consult);
    });

    it('refuses a second consult while one is open', () => {
      const { call, consult, agentLeg } = callInConsult();
      call.reject(
        'consultTransferEvents',
        consult,
        `a consult is already open in conversation ${call.conversationId} (initiated by communication ${agentLeg})`,
      );
    });

    it('refuses a consult whose destination is not a leg', () => {
      const { call, customer, agentLeg } = connectedCall();
      const stranger = randomUUID();
      call.reject(
        'consultTransferEvents',
        {
          initiatingCommunicationId: agentLeg,
          destinationCommunicationId: stranger,
          objectCommunicationId: customer,
        },
        `destination communication ${stranger} is not a leg of conversation ${call.conversationId}`,
      );
    });

    it('refuses a consult whose object leg has ended', () => {
      const { call, queue, agentLeg } = connectedCall();
      call.accept('communicationEndedEvents', { communicationId: queue, disconnectType: 'Transfer' });
      call.reject(
        'consultTransferEvents',
        {
          initiatingCommunicationId: agentLeg,
          destinationCommunicationId: agentLeg,
          objectCommunicationId: queue,
        },
        `object communication ${queue} of conversation ${call.conversationId} ended at`,
      );
    });

    it('takes progress of the open consult as its new state', () => {
      const { call, consult, customer, colleagueLeg } = callInConsult();
      const progressed = {
        ...consult,
        initiatingCommunicationId: colleagueLeg,
        objectCommunicationId: customer,
      };
      call.accept('progressConsultTransferEvents', progressed);
      assert.deepEqual(call.conversation.consult, progressed);
    });

    it('refuses consult progress when no consult is open', () => {
      const { call, customer, agentLeg, queue } = connectedCall();
      call.reject(
        'progressConsultTransferEvents',
        {
          initiatingCommunicationId: agentLeg,
          destinationCommunicationId: queue,
          objectCommunicationId: customer,
        },
        `no consult is open in conversation ${call.conversationId}`,
      );
    });

    it('refuses consult progress naming a communication that is not a leg', () => {
      const { call, consult } = callInConsult();
      const stranger = randomUUID();
      call.reject(
        'progressConsultTransferEvents',
        { ...consult, initiatingCommunicationId: stranger },
        `initiating communication ${stranger} is not a leg of conversation ${call.conversationId}`,
      );
    });

    it('closes the open consult, after which another may start', () => {
      const { call, consult } = callInConsult();
      call.accept('endConsultTransferEvents', {});
      assert.equal(call.conversation.consult, undefined);
      assert.ok(!('consult' in call.conversation));
      call.accept('consultTransferEvents', consult);
    });

    it('refuses ending a consult when none is open', () => {
      const { call } = connectedCall();
      call.reject(
        'endConsultTransferEvents',
        {},
        `no consult is open in conversation ${call.conversationId}`,
      );
    });
  });

  describe('whole lifecycles', () => {
    it('runs an inbound call from the customer leg to the wrap-up', () => {
      const call = new ConversationUnderTest();
      const [customer, queue, agentLeg] = [randomUUID(), randomUUID(), randomUUID()];
      call.accept('externalEstablishedEvents', { ...voiceLeg(customer), ani: 'tel:+33123456789' });
      call.accept('routingEstablishedEvents', { ...voiceLeg(queue), queueId: salesQueue });
      call.accept('userEstablishedEvents', {
        ...voiceLeg(agentLeg, { invitedBy: queue }),
        userId: agent,
        queueId: salesQueue,
        afterCallWorkRequired: true,
      });
      call.accept('communicationAnsweredEvents', { communicationId: agentLeg });
      call.accept('holdUpdatedEvents', { communicationId: customer, held: true });
      call.accept('holdUpdatedEvents', { communicationId: customer, held: false });
      call.accept('communicationEndedEvents', { communicationId: queue, disconnectType: 'Transfer' });
      call.accept('communicationEndedEvents', { communicationId: customer, disconnectType: 'Peer' });
      call.accept('communicationEndedEvents', { communicationId: agentLeg, disconnectType: 'Peer' });
      call.accept('communicationDispositionAppliedEvents', { communicationId: agentLeg, code: resolvedCode });
      assert.equal(call.conversation.startedAt, at(1));
      assert.equal(call.conversation.endedAt, at(9));
      assert.deepEqual(call.leg(customer), {
        communicationId: customer,
        key: 'externalEstablishedEvents',
        purpose: 'customer',
        inbound: true,
        startedConnected: false,
        establishedAt: at(1),
        endedAt: at(8),
        disconnectType: 'Peer',
        held: false,
        holds: 1,
      });
      assert.deepEqual(call.leg(agentLeg), {
        communicationId: agentLeg,
        key: 'userEstablishedEvents',
        purpose: 'agent',
        userId: agent,
        queueId: salesQueue,
        inbound: true,
        startedConnected: false,
        invitedBy: queue,
        afterCallWorkRequired: true,
        establishedAt: at(3),
        answeredAt: at(4),
        endedAt: at(9),
        disconnectType: 'Peer',
        held: false,
        holds: 0,
        wrapup: { code: resolvedCode, appliedAt: at(10) },
      });
    });

    it('runs a blind transfer of a call to another queue through progress to completion', () => {
      const legs = connectedCall();
      const { call, customer, queue, agentLeg } = legs;
      const commandId = randomUUID();
      const supportLeg = randomUUID();
      call.accept('routingTransferEvents', {
        ...blindTransfer(legs, commandId),
        destinationQueueId: supportQueue,
      });
      call.accept('routingEstablishedEvents', { ...voiceLeg(supportLeg), queueId: supportQueue });
      call.accept('progressTransferEvents', {
        commandId,
        objectCommunicationId: customer,
        destinationCommunicationId: supportLeg,
      });
      call.accept('communicationEndedEvents', { communicationId: agentLeg, disconnectType: 'TransferACD' });
      call.accept('communicationEndedEvents', { communicationId: queue, disconnectType: 'Transfer' });
      call.accept('endTransferEvents', {
        commandId,
        objectCommunicationId: customer,
        finalState: 'Completed',
      });
      call.accept('communicationDispositionAppliedEvents', { communicationId: agentLeg, code: resolvedCode });
      assert.deepEqual(call.conversation.openTransfers, {});
      assert.deepEqual(call.conversation.finishedTransfers, { [commandId]: { finalState: 'Completed' } });
      assert.equal(call.conversation.endedAt, undefined);
      assert.deepEqual(Object.keys(call.conversation.legs), [customer, queue, agentLeg, supportLeg]);
    });

    it('runs a consult with a colleague from start to end', () => {
      const { call, customer, agentLeg, colleagueLeg, consult } = callInConsult();
      call.accept('holdUpdatedEvents', { communicationId: customer, held: true });
      call.accept('communicationAnsweredEvents', { communicationId: colleagueLeg });
      call.accept('progressConsultTransferEvents', consult);
      call.accept('endConsultTransferEvents', {});
      call.accept('communicationEndedEvents', {
        communicationId: agentLeg,
        disconnectType: 'TransferConsult',
      });
      call.accept('holdUpdatedEvents', { communicationId: customer, held: false });
      assert.equal(call.conversation.consult, undefined);
      assert.equal(call.leg(customer).holds, 1);
      assert.equal(call.leg(colleagueLeg).answeredAt, at(8));
    });

    it('runs an inbound email with a reply from the customer leg to the wrap-up', () => {
      const email = new ConversationUnderTest();
      const [customer, queue, agentLeg] = [randomUUID(), randomUUID(), randomUUID()];
      email.accept('emailExternalEstablishedEvents', { ...emailLeg(customer), displayName: 'Ada' });
      email.accept('emailRoutingEstablishedEvents', { ...emailLeg(queue), queueId: supportQueue });
      email.accept('emailUserEstablishedEvents', {
        ...emailLeg(agentLeg, { alerting: true, invitedBy: queue }),
        userId: agent,
      });
      email.accept('emailCommunicationAnsweredEvents', { communicationId: agentLeg });
      email.accept('emailBeginTransmittingEvents', { communicationId: agentLeg });
      email.accept('emailCommunicationSentMessageEvents', { communicationId: agentLeg });
      for (const communicationId of [queue, customer, agentLeg])
        email.accept('emailCommunicationEndedEvents', { communicationId, disconnectType: 'Self' });
      email.accept('emailCommunicationDispositionAppliedEvents', {
        communicationId: agentLeg,
        code: resolvedCode,
        notes: 'answered',
      });
      assert.equal(email.conversation.channel, 'email');
      assert.equal(email.conversation.endedAt, at(9));
      assert.deepEqual(email.leg(agentLeg).wrapup, {
        code: resolvedCode,
        notes: 'answered',
        appliedAt: at(10),
      });
      email.reject(
        'emailCommunicationSentMessageEvents',
        { communicationId: agentLeg },
        `communication ${agentLeg} of conversation ${email.conversationId} ended at ${at(9)}`,
      );
    });
  });

  describe('purity', () => {
    it('never changes the conversation it is given, returning a new one for an accepted event', () => {
      const { call, agentLeg } = connectedCall();
      const given = call.conversation;
      const snapshot = structuredClone(given);
      call.accept('holdUpdatedEvents', { communicationId: agentLeg, held: true });
      assert.deepEqual(given, snapshot);
      assert.notEqual(call.conversation, given);
    });

    it('throws, rather than rejecting, when handed an event of another conversation', () => {
      const { call } = connectedCall();
      const other = new ConversationUnderTest();
      const event = conversationEventSchemas.communicationAnsweredEvents.parse({
        eventId: randomUUID(),
        eventDateTime: at(1),
        conversationId: other.conversationId,
        communicationId: randomUUID(),
      });
      assert.throws(
        () => applyConversationEvent(call.conversation, 'communicationAnsweredEvents', event, organization),
        new RegExp(`event of conversation ${other.conversationId} checked against ${call.conversationId}`),
      );
    });
  });
});
