/** The simulator's start options: where it listens, what it starts with, the limits it enforces. */
import { z } from 'zod';
import { genesysLimits } from '../domain/genesys';
import { faultPlanSchema } from './faults';
import { organizationSeedSchema } from './seed';

/** Limits the simulator enforces; the defaults are Genesys's (contract §2, §3, §5). */
export const simulatorLimitsSchema = z.object({
  /** Requests per token per rolling window (Genesys: 300 per minute). */
  requestsPerWindow: z.number().int().positive().default(genesysLimits.defaultRequestsPerMinute),
  /**
   * What a rate limit counts: each token's requests (Genesys, contract §2), or every token's of one OAuth
   * client together, the stricter reading that the bench uses to show several workers sharing one budget.
   */
  rateLimitBy: z.enum(['token', 'client']).default('token'),
  /** The rate-limit window; a minute, shorter only to test pacing quickly. */
  rateLimitWindowMs: z.number().int().positive().default(60_000),
  maxEventsPerBatch: z.number().int().positive().default(genesysLimits.maxEventsPerBatch),
  maxBatchBytes: z.number().int().positive().default(genesysLimits.maxBatchBytes),
  maxEventAgeMs: z.number().int().positive().default(genesysLimits.maxEventAgeMs),
  futureSkewMs: z.number().int().nonnegative().default(genesysLimits.futureSkewMs),
  maxUploadBytes: z.number().int().positive().default(genesysLimits.maxUploadBytes),
  /** How long an upload-status report stays InProgress. */
  reportProcessingMs: z.number().int().nonnegative().default(200),
});
/** Limits with defaults applied. */
export type SimulatorLimits = z.output<typeof simulatorLimitsSchema>;

/** Options of {@link createSimulator}. */
export const simulatorOptionsSchema = z.object({
  /** Loopback only by default: the simulator has no real security. */
  host: z.string().default('127.0.0.1'),
  /** 0 picks a free port. */
  port: z.number().int().min(0).max(65_535).default(0),
  /** The organisation it starts with; `defaultSeed()` when absent. */
  organization: organizationSeedSchema.optional(),
  limits: simulatorLimitsSchema.default(simulatorLimitsSchema.parse({})),
  faults: faultPlanSchema.default(faultPlanSchema.parse({})),
  /** Where uploaded recordings are kept; a fresh temporary folder when absent (removed on stop). */
  uploadDir: z.string().optional(),
  /** Requests kept in the inspection log (oldest dropped first). */
  requestLogSize: z.number().int().positive().default(200_000),
  /**
   * How long an agent's presence and routing status may disagree before the consistency report
   * lists it: an adapter may stamp a presence and a routing change a few ms apart.
   */
  consistencyGraceMs: z.number().int().nonnegative().default(1_000),
});
/** Options as written. */
export type SimulatorOptions = z.input<typeof simulatorOptionsSchema>;
