/**
 * What every vendor adapter is: a pure translation of the vendor's published records into normalised
 * events (the ingress's `{"kind": "agent" | "conversation", …}`), record by record, saying for each
 * record what it became — events, nothing (an event type the bridge does not need, ignored by name),
 * or a refusal naming the field. Unknown fields are ignored; unknown event types too. An adapter whose
 * vendor calls a form-encoded webhook also checks that webhook's signature, the vendor's way.
 */
import type { z } from 'zod';
import { fieldErrorsOf, type FieldError } from '../../../domain/events/field-errors';

/** What one vendor record became. */
export type RecordTranslation =
  | { record: number; events: Record<string, unknown>[] }
  | { record: number; ignored: string }
  | { record: number; refused: FieldError[] };

/** A form-encoded webhook as the ingress received it, for the adapter to authenticate. */
export interface Webhook {
  /** The source the route names. */
  source: string;
  /** The URL the vendor called (the ingress's public URL with the path and query), which vendors sign. */
  url: string;
  /** The form's parameters. */
  params: Record<string, string>;
  /** A request header's value (the first, when it is repeated). */
  header: (name: string) => string | undefined;
}

/** A vendor adapter: records in, normalised events out; `Credentials` are what it reads of a source's. */
export interface VendorAdapter<Credentials = unknown> {
  /** The adapter's route under `/v1/adapters/`, e.g. `amazon-connect/agent-events`. */
  route: string;
  translate(records: unknown[], source: string): RecordTranslation[];
  /**
   * Why a webhook is refused (answered 401), or undefined when the vendor signed it with one of the
   * source's `credentials`. Without it the route takes JSON from authenticated senders only.
   */
  authenticateWebhook?(webhook: Webhook, credentials: Credentials | undefined): string | undefined;
}

/** Parses each record with `schema` (a refusal by field when it does not fit) and translates the rest. */
export function translateEach<Schema extends z.ZodType>(
  records: unknown[],
  schema: Schema,
  translate: (value: z.output<Schema>, record: number) => RecordTranslation,
): RecordTranslation[] {
  return records.map((input, record) => {
    const parsed = schema.safeParse(input);
    return parsed.success
      ? translate(parsed.data, record)
      : { record, refused: fieldErrorsOf(parsed.error, input, '(record)') };
  });
}
