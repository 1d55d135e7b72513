/**
 * Waiting with a deadline without a timer per wait. `condition(fn, timeout)` starts a durable timer on
 * every call and cancels it when `fn` wins: two history events (and often a workflow task) for each wait
 * a signal ends early. An alarm is started once per deadline and never cancelled — a timer still pending
 * when the workflow completes or continues as new costs nothing — and a later wait with the same or a
 * later deadline reuses it.
 */
import { condition, sleep } from '@temporalio/workflow';

/** The deadlines one workflow waits for. */
export class Alarms {
  /** Epoch ms of the alarms that have not rung yet. */
  private readonly pending = new Set<number>();
  private rang = false;

  /**
   * Waits until `wake()` holds (true) or `atMs` (epoch ms, workflow time; Infinity for none) has passed
   * (false). An alarm that rings before `atMs` (one set for an earlier deadline) only sets the next one.
   */
  async until(wake: () => boolean, atMs: number): Promise<boolean> {
    for (;;) {
      if (wake()) return true;
      if (Date.now() >= atMs) return false;
      if (atMs !== Infinity) this.ringBy(atMs);
      this.rang = false;
      await condition(() => wake() || this.rang);
    }
  }

  private ringBy(atMs: number): void {
    for (const pending of this.pending) if (pending <= atMs) return;
    this.pending.add(atMs);
    void sleep(atMs - Date.now()).then(() => {
      this.pending.delete(atMs);
      this.rang = true;
    });
  }
}
