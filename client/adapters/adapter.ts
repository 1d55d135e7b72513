/**
 * What every vendor adapter is: a pure translation of the vendor's published records into normalised
 * events (the ingress's `{"kind": "agent" | "conversation", …}`), record by record, saying for each
 * record what it became — events, nothing (an event type the bridge does not need, ignored by name),
 * or a refusal naming the field. Unknown fields are ignored; unknown event types too.
 */
import type { z } from 'zod';
import type { FieldError } from '../bridge-client';

/** What one vendor record became. */
export type RecordTranslation =
  | { record: number; events: Record<string, unknown>[] }
  | { record: number; ignored: string }
  | { record: number; refused: FieldError[] };

/** A vendor adapter: records in, normalised events out. */
export interface VendorAdapter {
  /** The adapter's route under `/v1/adapters/`, e.g. `amazon-connect/agent-events`. */
  route: string;
  translate(records: unknown[], source: string): RecordTranslation[];
}

/** Field errors of a failed parse, with paths prefixed by `prefix`. */
export function fieldErrors(error: z.ZodError, prefix = ''): FieldError[] {
  return error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(record)',
    message: issue.message,
  }));
}
