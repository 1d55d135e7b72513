/**
 * The Genesys request budget of one OAuth client: at most `requestsPerMinute` requests in any rolling
 * 60-second window (Genesys counts per token per minute, contract §2). A token bucket paces the
 * requests — a small burst (a tenth of the budget), then the budget's steady rate — so a busy minute
 * never spends its whole budget in its first seconds and then stalls every event until the window
 * rolls; a sliding log of send times is the hard cap on every window. Waiters are served by priority,
 * so event traffic goes ahead of lookups, recording uploads and directory calls, except that while both
 * wait, every other grant goes to those behind the events.
 */

/**
 * Who is waiting for a request slot; lower runs first. `lookups` are the reads an event workflow waits
 * on before it can publish (who an agent is in Genesys): one per agent and run, so they go ahead of
 * recording uploads and the bulk reads and writes of a directory sync, which can wait.
 */
export const requestPriorities = { events: 0, lookups: 1, uploads: 2, directory: 3 } as const;
/** One of {@link requestPriorities}. */
export type RequestPriority = (typeof requestPriorities)[keyof typeof requestPriorities];

/** The name of a priority (`events`, `lookups`, …), as metrics label it. */
export function priorityName(priority: RequestPriority): keyof typeof requestPriorities {
  return (Object.keys(requestPriorities) as (keyof typeof requestPriorities)[]).find(
    (name) => requestPriorities[name] === priority,
  )!;
}

interface Waiter {
  priority: RequestPriority;
  sequence: number;
  grant: () => void;
  refuse: (reason: Error) => void;
}

/** The SDKs' rule: a Retry-After longer than this is not waited out in process (contract §2). */
export const maxRetryAfterPauseMs = 180_000;

/** Settings of a {@link RequestBudget}. */
export interface RequestBudgetOptions {
  /** Requests Genesys grants per window (300 a minute by default). */
  requestsPerWindow: number;
  /** Share of it kept free for other callers and clock drift (0.1 = 10 %). */
  headroom?: number;
  /**
   * Worker processes drawing on the same OAuth client (default 1): each takes this fraction of the budget,
   * and of any smaller limit Genesys reports, so together they never pass it.
   */
  sharedBy?: number;
  /** The window Genesys counts in: a minute; shorter only to test the pacing quickly. */
  windowMs?: number;
  /**
   * How long after its window a slot stays taken (default 2 % of the window, at least 250 ms): Genesys
   * counts arrivals, not sends, and a request delayed in transit must not share a window with the
   * requests sent a window after it.
   */
  reuseMarginMs?: number;
  /** Requests that may go out back to back before pacing starts (default a tenth of the budget). */
  burst?: number;
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
  private readonly sharedBy: number;
  private readonly headroom: number;
  private readonly windowMs: number;
  /** Window plus reuse margin: how long a send holds its slot. */
  private readonly slotLifetimeMs: number;
  private readonly now: () => number;
  private readonly burstOption: number | undefined;
  private burst = 1;
  private tokensPerMs = 0;
  private tokens: number;
  private refilledAt: number;
  private pausedUntil = 0;
  /** Event requests granted since the last grant to anyone else. */
  private eventGrantsInARow = 0;
  private closed = false;
  /** How long a 429 has held every request of this client, in total. */
  pausedForMs = 0;

  constructor(options: RequestBudgetOptions) {
    this.sharedBy = options.sharedBy ?? 1;
    this.granted = options.requestsPerWindow / this.sharedBy;
    this.headroom = options.headroom ?? 0.1;
    this.windowMs = options.windowMs ?? 60_000;
    this.slotLifetimeMs = this.windowMs + (options.reuseMarginMs ?? Math.max(250, this.windowMs * 0.02));
    this.now = options.now ?? Date.now;
    this.limit = RequestBudget.usable(this.granted, this.headroom);
    this.burstOption = options.burst;
    this.pace();
    this.tokens = this.burst;
    this.refilledAt = this.now();
  }

  /**
   * Derives the bucket from the limit: burst plus steady rate over a slot's lifetime add up to the
   * limit, so in steady state the sliding log never has to stall anyone.
   */
  private pace(): void {
    this.burst = Math.min(this.limit, Math.max(1, this.burstOption ?? Math.floor(this.limit / 10)));
    this.tokensPerMs = Math.max(1, this.limit - this.burst) / this.slotLifetimeMs;
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

  /**
   * Lowers the budget when Genesys reports a smaller `inin-ratelimit-allowed` than configured (of which a
   * worker sharing the client takes its share).
   */
  observeAllowed(allowed: number): void {
    const limit = RequestBudget.usable(Math.min(allowed / this.sharedBy, this.granted), this.headroom);
    if (limit !== this.limit) {
      this.limit = limit;
      this.refill();
      this.pace();
      this.tokens = Math.min(this.tokens, this.burst);
      this.schedule();
    }
  }

  /**
   * Resolves when a request may be sent; the slot counts from that moment. An aborted `signal` (the
   * activity was cancelled or timed out) withdraws the request so it never spends budget later.
   */
  acquire(priority: RequestPriority, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('the Genesys request budget is closed'));
      if (signal?.aborted) return reject(abortReason(signal));
      const waiter: Waiter = {
        priority,
        sequence: this.sequence++,
        grant: () => {
          signal?.removeEventListener('abort', withdraw);
          resolve();
        },
        refuse: reject,
      };
      const withdraw = () => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        reject(abortReason(signal));
      };
      signal?.addEventListener('abort', withdraw, { once: true });
      this.waiters.push(waiter);
      this.waiters.sort((a, b) => a.priority - b.priority || a.sequence - b.sequence);
      this.schedule();
    });
  }

  /**
   * Holds every request of this client until `retryAfterMs` has passed: Genesys rate-limits the token,
   * not an endpoint, so after a 429 nothing of ours should arrive before the Retry-After.
   */
  pause(retryAfterMs: number): void {
    const until = this.now() + Math.min(retryAfterMs, maxRetryAfterPauseMs);
    if (until <= this.pausedUntil) return;
    this.pausedForMs += until - Math.max(this.pausedUntil, this.now());
    this.pausedUntil = until;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.schedule();
  }

  /** Stops pacing and refuses every waiting and future request. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const waiter of this.waiters.splice(0))
      waiter.refuse(new Error('the Genesys request budget is closed'));
  }

  private forgetOld(): void {
    const cutoff = this.now() - this.slotLifetimeMs;
    while (this.sent.length > 0 && (this.sent[0] ?? 0) <= cutoff) this.sent.shift();
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + (now - this.refilledAt) * this.tokensPerMs);
    this.refilledAt = now;
  }

  /** The next waiter to serve: by priority, then age, with a share kept for waiters behind events. */
  private takeNext(): Waiter {
    let index = 0;
    if (
      this.waiters[0]?.priority === requestPriorities.events &&
      this.eventGrantsInARow >= eventGrantsBeforeOthers
    ) {
      index = Math.max(
        0,
        this.waiters.findIndex((waiter) => waiter.priority !== requestPriorities.events),
      );
    }
    const [waiter] = this.waiters.splice(index, 1) as [Waiter];
    this.eventGrantsInARow = waiter.priority === requestPriorities.events ? this.eventGrantsInARow + 1 : 0;
    return waiter;
  }

  private schedule(): void {
    if (this.closed) return;
    this.forgetOld();
    this.refill();
    const paused = this.pausedUntil > this.now();
    while (!paused && this.waiters.length > 0 && this.sent.length < this.limit && this.tokens >= 1) {
      this.tokens -= 1;
      this.sent.push(this.now());
      this.takeNext().grant();
    }
    if (this.waiters.length === 0 || this.timer) return;
    // Wake when the pause is over, a token has refilled and, if the window is full, its oldest send has left it.
    const now = this.now();
    const untilSlot =
      this.sent.length < this.limit ? 0 : (this.sent[0] ?? now) + this.slotLifetimeMs - now + 1;
    const untilToken = Math.ceil((1 - this.tokens) / this.tokensPerMs);
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.schedule();
      },
      Math.max(1, this.pausedUntil - now, untilSlot, untilToken),
    );
  }
}

/**
 * Under sustained event traffic the event lanes always have a batch waiting: strict priority would then
 * starve everything else (an agent never looked up, a recording never uploaded). While both wait, the
 * best waiter behind the events gets a grant after this many event grants. Events lose little by it —
 * what waits rides in the next, larger batch — while a lookup holds up an agent's whole stream.
 */
const eventGrantsBeforeOthers = 1;

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error
    ? reason
    : new Error('the request was cancelled while waiting for the budget');
}
