/**
 * Every number the contract marks **[assumption]** or states as a Genesys limit, in one place, so a
 * correction from Genesys is one edit.
 */
export const genesysLimits = {
  /** [assumption] events per batch request (413 beyond). */
  maxEventsPerBatch: 100,
  /** [assumption] bytes per batch body (413 beyond). */
  maxBatchBytes: 1_048_576,
  /** Events older than this are rejected (business rule 2). */
  maxEventAgeMs: 7 * 24 * 3600_000,
  /** [assumption] clock-skew allowance for future-dated events (business rule 2). */
  futureSkewMs: 5 * 60_000,
  /** Requests per minute per client-credentials token. */
  defaultRequestsPerMinute: 300,
  /** [assumption] largest recording file. */
  maxUploadBytes: 2 * 1024 ** 3,
  /** Queue members added or removed per call. */
  queueMembersPerCall: 100,
  /** Wrap-up codes added to a queue per call. */
  wrapupCodesPerCall: 100,
  /** Presigned upload URL lifetime bounds and default, in seconds. */
  signedUrlTimeoutSeconds: { min: 1, max: 604_800, default: 600 },
} as const;
