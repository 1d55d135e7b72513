/**
 * How a refused event or vendor record names what is wrong with it: the field, a message for a person and
 * a reason code for the sender's code, one vocabulary for the normalised events and every adapter.
 */
import type { z } from 'zod';

/** Reason codes of a {@link FieldError}. */
export const fieldErrorCodes = [
  /** A field the event needs is absent. */
  'missing',
  /** The field is there but of the wrong JSON type (a number for a string, an object for an array). */
  'invalidType',
  /** Not one of the values the field takes (an unknown step, an enum value). */
  'invalidValue',
  /** Not in the field's format (a timestamp, a URL, an e-mail address, an MD5). */
  'invalidFormat',
  /** Too short, too long, too small or too large. */
  'outOfRange',
  /** A field the event must not carry. */
  'unexpected',
  /** `occurredAt` is further in the future than Genesys's clock-skew allowance. */
  'inFuture',
  /** `occurredAt` is older than Genesys takes events. */
  'tooOld',
  /** The event names another source than the sender is authenticated as. */
  'wrongSource',
] as const;

/** A reason code of a {@link FieldError}. */
export type FieldErrorCode = (typeof fieldErrorCodes)[number];

/** A problem with one field of a submitted event or vendor record. */
export interface FieldError {
  /** Dotted path of the field, e.g. `change.type`; `(event)` or `(record)` for the whole. */
  field: string;
  /** What is wrong, for a person. */
  message: string;
  /** What is wrong, for the sender's code. */
  code: FieldErrorCode;
}

/**
 * The field errors of `input`'s failed parse; `whole` names the input itself (`(event)`, `(record)`).
 */
export function fieldErrorsOf(error: z.ZodError, input: unknown, whole: string): FieldError[] {
  return error.issues.map((issue) => ({
    field: issue.path.length === 0 ? whole : issue.path.map(String).join('.'),
    message: issue.message,
    code: codeOf(issue, input),
  }));
}

function codeOf(issue: z.core.$ZodIssue, input: unknown): FieldErrorCode {
  if (issue.code === 'unrecognized_keys') return 'unexpected';
  // A discriminator or field that is not there at all is missing, whatever the check that noticed it.
  if (valueAt(input, issue.path) === undefined) return 'missing';
  switch (issue.code) {
    case 'invalid_type':
      return 'invalidType';
    case 'too_small':
    case 'too_big':
      return 'outOfRange';
    case 'invalid_format':
      return 'invalidFormat';
    case 'custom':
      return isFieldErrorCode(issue.params?.code) ? issue.params.code : 'invalidValue';
    default:
      return 'invalidValue';
  }
}

/** What a custom check (`refine`) passes as `params` to name its reason code. */
export function reasonCode(code: FieldErrorCode): { params: { code: FieldErrorCode } } {
  return { params: { code } };
}

function isFieldErrorCode(value: unknown): value is FieldErrorCode {
  return (fieldErrorCodes as readonly unknown[]).includes(value);
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
