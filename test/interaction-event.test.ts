import assert from 'node:assert/strict';
import { interactionEventSchema, type InteractionEventInput } from '../domain/events/interaction-event';

/** A voice event of interaction `call-1` with the given change. */
function voice(change: unknown): unknown {
  return {
    source: 'acd',
    interactionId: 'call-1',
    eventId: 'e-1',
    occurredAt: '2026-11-25T11:00:00+01:00',
    channel: 'voice',
    change,
  };
}

/** The paths of the problems zod reports for `input`. */
function problems(input: unknown): string[] {
  const result = interactionEventSchema.safeParse(input);
  assert.equal(result.success, false, 'expected the event to be refused');
  return (result.error?.issues ?? []).map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('the normalised interaction event', () => {
  it('accepts every step of a voice call, normalising occurredAt to UTC', () => {
    const steps: InteractionEventInput['change'][] = [
      {
        type: 'started',
        direction: 'inbound',
        ani: '+15551230001',
        dnis: '+15559870000',
        ivr: { name: 'Main IVR' },
      },
      { type: 'queued', queueId: 'sales', skills: ['french'], language: 'fr' },
      { type: 'offered', agentId: 'agent-1' },
      { type: 'answered', agentId: 'agent-1' },
      { type: 'held', agentId: 'agent-1' },
      { type: 'resumed', agentId: 'agent-1' },
      {
        type: 'consultStarted',
        agentId: 'agent-1',
        consultId: 'c-1',
        target: { kind: 'agent', agentId: 'agent-2' },
      },
      { type: 'consultCancelled', consultId: 'c-1' },
      { type: 'blindTransfer', agentId: 'agent-1', target: { kind: 'queue', queueId: 'support' } },
      { type: 'disconnected', party: { kind: 'customer' } },
      { type: 'wrapUp', agentId: 'agent-1', code: 'sale', notes: 'renewed' },
      {
        type: 'recordingReady',
        url: 'file:///recordings/call-1.wav',
        contentType: 'audio/wav',
        sizeBytes: 1_024,
      },
    ];
    for (const change of steps) {
      const event = interactionEventSchema.parse(voice(change));
      assert.equal(event.occurredAt, '2026-11-25T10:00:00.000Z');
      assert.equal(event.change.type, change.type);
    }
    const hangUp = interactionEventSchema.parse(voice({ type: 'disconnected', party: { kind: 'customer' } }));
    assert.equal(hangUp.change.type === 'disconnected' && hangUp.change.reason, 'hangup');
  });

  it('keeps an email to its metadata: a body or attachments never pass the door', () => {
    const event = interactionEventSchema.parse({
      source: 'crm',
      interactionId: 'mail-1',
      eventId: 'e-7',
      occurredAt: '2026-11-25T10:00:00Z',
      channel: 'email',
      change: {
        type: 'received',
        to: ['support@example.com'],
        from: 'customer@example.org',
        subject: 'Order 1234',
        body: 'my card number is …',
        attachments: [{ name: 'scan.pdf' }],
      },
    });
    assert.deepEqual(event.change, {
      type: 'received',
      to: ['support@example.com'],
      from: 'customer@example.org',
      subject: 'Order 1234',
    });
    assert.doesNotMatch(JSON.stringify(event), /card number|scan\.pdf/);
  });

  it('keeps an MD5 given in hex or base64 as base64, the form the upload takes', () => {
    const ready = (md5: string) =>
      interactionEventSchema.parse(
        voice({
          type: 'recordingReady',
          url: 'https://acd.example/r/1.wav',
          contentType: 'audio/wav',
          sizeBytes: 9,
          md5,
        }),
      ).change;
    const hex = ready('9e107d9d372bb6826bd81d3542a419d6');
    const base64 = ready('nhB9nTcrtoJr2B01QqQZ1g==');
    assert.ok(hex.type === 'recordingReady' && base64.type === 'recordingReady');
    assert.equal(hex.md5, 'nhB9nTcrtoJr2B01QqQZ1g==');
    assert.equal(base64.md5, 'nhB9nTcrtoJr2B01QqQZ1g==');
  });

  it('refuses a malformed event, naming each field and why', () => {
    assert.deepEqual(
      problems({ ...(voice({ type: 'answered' }) as object), occurredAt: '2026-11-25 10:00' }),
      [
        'occurredAt: must be an ISO-8601 timestamp with a time zone, e.g. 2026-11-25T07:00:00Z',
        'change.agentId: Invalid input: expected string, received undefined',
      ],
    );
    const recording = problems(
      voice({
        type: 'recordingReady',
        url: 'ftp://acd/1.wav',
        contentType: 'audio/flac',
        sizeBytes: 0,
        md5: 'abc',
      }),
    );
    assert.deepEqual(
      recording.map((problem) => problem.split(':')[0]),
      ['change.url', 'change.contentType', 'change.sizeBytes', 'change.md5'],
    );
    assert.match(recording[0]!, /must be an http, https, file or s3 URL/);
    assert.match(problems(voice({ type: 'transferred' }))[0]!, /^change\.type: /);
    assert.match(
      problems({ ...(voice({ type: 'received' }) as object), channel: 'email' }).join('\n'),
      /change\.to: .*\n.*change\.from: /,
    );
    assert.match(
      problems({ ...(voice({ type: 'queued', queueId: 'q' }) as object), channel: 'fax' })[0]!,
      /^channel: /,
    );
  });
});
