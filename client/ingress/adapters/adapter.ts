/**
 * What every vendor adapter is: a pure translation of the vendor's published records into normalised
 * events (the ingress's `{"kind": "agent" | "conversation", …}`), record by record, saying for each
 * record what it became — events, nothing (an event type the bridge does not need, ignored by name),
 * or a refusal naming the field. Unknown fields are ignored; unknown event types too.
 */
import type { z } from 'zod';
import type { FieldError } from '../../library/bridge-client';

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

/** Parses each record with `schema` (a refusal by field when it does not fit) and translates the rest. */
export function translateEach<Schema extends z.ZodType>(
  records: unknown[],
  schema: Schema,
  translate: (value: z.output<Schema>, record: number) => RecordTranslation,
): RecordTranslation[] {
  return records.map((input, record) => {
    const parsed = schema.safeParse(input);
    return parsed.success ? translate(parsed.data, record) : { record, refused: fieldErrors(parsed.error) };
  });
}

/** Field errors of a failed parse. */
function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    field: issue.path.map(String).join('.') || '(record)',
    message: issue.message,
  }));
}
