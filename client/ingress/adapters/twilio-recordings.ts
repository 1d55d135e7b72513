/**
 * Twilio recording status callbacks (form-encoded webhooks,
 * https://www.twilio.com/docs/voice/api/recording#recordingstatuscallback) → the call's recording. A
 * callback is translated only once its `X-Twilio-Signature` matches one of the source's Twilio auth
 * tokens (see ./twilio-signature.ts), like the TaskRouter callbacks.
 *
 * - `completed` → `recordingReady` for the call `CallSid` (the id the TaskRouter adapter gives a voice
 *   task's call, so both meet in one conversation), fetched from `RecordingUrl` with the mapping's
 *   extension (`.wav` by default, or `.mp3`), event id `RecordingSid`.
 * - `in-progress` is ignored (the file is not there yet); `absent` and `failed` are ignored with Twilio's
 *   `ErrorCode` (no file will come: the conversation's recording wait says so in time).
 * `occurredAt` is when the recording ended (`RecordingStartTime` + `RecordingDuration` seconds) when
 * Twilio says, else when the callback arrived.
 */
import { z } from 'zod';
import type { FieldError } from '../../../domain/events/field-errors';
import { recordingReadyEvent, translateEach, type RecordTranslation, type VendorAdapter } from './adapter';
import { authenticateTwilioWebhook, type TwilioCredentials } from './twilio-signature';

/** How the adapter asks Twilio for the file. */
export interface TwilioRecordingsMapping {
  /** The file type fetched from Twilio's media host (default `wav`: Twilio stores WAV, MP3 is transcoded). */
  format?: 'wav' | 'mp3';
}

const callbackSchema = z.looseObject({
  RecordingStatus: z.string().min(1),
  CallSid: z.string().optional(),
  RecordingSid: z.string().optional(),
  RecordingUrl: z.string().optional(),
  RecordingStartTime: z.string().optional(),
  RecordingDuration: z.string().optional(),
  ErrorCode: z.string().optional(),
});

const formats = {
  wav: { extension: '.wav', contentType: 'audio/wav' },
  mp3: { extension: '.mp3', contentType: 'audio/mpeg' },
} as const;

/** The adapter for recording status callbacks; `now` dates a callback that does not say when its recording ended. */
export function twilioRecordingsAdapter(
  mapping: TwilioRecordingsMapping = {},
  now: () => number = Date.now,
): VendorAdapter<TwilioCredentials> {
  const format = formats[mapping.format ?? 'wav'];
  return {
    route: 'twilio/recordings',
    authenticateWebhook: authenticateTwilioWebhook,
    translate(records, source) {
      return translateEach(records, callbackSchema, (callback, record): RecordTranslation => {
        const status = callback.RecordingStatus.toLowerCase();
        const errorCode = callback.ErrorCode && callback.ErrorCode !== '0' ? callback.ErrorCode : 'none';
        switch (status) {
          case 'completed':
            break;
          case 'in-progress':
            return { record, ignored: 'RecordingStatus in-progress: the file is not ready yet' };
          case 'absent':
          case 'failed':
            return {
              record,
              ignored: `RecordingStatus ${status} (ErrorCode ${errorCode}): Twilio has no file for this recording`,
            };
          default:
            return {
              record,
              ignored: `RecordingStatus ${callback.RecordingStatus} is not one the bridge uses`,
            };
        }
        const missing = (['CallSid', 'RecordingSid', 'RecordingUrl'] as const).filter(
          (field) => !callback[field]?.trim(),
        );
        if (missing.length > 0) {
          return {
            record,
            refused: missing.map((field) => ({
              field,
              message: 'is needed for a completed recording',
              code: 'missing' as const,
            })),
          };
        }
        const media = mediaOf(callback.RecordingUrl!, format);
        if ('field' in media) return { record, refused: [media] };
        const ended = endOf(callback.RecordingStartTime, callback.RecordingDuration);
        if (typeof ended === 'object') return { record, refused: [ended] };
        return {
          record,
          events: [
            recordingReadyEvent(
              {
                source,
                interactionId: callback.CallSid!,
                eventId: callback.RecordingSid!,
                occurredAt: new Date(ended ?? now()).toISOString(),
              },
              media,
            ),
          ],
        };
      });
    },
  };
}

/**
 * The file's URL on Twilio's media host: `RecordingUrl` with the format's extension; a URL that already
 * ends in `.wav` or `.mp3` is taken as it is, with that file's type.
 */
function mediaOf(
  recordingUrl: string,
  format: (typeof formats)[keyof typeof formats],
): { url: string; contentType: string } | FieldError {
  const trimmed = recordingUrl.trim();
  const parsed = URL.canParse(trimmed) ? new URL(trimmed) : undefined;
  if (parsed?.protocol !== 'https:' && parsed?.protocol !== 'http:') {
    return { field: 'RecordingUrl', message: 'must be an http or https URL', code: 'invalidFormat' };
  }
  const given = Object.values(formats).find(({ extension }) =>
    parsed.pathname.toLowerCase().endsWith(extension),
  );
  if (given) return { url: parsed.href, contentType: given.contentType };
  parsed.pathname += format.extension;
  return { url: parsed.href, contentType: format.contentType };
}

/** When the recording ended (epoch ms), undefined when Twilio does not say, or what is wrong with the times. */
function endOf(startTime: string | undefined, duration: string | undefined): number | undefined | FieldError {
  if (!startTime || duration === undefined || duration === '') return undefined;
  const startMs = Date.parse(startTime);
  if (Number.isNaN(startMs)) {
    return {
      field: 'RecordingStartTime',
      message: 'must be a date, as Twilio sends it (RFC 2822, e.g. "Tue, 21 Aug 2018 19:48:12 +0000")',
      code: 'invalidFormat',
    };
  }
  if (!/^\d+$/.test(duration)) {
    return { field: 'RecordingDuration', message: 'must be whole seconds', code: 'invalidFormat' };
  }
  return startMs + Number(duration) * 1_000;
}
