/**
 * How workflows hand their events to the worker's Genesys publisher: as local activities. A publish is
 * short (a batch gathered within the publish interval, one request) and its result is all the workflow
 * needs, so running it inside the workflow task saves Temporal the activity task's round trip — the
 * scheduling, dispatch and completion events and the workflow task that follows — which the benchmark
 * measured as most of the server's work per event.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  type LocalActivityOptions,
} from '@temporalio/workflow';

/**
 * Local-activity options from an activity's timeouts and retry policy: a retry that waits longer than
 * two seconds becomes a workflow timer, so a Genesys outage never holds the workflow task (and the
 * events queued behind it) open.
 */
export function locally(options: Omit<LocalActivityOptions, 'localRetryThreshold'>): LocalActivityOptions {
  return { ...options, localRetryThreshold: '2 seconds' };
}

/** How an activity's failure reaches the workflow. */
export type ActivityOutcomeFailure = ActivityFailure | ApplicationFailure | TimeoutFailure;

/**
 * A publish's failure, however it ran — an activity task's arrives as an ActivityFailure around its
 * cause, a local activity's as the cause itself — or undefined for anything else (a cancellation, a
 * bug), which the workflow must not swallow.
 */
export function activityFailure(error: unknown): ActivityOutcomeFailure | undefined {
  return error instanceof ActivityFailure ||
    error instanceof ApplicationFailure ||
    error instanceof TimeoutFailure
    ? error
    : undefined;
}

/** Why an activity failed: the message of the ApplicationFailure it threw, when it threw one. */
export function failureReason(failure: ActivityOutcomeFailure): string {
  const cause = failure instanceof ActivityFailure ? failure.cause : failure;
  return cause instanceof ApplicationFailure ? cause.message : failure.message;
}
