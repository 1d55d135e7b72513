/**
 * What the recording adapters do beyond their corpus (test/fixtures/vendors/…/contact-records and
 * …/recordings): what depends on the clock, and what a vendor's payload can only show as a variant.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { amazonConnectContactRecordsAdapter } from '../client/ingress/adapters/amazon-connect-contact-records';
import { twilioRecordingsAdapter } from '../client/ingress/adapters/twilio-recordings';
import { twilioSignature } from '../client/ingress/adapters/twilio-signature';

/** The records of a corpus file. */
function corpusRecords(file: string): Record<string, unknown>[] {
  const corpus = path.join(__dirname, 'fixtures', 'vendors', file);
  return (JSON.parse(readFileSync(corpus, 'utf8')) as { records: Record<string, unknown>[] }).records;
}

/** The one event a translation gave. */
function onlyEvent(translations: unknown[]): Record<string, unknown> {
  assert.equal(translations.length, 1);
  const [translation] = translations as { events?: Record<string, unknown>[] }[];
  assert.equal(translation?.events?.length, 1, JSON.stringify(translation));
  return translation.events[0]!;
}

describe('the recording adapters', () => {
  const [completed] = corpusRecords('twilio/recordings/completed.json');

  it('dates a Twilio recording by the callback’s arrival when Twilio does not say when it ended', () => {
    const arrivedAtMs = Date.parse('2026-12-03T07:30:00.250Z');
    const adapter = twilioRecordingsAdapter({}, () => arrivedAtMs);
    const { RecordingStartTime: _start, ...withoutStart } = completed!;
    const { RecordingDuration: _duration, ...withoutDuration } = completed!;
    for (const callback of [withoutStart, withoutDuration]) {
      assert.equal(onlyEvent(adapter.translate([callback], 'twilio')).occurredAt, '2026-12-03T07:30:00.250Z');
    }
    const dated = onlyEvent(adapter.translate([completed], 'twilio')).occurredAt;
    assert.notEqual(dated, '2026-12-03T07:30:00.250Z', 'a callback that says when is dated by it');
  });

  it('keeps a Twilio RecordingUrl that already names its file type, and refuses one that is not http(s)', () => {
    const adapter = twilioRecordingsAdapter();
    const mp3 = `${String(completed!.RecordingUrl)}.mp3?Download=true`;
    assert.deepEqual(onlyEvent(adapter.translate([{ ...completed, RecordingUrl: mp3 }], 'twilio')).change, {
      type: 'recordingReady',
      url: mp3,
      contentType: 'audio/mpeg',
    });
    assert.deepEqual(adapter.translate([{ ...completed, RecordingUrl: 'ftp://example.com/r' }], 'twilio'), [
      {
        record: 0,
        refused: [{ field: 'RecordingUrl', message: 'must be an http or https URL', code: 'invalidFormat' }],
      },
    ]);
  });

  it('checks a Twilio recording callback’s signature like every Twilio webhook', () => {
    const adapter = twilioRecordingsAdapter();
    const url = 'https://bridge.example.com/v1/adapters/twilio/twilio/recordings';
    const params = completed as Record<string, string>;
    const signedWith = (signature: string | undefined) =>
      adapter.authenticateWebhook!(
        {
          source: 'twilio',
          url,
          params,
          header: (name) => (name === 'x-twilio-signature' ? signature : undefined),
        },
        { twilioAuthTokens: ['old-token', 'token'] },
      );
    assert.equal(signedWith(twilioSignature('token', url, params)), undefined);
    assert.equal(
      signedWith(twilioSignature('another', url, params)),
      'X-Twilio-Signature does not match the callback',
    );
    assert.match(signedWith(undefined) ?? '', /must carry X-Twilio-Signature/);
  });

  it('gives every delivery of a contact record the same event id, and reads field names in any case', () => {
    const adapter = amazonConnectContactRecordsAdapter();
    const [record] = corpusRecords('amazon-connect/contact-records/voice-recording-and-recordings.json');
    const updated = {
      ...record,
      LastUpdateTimestamp: '2021-08-05T09:00:00Z',
      Attributes: { survey: 'done' },
    };
    const lowerCase = Object.fromEntries(
      Object.entries(record!).map(([name, value]) => [name[0]!.toLowerCase() + name.slice(1), value]),
    );
    const events = [record, updated, lowerCase].map((each) =>
      onlyEvent(adapter.translate([each], 'connect')),
    );
    assert.deepEqual(
      new Set(events.map((event) => event.eventId)),
      new Set([`${String(record!.ContactId)}/recording`]),
    );
    assert.deepEqual(events[2]!.change, events[0]!.change);
  });
});
