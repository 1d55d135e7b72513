/**
 * The Genesys request budget of one OAuth client: at most `requestsPerMinute` requests in any rolling
 * 60-second window (Genesys counts per token per minute, contract §2). A sliding log of send times
 * enforces the window exactly, where a token bucket would let capacity + rate through in one minute.
 * Waiters are served by priority, so event traffic goes ahead of recording uploads and directory calls.
 */

/** Who is waiting for a request slot; lower runs first. */
export const requestPriorities = { events: 0, uploads: 1, directory: 2 } as const;
/** One of {@link requestPriorities}. */
export type RequestPriority = (typeof requestPriorities)[keyof typeof requestPriorities];

interface Waiter {
  priority: RequestPriority;
  sequence: number;
  grant: () => void;
}

/** Settings of a {@link RequestBudget}. */
export interface RequestBudgetOptions {
  /** Requests Genesys grants per window (300 a minute by default). */
  requestsPerWindow: number;
  /** Share of it kept free for other callers and clock drift (0.1 = 10 %). */
  headroom?: number;
  /** The window Genesys counts in: a minute; shorter only to test the pacing quickly. */
  windowMs?: number;
  /**
   * How long after its window a slot stays taken (default 2 % of the window, at least 250 ms): Genesys
   * counts arrivals, not sends, and a request delayed in transit must not share a window with the
   * requests sent a window after it.
   */
  reuseMarginMs?: number;
  now?: () => number;
}

/** Paces requests inside a per-minute budget. */
export class RequestBudget {
  private readonly sent: number[] = [];
  private readonly waiters: Waiter[] = [];
  private sequence = 0;
  private timer: NodeJS.Timeout | undefined;
  private limit: number;
  private readonly granted: number;
  private readonly headroom: number;
  private readonly windowMs: number;
  /** Window plus reuse margin: how long a send holds its slot. */
  private readonly slotLifetimeMs: number;
  private readonly now: () => number;

  constructor(options: RequestBudgetOptions) {
    this.granted = options.requestsPerWindow;
    this.headroom = options.headroom ?? 0.1;
    this.windowMs = options.windowMs ?? 60_000;
    this.slotLifetimeMs = this.windowMs + (options.reuseMarginMs ?? Math.max(250, this.windowMs * 0.02));
    this.now = options.now ?? Date.now;
    this.limit = RequestBudget.usable(this.granted, this.headroom);
  }

  private static usable(requests: number, headroom: number): number {
    return Math.max(1, Math.floor(requests * (1 - headroom)));
  }

  /** Requests this budget lets through per rolling window. */
  get requestsPerWindow(): number {
    return this.limit;
  }

  /** The rolling window, in ms. */
  get windowLengthMs(): number {
    return this.windowMs;
  }

  /** Requests sent in the current window. */
  get used(): number {
    this.forgetOld();
    return this.sent.length;
  }

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Lowers the budget when Genesys reports a smaller `inin-ratelimit-allowed` than configured. */
  observeAllowed(allowed: number): void {
    const limit = RequestBudget.usable(Math.min(allowed, this.granted), this.headroom);
    if (limit !== this.limit) {
      this.limit = limit;
      this.schedule();
    }
  }

  /** Resolves when a request may be sent; the slot counts from that moment. */
  acquire(priority: RequestPriority): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push({ priority, sequence: this.sequence++, grant: resolve });
      this.waiters.sort((a, b) => a.priority - b.priority || a.sequence - b.sequence);
      this.schedule();
    });
  }

  /** Stops the pacing timer (waiters stay pending). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private forgetOld(): void {
    const cutoff = this.now() - this.slotLifetimeMs;
    while (this.sent.length > 0 && (this.sent[0] ?? 0) <= cutoff) this.sent.shift();
  }

  private schedule(): void {
    this.forgetOld();
    while (this.waiters.length > 0 && this.sent.length < this.limit) {
      this.sent.push(this.now());
      this.waiters.shift()?.grant();
    }
    if (this.waiters.length === 0 || this.timer) return;
    // The oldest send in the window frees the next slot when it leaves the window.
    const wait = Math.max(1, (this.sent[0] ?? this.now()) + this.slotLifetimeMs - this.now() + 1);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.schedule();
    }, wait);
  }
}
