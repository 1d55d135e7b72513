/**
 * The chaos run's settings: the flags `scripts/chaos.ts` parses (written into the report), with the
 * seed scale as their defaults.
 */

import { defaultAgentWorkflowSettings } from '../../workflows/agent';

/** The chaos run's flags. */
export interface ChaosFlags {
  agents: number;
  seconds: number;
  seed: number;
  workers: number;
  presencePerMinute: number;
  interactionsPerSecond: number;
  voiceShare: number;
  /**
   * Multiplies every duration of an interaction and a break: below 1 a short run's interactions end soon
   * after it (the load plays every interaction begun to its end).
   */
  timeScale: number;
  requestsPerMinute: number;
  /** An agent workflow continues as new after this many history events (so the faults meet continuations too). */
  agentHistoryEvents: number;
  /** Share of recording fetches the source answers 503. */
  recordingFailRate: number;
  /** Share of recording fetches the source stalls mid-body. */
  recordingStallRate: number;
  /** How long a stalled fetch hangs before the source cuts it. */
  recordingStallSeconds: number;
  /** After the load, the longest wait for the bridge to finish. */
  settleSeconds: number;
  /** The JSON report; the readable one is written beside it (`.md`). */
  out: string;
}

/** The seed scale for at least ten minutes: the run. */
export const defaultChaosFlags: ChaosFlags = {
  agents: 4_000,
  seconds: 600,
  seed: 1,
  workers: 2,
  presencePerMinute: 2_000,
  interactionsPerSecond: 5,
  voiceShare: 0.7,
  timeScale: 1,
  requestsPerMinute: 3_000,
  agentHistoryEvents: defaultAgentWorkflowSettings.continueAsNewAfterHistoryEvents,
  recordingFailRate: 0.1,
  recordingStallRate: 0.1,
  recordingStallSeconds: 60,
  settleSeconds: 600,
  out: 'results/chaos.json',
};
