/**
 * Connecting a worker to Temporal while Temporal may not be up yet: a worker started beside a server that
 * is restarting (or started before it) waits for it instead of exiting.
 */
import { NativeConnection, TransportError, type NativeConnectionOptions } from '@temporalio/worker';

/** How long a worker waits for an unreachable Temporal before it gives up and exits. */
export const temporalConnectWaitMs = 5 * 60_000;

/** How a wait for Temporal goes. */
export interface ConnectWaitOptions {
  /** Longest wait, counted from the first attempt. */
  waitMs?: number;
  /** Told of each failed attempt: the error, the attempt and how long until the next one. */
  onRetry?: (error: Error, attempt: number, retryInMs: number) => void;
}

/**
 * Connects to Temporal, retrying while the server cannot be reached (its address refuses or drops the
 * connection) with a backoff from 200 ms to 5 s, for up to `waitMs`; then throws the last error. Any
 * other error (bad TLS settings, a refused API key) is thrown at once: waiting would not mend it.
 */
export async function connectWhenReachable(
  options: NativeConnectionOptions,
  { waitMs = temporalConnectWaitMs, onRetry }: ConnectWaitOptions = {},
): Promise<NativeConnection> {
  const deadline = Date.now() + waitMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await NativeConnection.connect(options);
    } catch (error) {
      const retryInMs = Math.min(5_000, 200 * 2 ** (attempt - 1));
      if (!(error instanceof TransportError) || Date.now() + retryInMs > deadline) throw error;
      onRetry?.(error, attempt, retryInMs);
      await new Promise((resolve) => setTimeout(resolve, retryInMs));
    }
  }
}
