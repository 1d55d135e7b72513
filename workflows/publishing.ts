/**
 * How workflows hand their events to the worker's Genesys publisher: as local activities first. A
 * publish is short (a batch gathered within the publish interval, one request) and its result is all the
 * workflow needs, so running it inside the workflow task saves Temporal the activity task's round trip —
 * the scheduling, dispatch and completion events and the workflow task that follows — which the
 * benchmark measured as most of the server's work per event.
 *
 * A call that still fails after its local phase (a few attempts, at most one timeout's time) continues as
 * a regular activity of the same type with the same input: Temporal then retries it, it shows in the Web
 * UI's Pending Activities with its attempt count and last failure, and `temporal activity
 * pause|unpause|reset` act on it. Its retries write no history until it closes, where a local activity's
 * retries past two seconds cost a marker and a timer each.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  type ActivityOptions,
  type LocalActivityOptions,
  type RetryPolicy,
} from '@temporalio/workflow';

/**
 * Local-activity options from an activity's timeouts and retry policy: a retry that waits longer than
 * two seconds becomes a workflow timer, so a Genesys outage never holds the workflow task (and the
 * events queued behind it) open.
 */
export function locally(options: Omit<LocalActivityOptions, 'localRetryThreshold'>): LocalActivityOptions {
  return { ...options, localRetryThreshold: '2 seconds' };
}

/** The attempts a call makes inside the worker before it continues as a regular activity. */
export const localAttempts = 3;
/** How late a regular activity's heartbeat may be (it beats every 5 s: activities/heartbeating.ts). */
export const remoteHeartbeatTimeout = '15 seconds';

/** A call's timeout and retry policy, for both of its phases. */
export interface CallPolicy {
  /** One attempt's limit; also the whole local phase's. */
  startToCloseTimeout: number;
  retry: RetryPolicy;
  /** The regular activity's limit over all its attempts; none: until an operator acts. */
  scheduleToCloseTimeout?: number;
}

/** The local phase of a call: {@link localAttempts} attempts, within one attempt's time. */
export function localPhase(policy: CallPolicy): LocalActivityOptions {
  return locally({
    startToCloseTimeout: policy.startToCloseTimeout,
    scheduleToCloseTimeout: policy.startToCloseTimeout,
    retry: { ...policy.retry, maximumAttempts: localAttempts },
  });
}

/** The regular activity a call continues as, heartbeating so a lost worker is noticed in seconds. */
export function remotePhase(policy: CallPolicy): ActivityOptions {
  return {
    startToCloseTimeout: policy.startToCloseTimeout,
    heartbeatTimeout: remoteHeartbeatTimeout,
    retry: policy.retry,
    ...(policy.scheduleToCloseTimeout === undefined
      ? {}
      : { scheduleToCloseTimeout: policy.scheduleToCloseTimeout }),
  };
}

/**
 * Runs a call locally; a failure that may pass (anything but a refusal for good) continues as the regular
 * activity, after `onEscalation` has said so, in the same workflow task as the activity's schedule.
 */
export async function locallyThenRemotely<R>(
  local: () => Promise<R>,
  remote: () => Promise<R>,
  onEscalation: (failure: ActivityOutcomeFailure) => void,
): Promise<R> {
  try {
    return await local();
  } catch (error) {
    const failure = activityFailure(error);
    if (!failure || !mayContinueRemotely(failure)) throw error;
    onEscalation(failure);
    return remote();
  }
}

/** Whether a failed local phase continues remotely: not when the activity refused for good. */
export function mayContinueRemotely(failure: ActivityOutcomeFailure): boolean {
  const cause = failure instanceof ActivityFailure ? failure.cause : failure;
  return !(cause instanceof ApplicationFailure && cause.nonRetryable);
}

/** What a workflow's status says while a call retries as a regular activity. */
export function escalationMessage(
  what: string,
  failure: ActivityOutcomeFailure,
  activityId: string,
  workflowId: string,
): string {
  const reason = failureReason(failure);
  return (
    `${what} keeps failing (${reason.length > 200 ? `${reason.slice(0, 199)}…` : reason}); ` +
    `Temporal retries it as activity ${activityId}: see Pending Activities for its attempts, or ` +
    `\`temporal activity pause|unpause|reset -w ${workflowId} -a ${activityId}\``
  );
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
