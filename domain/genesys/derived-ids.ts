/**
 * Genesys ids derived from what identifies them at the source, so that sending the same thing again — a
 * workflow reset to an earlier point by an operator, or terminated and started afresh with its events
 * re-sent — carries the same ids, and Genesys applies it once (../shared/genesys-byoi-api.md §4.7: a
 * repeated eventId with the same body is accepted and applied once). A workflow's `uuid4()` would not do:
 * its seed is the run's, and a reset starts a new run.
 *
 * Pure JavaScript (no `node:crypto`), so workflow code runs it in Temporal's sandbox.
 */
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

/** Tells these ids apart from any other name-based id: a change of scheme is a new namespace. */
const namespace = 'byoi-bridge/genesys-id/1';

/**
 * A UUID that is the same for the same parts, always, and differs when any part differs: the first 16
 * bytes of SHA-256 over the parts (JSON, so no two lists of parts encode alike).
 *
 * Formatted as a version 4 UUID (version nibble 4, RFC 4122 variant bits) rather than the name-based
 * version 5, because Genesys requires every id it is given to be a UUID v4 (`uuidV4` in fields.ts); the
 * 122 bits left of the hash make a collision as unlikely as between random v4 ids.
 */
export function derivedUuid(parts: readonly (string | number)[]): string {
  const bytes = sha256(utf8ToBytes(JSON.stringify([namespace, ...parts]))).slice(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytesToHex(bytes);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The Genesys eventId of one agent event: its own at the source, and the user and presence source it goes to. */
export function agentEventId(change: {
  source: string;
  agentId: string;
  /** The source's eventId. */
  eventId: string;
  /** A user re-created in Genesys (or a source registered anew) takes the agent's events under new ids. */
  userId: string;
  sourceId: string;
}): string {
  const { source, agentId, eventId, userId, sourceId } = change;
  return derivedUuid(['agent-event', source, agentId, eventId, userId, sourceId]);
}

/** The Genesys conversation of an interaction: the same whichever run of its workflow starts it. */
export function conversationIdOf(source: string, interactionId: string): string {
  return derivedUuid(['conversation', source, interactionId]);
}

/** What one step's Genesys ids derive from: the interaction, its Genesys conversation and the step. */
export interface ConversationStepKey {
  source: string;
  interactionId: string;
  /** In the key so that a conversation started with another id (by an older bridge) never shares ids. */
  conversationId: string;
  /** The source eventId of the step, or `abandon` for the legs an operator's abandon ends. */
  step: { eventId: string } | 'abandon';
}

function stepParts({ source, interactionId, conversationId, step }: ConversationStepKey) {
  return [
    source,
    interactionId,
    conversationId,
    ...(step === 'abandon' ? ['abandon'] : ['step', step.eventId]),
  ];
}

/**
 * Mints the communication and command ids of one step, in the order the translation asks for them: the
 * n-th id of a step is the same on every run, since the same step translates the same way from the same
 * state.
 */
export function conversationIdMinter(key: ConversationStepKey): () => string {
  let minted = 0;
  return () => derivedUuid(['conversation-id', ...stepParts(key), minted++]);
}

/** The Genesys eventId of the step's `ordinal`-th event. */
export function conversationEventId(key: ConversationStepKey, ordinal: number): string {
  return derivedUuid(['conversation-event', ...stepParts(key), ordinal]);
}
