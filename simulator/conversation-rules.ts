/**
 * Business rule 3 of the contract ("only supported scenarios") for one conversation, as Genesys
 * enforces it: legs are established before anything happens to them, nothing but a disposition
 * follows a leg's end, voice and email never mix, and transfers name existing legs; and what the SDK's
 * model descriptions imply: only a leg established alerting is answered, once, and `invitedBy` names a
 * leg of the same conversation. Pure: the simulator feeds it events already parsed by
 * `conversationEventSchemas` and in chronological order.
 */
import {
  emailEventKeys,
  legEstablishingEventKeys,
  type ConversationEvent,
  type ConversationEventKey,
} from '../domain/genesys';
import type {
  BlindTransferKey,
  ConversationDirectory,
  LegEstablishingKey,
  LegPurpose,
  RuleOutcome,
  SimulatedConsult,
  SimulatedConversation,
  SimulatedLeg,
  SimulatedTransfer,
  SimulatedWrapup,
} from './conversation-model';

/** An event together with its key, so that switching on the key narrows the event. */
type KeyedEvent = {
  [Key in ConversationEventKey]: { key: Key; event: ConversationEvent<Key> };
}[ConversationEventKey];
type EstablishingEvent = Extract<KeyedEvent, { key: LegEstablishingKey }>;

const legPurposes: Record<LegEstablishingKey, LegPurpose> = {
  externalEstablishedEvents: 'customer',
  ivrEstablishedEvents: 'ivr',
  phoneEstablishedEvents: 'customer',
  routingEstablishedEvents: 'acd',
  userEstablishedEvents: 'agent',
  emailExternalEstablishedEvents: 'customer',
  emailFlowEstablishedEvents: 'flow',
  emailRoutingEstablishedEvents: 'acd',
  emailUserEstablishedEvents: 'agent',
};

/** Checks one event against the conversation (undefined = not injected yet) and, when accepted, applies it; returns the (possibly new) conversation. */
export function applyConversationEvent<Key extends ConversationEventKey>(
  conversation: SimulatedConversation | undefined,
  key: Key,
  event: ConversationEvent<Key>,
  directory: ConversationDirectory,
): { outcome: RuleOutcome; conversation: SimulatedConversation | undefined } {
  if (conversation !== undefined && conversation.conversationId !== event.conversationId)
    throw new Error(
      `event of conversation ${event.conversationId} checked against ${conversation.conversationId}`,
    );
  // TypeScript cannot tie a generic key to its event type; the signature already guarantees they match.
  const keyed = { key, event } as KeyedEvent;
  try {
    return { outcome: { accepted: true }, conversation: applyKeyedEvent(conversation, keyed, directory) };
  } catch (error) {
    if (!(error instanceof RuleViolation)) throw error;
    return { outcome: { accepted: false, message: `${key}: ${error.message}` }, conversation };
  }
}

/** Never mutates `conversation`: an accepted event yields a new object, a rejected one throws first. */
function applyKeyedEvent(
  conversation: SimulatedConversation | undefined,
  keyed: KeyedEvent,
  directory: ConversationDirectory,
): SimulatedConversation {
  const { conversationId, eventDateTime } = keyed.event;
  const channel: SimulatedConversation['channel'] = emailEventKeys.includes(keyed.key) ? 'email' : 'voice';
  if (conversation === undefined) {
    rule(
      isLegEstablishing(keyed),
      `conversation ${conversationId} does not exist yet; its first event must establish a leg`,
    );
    const started: SimulatedConversation = {
      conversationId,
      channel,
      legs: {},
      openTransfers: {},
      finishedTransfers: {},
      startedAt: eventDateTime,
    };
    return establishLeg(started, keyed, directory);
  }
  rule(
    conversation.channel === channel,
    `conversation ${conversationId} carries ${conversation.channel} events; voice and email events never mix in one conversation`,
  );
  if (isLegEstablishing(keyed)) return establishLeg(conversation, keyed, directory);
  switch (keyed.key) {
    case 'communicationAnsweredEvents':
    case 'emailCommunicationAnsweredEvents':
      return answer(conversation, keyed.event);
    case 'audioUpdatedEvents':
    case 'emailBeginTransmittingEvents':
    case 'emailCommunicationSentMessageEvents':
      liveLeg(conversation, keyed.event.communicationId);
      return conversation;
    case 'holdUpdatedEvents':
    case 'emailHoldUpdatedEvents':
      return updateHold(conversation, keyed.event);
    case 'communicationEndedEvents':
    case 'emailCommunicationEndedEvents': {
      const leg = liveLeg(conversation, keyed.event.communicationId);
      return withLeg(conversation, {
        ...leg,
        endedAt: eventDateTime,
        disconnectType: keyed.event.disconnectType,
      });
    }
    case 'communicationDispositionAppliedEvents':
    case 'emailCommunicationDispositionAppliedEvents':
      return applyDisposition(conversation, keyed.event, directory);
    case 'userTransferEvents':
    case 'emailUserTransferEvents':
      rule(
        directory.userExists(keyed.event.destinationUserId),
        `user ${keyed.event.destinationUserId} does not exist`,
      );
      return openTransfer(conversation, keyed.key, keyed.event, keyed.event.destinationUserId);
    case 'routingTransferEvents':
    case 'emailRoutingTransferEvents':
      rule(
        directory.queueExists(keyed.event.destinationQueueId),
        `queue ${keyed.event.destinationQueueId} does not exist`,
      );
      return openTransfer(conversation, keyed.key, keyed.event, keyed.event.destinationQueueId);
    case 'phoneTransferEvents':
      return openTransfer(conversation, keyed.key, keyed.event, keyed.event.destinationPhoneNumber);
    case 'progressTransferEvents':
    case 'emailProgressTransferEvents':
      openTransferOf(conversation, keyed.event);
      existingLeg(conversation, keyed.event.destinationCommunicationId, 'destination ');
      return conversation;
    case 'endTransferEvents':
    case 'emailEndTransferEvents': {
      openTransferOf(conversation, keyed.event);
      const { [keyed.event.commandId]: _closed, ...openTransfers } = conversation.openTransfers;
      const finishedTransfers = {
        ...conversation.finishedTransfers,
        [keyed.event.commandId]: { finalState: keyed.event.finalState },
      };
      return { ...conversation, openTransfers, finishedTransfers };
    }
    case 'consultTransferEvents':
      rule(
        conversation.consult === undefined,
        `a consult is already open in conversation ${conversationId} (initiated by communication ${conversation.consult?.initiatingCommunicationId}); end it first`,
      );
      return { ...conversation, consult: consultLegs(conversation, keyed.event, liveLeg) };
    case 'progressConsultTransferEvents':
      openConsultOf(conversation);
      return { ...conversation, consult: consultLegs(conversation, keyed.event, existingLeg) };
    case 'endConsultTransferEvents': {
      openConsultOf(conversation);
      const { consult: _closed, ...withoutConsult } = conversation;
      return withoutConsult;
    }
    default: {
      const unhandled: never = keyed;
      return unhandled;
    }
  }
}

function establishLeg(
  conversation: SimulatedConversation,
  keyed: EstablishingEvent,
  directory: ConversationDirectory,
): SimulatedConversation {
  const { key, event } = keyed;
  const { communicationId, conversationId } = event;
  rule(
    conversation.endedAt === undefined,
    `conversation ${conversationId} has ended (its last leg ended at ${conversation.endedAt}); no new leg may be established`,
  );
  rule(
    conversation.legs[communicationId] === undefined,
    `communication ${communicationId} is already a leg of conversation ${conversationId}`,
  );
  const owner = legOwner(keyed, directory);
  const { initialConfiguration } = event;
  const { invitedBy } = initialConfiguration;
  rule(
    invitedBy === undefined || conversation.legs[invitedBy] !== undefined,
    `initialConfiguration.invitedBy ${invitedBy} is not a leg of conversation ${conversationId}; it must name the communication that invited this one (the queue that offered it, or the transferring or consulting agent's leg)`,
  );
  // Only email legs can start on hold; a voice initial configuration has no `held`.
  const held = 'held' in initialConfiguration && initialConfiguration.held === true;
  const leg: SimulatedLeg = {
    communicationId,
    key,
    purpose: legPurposes[key],
    ...owner,
    inbound: initialConfiguration.inbound === true,
    startedConnected: initialConfiguration.alerting !== true,
    ...(invitedBy === undefined ? {} : { invitedBy }),
    ...legFlags(keyed),
    establishedAt: event.eventDateTime,
    held,
    holds: held ? 1 : 0,
  };
  return withLeg(conversation, leg);
}

/** The flags an agent or email customer leg carries, as sent; the consistency report reads them. */
function legFlags(keyed: EstablishingEvent): Pick<SimulatedLeg, 'afterCallWorkRequired' | 'includeMessage'> {
  switch (keyed.key) {
    case 'userEstablishedEvents':
    case 'emailUserEstablishedEvents': {
      const { afterCallWorkRequired } = keyed.event;
      return afterCallWorkRequired === undefined ? {} : { afterCallWorkRequired };
    }
    case 'emailExternalEstablishedEvents': {
      const { includeMessage } = keyed.event;
      return includeMessage === undefined ? {} : { includeMessage };
    }
    default:
      return {};
  }
}

/** Only a ringing leg is answered, and once: `alerting` false means it started connected. */
function answer(
  conversation: SimulatedConversation,
  { communicationId, eventDateTime }: ConversationEvent<'communicationAnsweredEvents'>,
): SimulatedConversation {
  const leg = liveLeg(conversation, communicationId);
  rule(
    !leg.startedConnected,
    `communication ${communicationId} was established without initialConfiguration.alerting true, so it started connected and cannot be answered; establish a ringing leg with alerting true`,
  );
  rule(
    leg.answeredAt === undefined,
    `communication ${communicationId} was already answered at ${leg.answeredAt}; a leg is answered once`,
  );
  return withLeg(conversation, { ...leg, answeredAt: eventDateTime });
}

/** The directory entries a leg belongs to, each checked to exist. */
function legOwner(
  keyed: EstablishingEvent,
  directory: ConversationDirectory,
): Pick<SimulatedLeg, 'userId' | 'queueId'> {
  switch (keyed.key) {
    case 'routingEstablishedEvents':
    case 'emailRoutingEstablishedEvents':
      return { queueId: existingQueue(keyed.event.queueId, directory) };
    case 'userEstablishedEvents':
    case 'emailUserEstablishedEvents': {
      const { userId, queueId } = keyed.event;
      rule(directory.userExists(userId), `user ${userId} does not exist`);
      return queueId === undefined ? { userId } : { userId, queueId: existingQueue(queueId, directory) };
    }
    default:
      return {};
  }
}

function existingQueue(queueId: string, directory: ConversationDirectory): string {
  rule(directory.queueExists(queueId), `queue ${queueId} does not exist`);
  return queueId;
}

function updateHold(
  conversation: SimulatedConversation,
  { communicationId, held }: ConversationEvent<'holdUpdatedEvents'>,
): SimulatedConversation {
  const leg = liveLeg(conversation, communicationId);
  rule(!(held && leg.held), `communication ${communicationId} is already on hold`);
  rule(held || leg.held, `communication ${communicationId} is not on hold, so it cannot be resumed`);
  return withLeg(conversation, { ...leg, held, holds: held ? leg.holds + 1 : leg.holds });
}

function applyDisposition(
  conversation: SimulatedConversation,
  { communicationId, code, notes, eventDateTime }: ConversationEvent<'communicationDispositionAppliedEvents'>,
  directory: ConversationDirectory,
): SimulatedConversation {
  const leg = existingLeg(conversation, communicationId);
  rule(
    leg.purpose === 'agent',
    `communication ${communicationId} is a ${leg.purpose} leg; dispositions apply to agent legs only`,
  );
  rule(code === undefined || directory.wrapupCodeExists(code), `wrap-up code ${code} does not exist`);
  rule(
    leg.wrapup === undefined,
    `communication ${communicationId} already has a disposition (applied at ${leg.wrapup?.appliedAt}); a leg takes one disposition only`,
  );
  const wrapup: SimulatedWrapup = {
    ...(code === undefined ? {} : { code }),
    ...(notes === undefined ? {} : { notes }),
    appliedAt: eventDateTime,
  };
  return withLeg(conversation, { ...leg, wrapup });
}

function openTransfer(
  conversation: SimulatedConversation,
  key: BlindTransferKey,
  event: ConversationEvent<BlindTransferKey>,
  destination: string,
): SimulatedConversation {
  const { commandId, objectCommunicationId } = event;
  rule(
    conversation.openTransfers[commandId] === undefined,
    `transfer command ${commandId} is already open; each transfer needs a new commandId`,
  );
  const finished = conversation.finishedTransfers[commandId];
  rule(
    finished === undefined,
    `transfer command ${commandId} already finished (${finished?.finalState}); each transfer needs a new commandId`,
  );
  liveLeg(conversation, event.initiatingCommunicationId, 'initiating ');
  liveLeg(conversation, event.targetCommunicationId, 'target ');
  liveLeg(conversation, objectCommunicationId, 'object ');
  const openTransfers = {
    ...conversation.openTransfers,
    [commandId]: { key, objectCommunicationId, destination },
  };
  return { ...conversation, openTransfers };
}

function openTransferOf(
  conversation: SimulatedConversation,
  { commandId, objectCommunicationId }: { commandId: string; objectCommunicationId: string },
): SimulatedTransfer {
  const transfer = conversation.openTransfers[commandId];
  rule(
    transfer !== undefined,
    `transfer command ${commandId} is not open in conversation ${conversation.conversationId}; open it with a transfer event first`,
  );
  rule(
    transfer.objectCommunicationId === objectCommunicationId,
    `transfer command ${commandId} moves communication ${transfer.objectCommunicationId}, not ${objectCommunicationId}`,
  );
  return transfer;
}

function openConsultOf(conversation: SimulatedConversation): SimulatedConsult {
  const { consult, conversationId } = conversation;
  rule(
    consult !== undefined,
    `no consult is open in conversation ${conversationId}; start one with consultTransferEvents first`,
  );
  return consult;
}

/** The three legs a consult names, each checked by `legCheck`. */
function consultLegs(
  conversation: SimulatedConversation,
  { initiatingCommunicationId, destinationCommunicationId, objectCommunicationId }: SimulatedConsult,
  legCheck: (conversation: SimulatedConversation, communicationId: string, role: string) => SimulatedLeg,
): SimulatedConsult {
  legCheck(conversation, initiatingCommunicationId, 'initiating ');
  legCheck(conversation, destinationCommunicationId, 'destination ');
  legCheck(conversation, objectCommunicationId, 'object ');
  return { initiatingCommunicationId, destinationCommunicationId, objectCommunicationId };
}

function existingLeg(conversation: SimulatedConversation, communicationId: string, role = ''): SimulatedLeg {
  const leg = conversation.legs[communicationId];
  rule(
    leg !== undefined,
    `${role}communication ${communicationId} is not a leg of conversation ${conversation.conversationId}; establish it first`,
  );
  return leg;
}

function liveLeg(conversation: SimulatedConversation, communicationId: string, role = ''): SimulatedLeg {
  const leg = existingLeg(conversation, communicationId, role);
  rule(
    leg.endedAt === undefined,
    `${role}communication ${communicationId} of conversation ${conversation.conversationId} ended at ${leg.endedAt}; nothing but a disposition follows a leg's end`,
  );
  return leg;
}

/** The conversation with `leg` added or replaced, ended once its last leg has ended. */
function withLeg(conversation: SimulatedConversation, leg: SimulatedLeg): SimulatedConversation {
  const legs = { ...conversation.legs, [leg.communicationId]: leg };
  const allEnded = Object.values(legs).every((each) => each.endedAt !== undefined);
  return allEnded && conversation.endedAt === undefined
    ? { ...conversation, legs, endedAt: leg.endedAt }
    : { ...conversation, legs };
}

function isLegEstablishing(keyed: KeyedEvent): keyed is EstablishingEvent {
  return legEstablishingEventKeys.includes(keyed.key);
}

/** A broken rule; caught by `applyConversationEvent` and turned into a rejection. */
class RuleViolation extends Error {}

function rule(condition: boolean, reason: string): asserts condition {
  if (!condition) throw new RuleViolation(reason);
}
