/**
 * A Genesys call that continued as a regular activity (workflows/publishing.ts) heartbeats while it
 * waits on the publisher: a worker that dies is noticed at the heartbeat timeout, not the call's, and an
 * operator's `temporal activity pause` or `reset` reaches the attempt and ends it (the SDK reports the
 * attempt as paused or reset). The same call run locally does neither: it holds its workflow task.
 */
import { Context } from '@temporalio/activity';

/** How often a regular activity heartbeats; well inside `remoteHeartbeatTimeout` (15 s). */
const heartbeatEveryMs = 5_000;

/** Runs `work`, heartbeating when it runs as a regular activity, until it settles or is cancelled. */
export async function heartbeating<T>(work: () => Promise<T>): Promise<T> {
  const context = Context.current();
  if (context.info.isLocal) return work();
  context.heartbeat();
  const beat = setInterval(() => context.heartbeat(), heartbeatEveryMs);
  try {
    return await Promise.race([work(), context.cancelled]);
  } finally {
    clearInterval(beat);
  }
}
