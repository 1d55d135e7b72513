/**
 * What every vendor adapter is: a pure translation of the vendor's published records into normalised
 * events (the ingress's `{"kind": "agent" | "conversation", …}`), record by record, saying for each
 * record what it became — events, nothing (an event type the bridge does not need, ignored by name),
 * or a refusal naming the field. Unknown fields are ignored; unknown event types too. An adapter whose
 * vendor calls a form-encoded webhook also checks that webhook's signature, the vendor's way.
 */
import { z } from 'zod';
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

/** How {@link translateEach} reads a record. */
export interface TranslateOptions {
  /**
   * Take a field whose name matches one the schema declares ignoring case under the schema's spelling
   * (AWS publishes `agentInfo` and `AgentInfo`, `AgentARN` and `AgentArn`); an exact spelling wins.
   */
  fieldNamesIgnoringCase?: boolean;
}

/** Parses each record with `schema` (a refusal by field when it does not fit) and translates the rest. */
export function translateEach<Schema extends z.ZodType>(
  records: unknown[],
  schema: Schema,
  translate: (value: z.output<Schema>, record: number) => RecordTranslation,
  options: TranslateOptions = {},
): RecordTranslation[] {
  const names = options.fieldNamesIgnoringCase ? fieldNamesOf(schema) : undefined;
  return records.map((received, record) => {
    const input = names ? respelled(received, names) : received;
    const parsed = schema.safeParse(input);
    return parsed.success
      ? translate(parsed.data, record)
      : { record, refused: fieldErrorsOf(parsed.error, input, '(record)') };
  });
}

/** A voice call's recording-ready event (a normalised event), as the recording adapters report a stored file. */
export function recordingReadyEvent(
  call: { source: string; interactionId: string; eventId: string; occurredAt: string },
  file: { url: string; contentType: string },
): Record<string, unknown> {
  return { kind: 'conversation', channel: 'voice', ...call, change: { type: 'recordingReady', ...file } };
}

/** `value`'s spelling among `values` when one matches it ignoring case (`Voice` → `VOICE`), else undefined. */
export function spelledAs<const Value extends string>(
  value: string | undefined,
  values: readonly Value[],
): Value | undefined {
  if (value === undefined) return undefined;
  const lower = value.toLowerCase();
  return values.find((candidate) => candidate.toLowerCase() === lower);
}

/** A mapping's entry for `key`: the exact key's, else the entry whose key matches ignoring case. */
export function mappedIgnoringCase(
  mapping: Record<string, string> | undefined,
  key: string,
): string | undefined {
  if (!mapping) return undefined;
  return mapping[key] ?? mapping[spelledAs(key, Object.keys(mapping)) ?? ''];
}

/** Every field name `schema` declares at any depth, by its lower-case form. */
function fieldNamesOf(schema: z.ZodType, names = new Map<string, string>()): Map<string, string> {
  if (schema instanceof z.ZodObject) {
    const shape: Record<string, z.ZodType> = schema.shape;
    for (const [name, field] of Object.entries(shape)) {
      names.set(name.toLowerCase(), name);
      fieldNamesOf(field, names);
    }
  } else if (
    schema instanceof z.ZodOptional ||
    schema instanceof z.ZodNullable ||
    schema instanceof z.ZodDefault
  ) {
    fieldNamesOf(schema.unwrap() as z.ZodType, names);
  } else if (schema instanceof z.ZodArray) {
    fieldNamesOf(schema.element as z.ZodType, names);
  } else if (schema instanceof z.ZodPipe) {
    fieldNamesOf(schema.in as z.ZodType, names);
  } else if (schema instanceof z.ZodUnion) {
    for (const option of schema.options as z.ZodType[]) fieldNamesOf(option, names);
  }
  return names;
}

/** `value` with every object key that matches one of `names` ignoring case spelled as `names` spells it. */
function respelled(value: unknown, names: ReadonlyMap<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => respelled(item, names));
  if (typeof value !== 'object' || value === null) return value;
  const source = value as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(source)) {
    // JSON.parse makes `__proto__` an own key; assigned here it would set the copy's prototype.
    if (key === '__proto__') continue;
    const name = names.get(key.toLowerCase()) ?? key;
    // An exact spelling wins over a differently cased one, whichever comes first.
    if (name !== key && name in source) continue;
    result[name] = respelled(item, names);
  }
  return result;
}
