/**
 * Fault injection: error statuses at a rate per endpoint, added latency, dropped connections and
 * transient per-event rejections, drawn from a seeded random source so a failing run can be repeated.
 * Set at start and replaced at run time (`PUT /__simulator/faults`).
 */
import { z } from 'zod';
import { seededRandom, type Random } from './random';

/** One kind of misbehaviour, applied to the requests it matches. */
export const faultRuleSchema = z.object({
  /** HTTP method to match; any when absent. */
  method: z
    .string()
    .transform((method) => method.toUpperCase())
    .optional(),
  /**
   * Path prefix to match, e.g. `/api/v2/events/users/presence`; when empty, every path but the inspection
   * API's (the login path and the upload target too: their outages are real as well).
   */
  path: z.string().default(''),
  /** Share of matching requests it hits, 0–1. */
  rate: z.number().min(0).max(1).default(1),
  /** Stops after hitting this many requests. */
  times: z.number().int().positive().optional(),
  /** Answer with this status and a Genesys error body instead of serving the request. */
  status: z.number().int().min(400).max(599).optional(),
  /** Retry-After (seconds) of an injected 429 or 503. */
  retryAfterSeconds: z.number().int().nonnegative().optional(),
  /** Delay before answering: a slow response. */
  latencyMs: z.number().int().nonnegative().default(0),
  /** Close the connection without an answer. */
  drop: z.boolean().default(false),
});
/** A fault rule as written. */
export type FaultRuleInput = z.input<typeof faultRuleSchema>;

/** Every fault the simulator injects. */
export const faultPlanSchema = z.object({
  seed: z.number().int().default(1),
  /** Latency added to every API answer. */
  latencyMs: z.number().int().nonnegative().default(0),
  /** Share of otherwise valid events refused with `retryable: true`, as a transient Genesys hiccup. */
  transientEventErrorRate: z.number().min(0).max(1).default(0),
  rules: z.array(faultRuleSchema).default([]),
});
/** A fault plan as written. */
export type FaultPlanInput = z.input<typeof faultPlanSchema>;
/** A fault plan with defaults applied. */
export type FaultPlan = z.output<typeof faultPlanSchema>;

/** What to do to one request. */
export interface FaultDecision {
  latencyMs: number;
  drop: boolean;
  status: number | undefined;
  retryAfterSeconds: number | undefined;
}

/** The live fault plan. */
export class Faults {
  private current!: FaultPlan;
  private random!: Random;
  private remaining: (number | undefined)[] = [];
  /** Faults injected so far, by kind. */
  readonly injected = { statuses: 0, drops: 0, delays: 0, eventErrors: 0 };

  constructor(plan: FaultPlanInput = {}) {
    this.set(plan);
  }

  /** The plan in force. */
  get plan(): FaultPlan {
    return this.current;
  }

  /** Replaces the plan (and restarts its random sequence). */
  set(plan: FaultPlanInput): FaultPlan {
    this.current = faultPlanSchema.parse(plan);
    this.random = seededRandom(this.current.seed);
    this.remaining = this.current.rules.map((rule) => rule.times);
    return this.current;
  }

  /** The faults that hit one request, if any. */
  decide(method: string, path: string): FaultDecision | undefined {
    const decision: FaultDecision = {
      latencyMs: this.current.latencyMs,
      drop: false,
      status: undefined,
      retryAfterSeconds: undefined,
    };
    let hit = this.current.latencyMs > 0;
    this.current.rules.forEach((rule, index) => {
      if (rule.method !== undefined && rule.method !== method) return;
      if (!path.startsWith(rule.path)) return;
      const remaining = this.remaining[index];
      if (remaining === 0) return;
      if (rule.rate < 1 && this.random() >= rule.rate) return;
      if (remaining !== undefined) this.remaining[index] = remaining - 1;
      hit = true;
      decision.latencyMs += rule.latencyMs;
      decision.drop ||= rule.drop;
      if (decision.status === undefined && rule.status !== undefined) {
        decision.status = rule.status;
        decision.retryAfterSeconds = rule.retryAfterSeconds;
      }
    });
    if (!hit) return undefined;
    if (decision.latencyMs > 0) this.injected.delays++;
    if (decision.drop) this.injected.drops++;
    else if (decision.status !== undefined) this.injected.statuses++;
    return decision;
  }

  /** Zeroes the injected-fault counters (the plan stays). */
  clearCounters(): void {
    Object.assign(this.injected, { statuses: 0, drops: 0, delays: 0, eventErrors: 0 });
  }

  /** Whether to refuse one otherwise valid event as a transient failure. */
  transientEventError(): boolean {
    const rate = this.current.transientEventErrorRate;
    const hit = rate > 0 && this.random() < rate;
    if (hit) this.injected.eventErrors++;
    return hit;
  }
}
