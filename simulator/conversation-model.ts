/**
 * What the simulator remembers about an injected conversation: its legs, open transfers and consult,
 * as `conversation-rules.ts` builds them and the read-backs and inspection API show them.
 */
import type { ConversationEvent, ConversationEventKey } from '../domain/genesys';

/** What the rules need to know about the directory. */
export interface ConversationDirectory {
  userExists(id: string): boolean;
  queueExists(id: string): boolean;
  wrapupCodeExists(id: string): boolean;
}

/** Who or what a leg of the conversation is. */
export type LegPurpose = 'customer' | 'ivr' | 'flow' | 'acd' | 'agent';

/** The wrap-up applied to an agent leg. */
export interface SimulatedWrapup {
  code?: string;
  notes?: string;
  appliedAt: string;
}

/** One communication (leg) of a simulated conversation. */
export interface SimulatedLeg {
  communicationId: string;
  /** The key of the event that established the leg. */
  key: LegEstablishingKey;
  purpose: LegPurpose;
  userId?: string;
  queueId?: string;
  /** `initialConfiguration.inbound`. */
  inbound: boolean;
  /**
   * Established without `initialConfiguration.alerting: true`: the models read that as "the
   * communication started in a connected state", so it is never answered.
   */
  startedConnected: boolean;
  /** `initialConfiguration.invitedBy`: the leg that offered this one (a queue, transferring or consulting agent). */
  invitedBy?: string;
  /** Agent legs: `afterCallWorkRequired` as sent (whether a wrap-up is expected). */
  afterCallWorkRequired?: boolean;
  /** Email customer legs: `includeMessage` as sent (the first message counts as sent). */
  includeMessage?: boolean;
  establishedAt: string;
  answeredAt?: string;
  endedAt?: string;
  disconnectType?: DisconnectType;
  held: boolean;
  holds: number;
  wrapup?: SimulatedWrapup;
}

/** A blind transfer between its opening event and its end. */
export interface SimulatedTransfer {
  key: BlindTransferKey;
  objectCommunicationId: string;
  /** The user, queue or phone number the transfer goes to. */
  destination?: string;
}

/** An open consult transfer. */
export interface SimulatedConsult {
  initiatingCommunicationId: string;
  destinationCommunicationId: string;
  objectCommunicationId: string;
}

/** Everything the rules remember about one conversation. */
export interface SimulatedConversation {
  conversationId: string;
  channel: 'voice' | 'email';
  /** Insertion order is establishment order. */
  legs: Record<string, SimulatedLeg>;
  /** By commandId. */
  openTransfers: Record<string, SimulatedTransfer>;
  /** By commandId. */
  finishedTransfers: Record<string, { finalState: TransferFinalState }>;
  consult?: SimulatedConsult;
  startedAt: string;
  /** Set when every leg has ended. */
  endedAt?: string;
}

/** Whether an event was accepted, and why not. */
export type RuleOutcome = { accepted: true } | { accepted: false; message: string };

/** A key whose events establish a leg. */
export type LegEstablishingKey = Extract<ConversationEventKey, `${string}EstablishedEvents`>;
/** A key whose events open a blind transfer. */
export type BlindTransferKey =
  | 'userTransferEvents'
  | 'routingTransferEvents'
  | 'phoneTransferEvents'
  | 'emailUserTransferEvents'
  | 'emailRoutingTransferEvents';
/** How a leg ended. */
export type DisconnectType = ConversationEvent<
  'communicationEndedEvents' | 'emailCommunicationEndedEvents'
>['disconnectType'];
/** How a transfer ended. */
export type TransferFinalState = ConversationEvent<'endTransferEvents'>['finalState'];
