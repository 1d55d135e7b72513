/**
 * What the vendor corpus (test/vendor-corpus.test.ts) cannot say: a mappings file, Twilio's signature
 * worked example, sequences across records and adapters, and the shared reading rules.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { amazonConnectAgentAdapter } from '../client/ingress/adapters/amazon-connect-agent';
import { amazonConnectContactAdapter } from '../client/ingress/adapters/amazon-connect-contact';
import { twilioSignature } from '../client/ingress/adapters/twilio-signature';
import { twilioRecordingsAdapter } from '../client/ingress/adapters/twilio-recordings';
import { twilioTaskRouterAdapter } from '../client/ingress/adapters/twilio-taskrouter';
import { loadAdapterMappings, vendorAdapters, type RecordTranslation } from '../client/ingress/adapters';

const vendors = path.join(__dirname, 'fixtures', 'vendors');

/** The vendor records of a corpus file (test/fixtures/vendors/<file>). */
function recordsOf(file: string): Record<string, unknown>[] {
  return (
    JSON.parse(readFileSync(path.join(vendors, file), 'utf8')) as { records: Record<string, unknown>[] }
  ).records;
}

/** The one record of a corpus file. */
const recordOf = (file: string) => recordsOf(file)[0]!;

/** The events of translations, in order. */
const eventsOf = (translations: RecordTranslation[]) =>
  translations.flatMap((translation) => ('events' in translation ? translation.events : []));

describe('vendor adapters beyond the corpus', () => {
  it('turns an Amazon Connect agent’s working day into presence and routing-status changes, each once', () => {
    const adapter = amazonConnectAgentAdapter();
    const day = [
      'login.json',
      'state-change-offline-to-available.json',
      'contact-incoming.json',
      'after-contact-work-then-done.json',
      'heart-beat.json',
      'logout.json',
    ].flatMap((file) => recordsOf(`amazon-connect/agent-events/${file}`));
    const translations = adapter.translate(day, 'connect');
    const events = eventsOf(translations);
    assert.deepEqual(
      events.map((event) => event.change),
      [
        { kind: 'presence', state: 'Offline' },
        { kind: 'routingStatus', status: 'OffQueue' },
        { kind: 'presence', state: 'Available' },
        { kind: 'routingStatus', status: 'Idle' },
        { kind: 'routingStatus', status: 'Interacting' },
        // After-contact work is still Interacting: nothing to publish until the contact leaves.
        { kind: 'routingStatus', status: 'Idle' },
        { kind: 'presence', state: 'Offline' },
        { kind: 'routingStatus', status: 'OffQueue' },
      ],
    );
    assert.deepEqual(
      translations.filter((translation) => 'ignored' in translation).map((translation) => translation.record),
      [3, 5],
    );
    assert.equal(
      new Set(events.map((event) => event.eventId)).size,
      events.length,
      'every event id is distinct',
    );
  });

  it('reads a Connect contact event without its EventBridge envelope as the same step, named by its contact and step', () => {
    const adapter = amazonConnectContactAdapter();
    const enveloped = recordOf('amazon-connect/contact-events/connected-to-agent.json');
    const detail = enveloped.detail as Record<string, unknown>;
    const [withEnvelope, bare, bareAgain] = eventsOf(
      adapter.translate([enveloped, detail, detail], 'connect'),
    );
    assert.equal(bare!.interactionId, withEnvelope!.interactionId);
    assert.deepEqual(bare!.change, withEnvelope!.change);
    assert.equal(bare!.occurredAt, withEnvelope!.occurredAt);
    assert.equal(bare!.eventId, `${String(detail.contactId)}/CONNECTED_TO_AGENT`);
    assert.equal(bareAgain!.eventId, bare!.eventId, 'a redelivered detail is the same event');
  });

  it('reads a field whose name differs only in case, an exact spelling winning over another', () => {
    const adapter = amazonConnectContactAdapter();
    const record = recordOf('amazon-connect/contact-events/connected-to-agent.json');
    const detail = record.detail as Record<string, unknown>;
    const { agentInfo, ...rest } = detail;
    const otherAgent = { AgentArn: 'arn:aws:connect:us-west-2:1:instance/i/agent/other-agent' };
    const [capitalised, both] = eventsOf(
      adapter.translate(
        [
          { ...record, detail: { ...rest, AGENTINFO: agentInfo } },
          { ...record, detail: { ...rest, AgentInfo: otherAgent, agentInfo } },
        ],
        'connect',
      ),
    );
    const expected = String((agentInfo as { agentArn: string }).agentArn)
      .split('/')
      .at(-1);
    assert.deepEqual(capitalised!.change, { type: 'answered', agentId: expected });
    assert.deepEqual(both!.change, { type: 'answered', agentId: expected });
  });

  it('takes no field from a __proto__ key: it is neither read nor made the prototype of the record read', () => {
    const adapter = amazonConnectContactAdapter();
    const record = recordOf('amazon-connect/contact-events/connected-to-agent.json');
    const { agentInfo, ...rest } = record.detail as Record<string, unknown>;
    const withoutAgent = { ...record, detail: rest };
    // As JSON.parse delivers it: `__proto__` an own key, carrying the field the record lacks.
    const hostile = JSON.parse(
      JSON.stringify(withoutAgent).replace(
        '"detail":{',
        `"detail":{"__proto__":{"agentInfo":${JSON.stringify(agentInfo)}},`,
      ),
    ) as unknown;
    const [translated] = adapter.translate([hostile], 'connect');
    assert.ok(translated && 'refused' in translated, 'a record without agentInfo is refused');
    assert.deepEqual(translated, adapter.translate([withoutAgent], 'connect')[0]);
    assert.equal(({} as { agentInfo?: unknown }).agentInfo, undefined);
  });

  it('keys a Twilio voice task by its call, so the recording status callback meets its conversation', () => {
    const lifecycle = recordsOf('twilio/taskrouter/call-lifecycle.json');
    const callSid = (JSON.parse(String(lifecycle[0]!.TaskAttributes)) as { call_sid: string }).call_sid;
    const recording = { ...recordOf('twilio/recordings/completed.json'), CallSid: callSid };
    const calls = eventsOf(twilioTaskRouterAdapter().translate(lifecycle, 'twilio'));
    const [recorded] = eventsOf(twilioRecordingsAdapter().translate([recording], 'twilio'));
    assert.equal(calls.length, lifecycle.length);
    assert.deepEqual(new Set([...calls, recorded!].map((event) => event.interactionId)), new Set([callSid]));
    assert.notEqual(callSid, lifecycle[0]!.TaskSid, 'the call, not the task, names the conversation');
  });

  it('checks X-Twilio-Signature the way Twilio documents it (their own worked example)', () => {
    const example = JSON.parse(readFileSync(path.join(vendors, 'twilio', 'signature.json'), 'utf8')) as {
      authToken: string;
      url: string;
      params: Record<string, string>;
      expectedSignature: string;
    };
    assert.equal(twilioSignature(example.authToken, example.url, example.params), example.expectedSignature);
    assert.notEqual(twilioSignature('another-token', example.url, example.params), example.expectedSignature);
  });

  it('reads a deployment’s mappings file, naming each problem in a bad one', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'byoi-mappings-'));
    try {
      const good = path.join(dir, 'good.json');
      writeFileSync(
        good,
        JSON.stringify({
          twilioTaskRouter: { activities: { Available: 'Ready' } },
          amazonConnectAgent: { routableStatuses: ['Lunch'] },
        }),
      );
      const mappings = loadAdapterMappings(good);
      const byRoute = (route: string) => vendorAdapters(mappings).find((adapter) => adapter.route === route)!;
      const [presence] = eventsOf(
        byRoute('twilio/taskrouter').translate(
          [recordOf('twilio/taskrouter/worker-activity-update.json')],
          'twilio',
        ),
      );
      assert.deepEqual(presence!.change, { kind: 'presence', state: 'Ready' });
      const lunch = recordOf('amazon-connect/agent-events/state-change-custom-status-without-type.json');
      const routing = eventsOf(byRoute('amazon-connect/agent-events').translate([lunch], 'connect'));
      assert.deepEqual(routing.at(-1)!.change, { kind: 'routingStatus', status: 'Idle' });
      const bad = path.join(dir, 'bad.json');
      writeFileSync(bad, JSON.stringify({ amazonConnectAgent: { agentId: 'email' }, zendesk: {} }));
      assert.throws(
        () => loadAdapterMappings(bad),
        /amazonConnectAgent\.agentId: .*; \(file\): Unrecognized key: "zendesk"/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
