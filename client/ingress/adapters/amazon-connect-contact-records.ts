/**
 * Amazon Connect contact records (the CTR export, delivered through Kinesis Data Streams or Firehose,
 * https://docs.aws.amazon.com/connect/latest/adminguide/ctr-data-model.html) → the call's recording.
 * The contact record is what names where Connect stored a call's recording once it is stored; the
 * contact events (./amazon-connect-contact.ts) carry the call itself.
 *
 * - A voice contact (`Channel` VOICE) whose recording is stored in S3 (`Recordings[]`: MediaStreamType
 *   AUDIO, StorageType S3; else the older `Recording`: Type AUDIO) and not deleted (`Status` AVAILABLE or
 *   absent) → `recordingReady` at `s3://<bucket>/<key>` of its `Location` ("<bucket>/<key>"), its content
 *   type by the key's extension (.wav, .mp3, .ogg). The first such recording is the call's.
 * - Other channels, contacts without a stored audio recording and deleted recordings: ignored by name.
 * Field names and enum values are read in any case: AWS's own samples disagree on casing. The event id is
 * `<ContactId>/recording`, because Connect delivers a contact record at least once and again on every
 * update: each delivery is the same event; `occurredAt` is the record's `LastUpdateTimestamp` (else its
 * `DisconnectTimestamp`), when the recording was last known to be there.
 */
import { z } from 'zod';
import type { FieldError } from '../../../domain/events/field-errors';
import {
  recordingReadyEvent,
  spelledAs,
  translateEach,
  type RecordTranslation,
  type VendorAdapter,
} from './adapter';

const text = z.string().min(1);
const recordingSchema = z.looseObject({
  Location: z.string().nullish(),
  Status: z.string().nullish(),
  Type: z.string().nullish(),
  DeletionReason: z.string().nullish(),
});
const recordingsEntrySchema = z.looseObject({
  Location: z.string().nullish(),
  Status: z.string().nullish(),
  MediaStreamType: z.string().nullish(),
  StorageType: z.string().nullish(),
  DeletionReason: z.string().nullish(),
});
const contactRecordSchema = z.looseObject({
  ContactId: text,
  Channel: text,
  LastUpdateTimestamp: text.nullish(),
  DisconnectTimestamp: text.nullish(),
  Recording: recordingSchema.nullish(),
  Recordings: z.array(recordingsEntrySchema).nullish(),
});

/** The recording file types Genesys takes, by the extension Connect gives the object. */
const contentTypes: Record<string, string> = { wav: 'audio/wav', mp3: 'audio/mpeg', ogg: 'audio/ogg' };

/** One recording the record names, with the field path a refusal names. */
interface Candidate {
  field: string;
  location: string | undefined;
  status: string | undefined;
  deletionReason: string | undefined;
  /** Why it is not an audio recording stored in S3, if it is not. */
  notStoredAudio?: string;
}

/** The adapter for Amazon Connect contact records. */
export function amazonConnectContactRecordsAdapter(): VendorAdapter {
  return {
    route: 'amazon-connect/contact-records',
    translate(records, source) {
      return translateEach(
        records,
        contactRecordSchema,
        (contact, record): RecordTranslation => {
          if (!same(contact.Channel, 'VOICE')) {
            return { record, ignored: `Channel ${contact.Channel} is not a voice call` };
          }
          const candidates = candidatesOf(contact);
          const stored = candidates.filter((candidate) => candidate.notStoredAudio === undefined);
          if (stored.length === 0) {
            const why = candidates.map((candidate) => candidate.notStoredAudio).join('; ');
            return {
              record,
              ignored: `contact ${contact.ContactId} has no audio recording stored in S3${why ? ` (${why})` : ''}`,
            };
          }
          const available = stored.find(
            (candidate) => candidate.status === undefined || same(candidate.status, 'AVAILABLE'),
          );
          if (!available) {
            const [first] = stored;
            return {
              record,
              ignored:
                `the recording of contact ${contact.ContactId} is not available: ${first!.field}.Status is ${first!.status}` +
                (first!.deletionReason ? ` (DeletionReason: ${first!.deletionReason})` : ''),
            };
          }
          const refuse = (error: FieldError): RecordTranslation => ({ record, refused: [error] });
          const place = s3Place(available.location);
          if (typeof place === 'string') {
            return refuse({ field: `${available.field}.Location`, message: place, code: 'invalidFormat' });
          }
          const extension = /\.([A-Za-z0-9]+)$/.exec(place.key)?.[1]?.toLowerCase() ?? '';
          const contentType = contentTypes[extension];
          if (!contentType) {
            return refuse({
              field: `${available.field}.Location`,
              message: `must name a .wav, .mp3 or .ogg file (the recording's type), not "${place.key}"`,
              code: 'invalidValue',
            });
          }
          const occurredAt = contact.LastUpdateTimestamp ?? contact.DisconnectTimestamp;
          if (!occurredAt) {
            return refuse({
              field: 'LastUpdateTimestamp',
              message: 'is needed (or DisconnectTimestamp) to date the recording',
              code: 'missing',
            });
          }
          return {
            record,
            events: [
              recordingReadyEvent(
                {
                  source,
                  interactionId: contact.ContactId,
                  eventId: `${contact.ContactId}/recording`,
                  occurredAt,
                },
                { url: s3Url(place.bucket, place.key), contentType },
              ),
            ],
          };
        },
        { fieldNamesIgnoringCase: true },
      );
    },
  };
}

/** The recordings a record names: `Recordings[]` first (the richer shape), then `Recording`. */
function candidatesOf(contact: z.output<typeof contactRecordSchema>): Candidate[] {
  const candidates: Candidate[] = (contact.Recordings ?? []).map((entry, index) => {
    const field = `Recordings.${index}`;
    const media = entry.MediaStreamType ?? undefined;
    const storage = entry.StorageType ?? undefined;
    return {
      field,
      location: entry.Location ?? undefined,
      status: entry.Status ?? undefined,
      deletionReason: entry.DeletionReason ?? undefined,
      ...(media !== undefined && !same(media, 'AUDIO')
        ? { notStoredAudio: `${field}.MediaStreamType is ${media}` }
        : storage !== undefined && !same(storage, 'S3')
          ? { notStoredAudio: `${field}.StorageType is ${storage}` }
          : !entry.Location
            ? { notStoredAudio: `${field} names no Location` }
            : {}),
    };
  });
  const recording = contact.Recording;
  if (recording) {
    const type = recording.Type ?? undefined;
    candidates.push({
      field: 'Recording',
      location: recording.Location ?? undefined,
      status: recording.Status ?? undefined,
      deletionReason: recording.DeletionReason ?? undefined,
      ...(type !== undefined && !same(type, 'AUDIO')
        ? { notStoredAudio: `Recording.Type is ${type}` }
        : !recording.Location
          ? { notStoredAudio: 'Recording names no Location' }
          : {}),
    });
  }
  return candidates;
}

/** Bucket and key of a contact record's `Location` ("<bucket>/<key>"), or what is wrong with it. */
function s3Place(location: string | undefined): { bucket: string; key: string } | string {
  const slash = location?.indexOf('/') ?? -1;
  if (location === undefined || slash <= 0 || slash === location.length - 1) {
    return `must be "<bucket>/<key>", not "${location ?? ''}"`;
  }
  return { bucket: location.slice(0, slash), key: location.slice(slash + 1) };
}

/** `s3://<bucket>/<key>`, each segment of the key escaped so that the URL reads back as the same key. */
function s3Url(bucket: string, key: string): string {
  return `s3://${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/** Vendor enum values compared as AWS's samples spell them: in any case. */
function same(value: string, expected: string): boolean {
  return spelledAs(value, [expected]) !== undefined;
}
