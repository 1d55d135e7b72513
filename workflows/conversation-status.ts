/**
 * What a conversation workflow is configured by and what it reports: its settings, phases, counters,
 * ledger and status (the status query's answer and, less what is live, the workflow's result).
 */
import type { UploadedRecording } from '../activities';
import type { LifecycleState } from './conversation-lifecycle';
import {
  defaultEntityWorkflowSettings,
  type EntityWorkflowSettings,
  type StreamCounters,
  type StreamLedgerEntry,
} from './entity-stream';

/** Settings of a conversation workflow. */
export interface ConversationWorkflowSettings extends EntityWorkflowSettings {
  /** After the last leg ends, how long agents who handled the interaction have to wrap up. */
  wrapUpWaitMs: number;
  /**
   * How long a wrap-up of an agent still on the call waits, from its arrival, for the disconnect that may
   * be on its way (a redelivered disconnect would be late once the wrap-up is published).
   */
  wrapUpHoldMs: number;
  /** After an answered call ends, how long its recording has to become ready. */
  recordingWaitMs: number;
  /** Which calls are expected to have a recording: those an agent answered, every call, or none. */
  expectRecording: 'answered' | 'always' | 'never';
  /** How long events may wait for the step that starts the conversation before it is given up as orphaned. */
  startWaitMs: number;
  /** How long one recording upload attempt may take. */
  uploadTimeoutMs: number;
  /** How long an upload may go without a heartbeat before its worker is taken for dead and it is retried. */
  uploadHeartbeatTimeoutMs: number;
}

/** Defaults of {@link ConversationWorkflowSettings}. */
export const defaultConversationWorkflowSettings: ConversationWorkflowSettings = {
  ...defaultEntityWorkflowSettings,
  wrapUpWaitMs: 30 * 60_000,
  wrapUpHoldMs: 5 * 60_000,
  recordingWaitMs: 2 * 3_600_000,
  expectRecording: 'answered',
  startWaitMs: 3_600_000,
  uploadTimeoutMs: 30 * 60_000,
  uploadHeartbeatTimeoutMs: 30_000,
};

/** Where the conversation stands. */
export type ConversationPhase =
  | 'Running'
  /** A step kept failing in the worker; Temporal retries it as a regular activity (Pending Activities). */
  | 'Retrying'
  | 'WaitingForMapping'
  | 'Blocked'
  /** Legs still live that no step will end: a step that would have ended them came late (in the ledger). */
  | 'Stalled'
  | 'WaitingForWrapUp'
  | 'WaitingForRecording'
  | 'UploadingRecording'
  | 'Completed'
  | 'RecordingMissing'
  | 'RecordingFailed'
  | 'Abandoned'
  | 'Orphaned';

/** Why an event is in the ledger. */
export type ConversationLedgerOutcome = 'late' | 'tooOld' | 'skipped' | 'afterAbandon';

/** How a conversation's ledger names an event: `<channel>.<change type>`, e.g. `voice.held`. */
export interface ConversationLedgerDetails {
  type: string;
}

/** One event the workflow could not (or was told not to) deliver. */
export type ConversationLedgerEntry = StreamLedgerEntry<ConversationLedgerOutcome, ConversationLedgerDetails>;

/** Counts of what happened to the interaction's events. */
export interface ConversationCounters extends StreamCounters {
  /** Source events translated and accepted by Genesys. */
  applied: number;
  /** Genesys events accepted. */
  genesysEvents: number;
}

/** The recording, as far as it got. */
export interface RecordingStatus {
  state: 'notExpected' | 'waiting' | 'ready' | 'uploading' | 'uploaded' | 'missing' | 'failed';
  url?: string;
  sizeBytes?: number;
  uploaded?: UploadedRecording;
  reason?: string;
}

/** The operator-facing state of one conversation workflow. */
export interface ConversationStatus {
  source: string;
  interactionId: string;
  channel?: 'voice' | 'email';
  status: ConversationPhase;
  message?: string;
  conversationId?: string;
  /** The event that is blocked, and why. */
  blocked?: { eventId: string; type: string; kind: BlockKind; reason: string };
  legs: LifecycleState['legs'];
  pending: number;
  counters: ConversationCounters;
  lastApplied?: { eventId: string; type: string; occurredAt: string };
  recording: RecordingStatus;
  ledger: ConversationLedgerEntry[];
}

/** What the workflow returns. */
export type ConversationResult = Omit<ConversationStatus, 'pending' | 'blocked'>;

/** What starts a conversation workflow. */
export interface ConversationWorkflowInput {
  source: string;
  interactionId: string;
  /**
   * The Genesys conversation id, minted by whoever starts the workflow so that the id is searchable from
   * the start (`ByoiGenesysId`); minted by the workflow when absent.
   */
  conversationId?: string;
  settings?: Partial<ConversationWorkflowSettings>;
}

/** Why a step is blocked: a party without a Genesys id, a step the product cannot express, Genesys's refusal. */
export type BlockKind = 'unmapped' | 'unsupported' | 'rejected';
