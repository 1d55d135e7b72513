import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { amazonConnectAgentAdapter } from '../client/ingress/adapters/amazon-connect-agent';
import { amazonConnectContactAdapter } from '../client/ingress/adapters/amazon-connect-contact';
import { twilioSignature } from '../client/ingress/adapters/twilio-signature';
import { twilioTaskRouterAdapter } from '../client/ingress/adapters/twilio-taskrouter';
import { loadAdapterMappings, vendorAdapters, type RecordTranslation } from '../client/ingress/adapters';
import { BridgeClient } from '../client/library/bridge-client';

/** A vendor's sample payload (test/fixtures/vendors/<vendor>/<name>.json, each naming its source page). */
function sample(vendor: string, name: string): Record<string, unknown> {
  const file = path.join(__dirname, 'fixtures', 'vendors', vendor, `${name}.json`);
  return (JSON.parse(readFileSync(file, 'utf8')) as { payload: Record<string, unknown> }).payload;
}

/** The events of translations, each checked to be a valid normalised event as of `atMs`. */
function eventsOf(translations: RecordTranslation[], atMs: number): Record<string, unknown>[] {
  const checker = new BridgeClient({} as Client, { taskQueue: 'unused', now: () => atMs });
  const events = translations.flatMap((translation) => ('events' in translation ? translation.events : []));
  events.forEach((event, index) => {
    const routed = checker.validate(event, index);
    assert.ok(!('outcome' in routed), `not a valid normalised event: ${JSON.stringify(routed)}`);
  });
  return events;
}

const agentArn =
  'arn:aws:connect:us-west-2:123456789012:instance/12345678-1234-1234-1234-123456789012/agent/87654321-4321-4321-4321-210987654321';

describe('vendor adapters on the vendors’ sample payloads', () => {
  describe('Amazon Connect agent event stream', () => {
    const adapter = amazonConnectAgentAdapter({ statuses: { Available: 'Available', Offline: 'Offline' } });
    const at = Date.parse('2021-08-04T18:00:00Z');
    const names = ['login', 'state-change', 'contact-connected', 'after-contact-work', 'heartbeat', 'logout'];
    const records = names.map((name) => sample('amazon-connect', `agent-event-${name}`));

    it('turns a working day into presence and routing-status changes, ignoring heartbeats', () => {
      const translations = adapter.translate(records, 'connect');
      const events = eventsOf(translations, at);
      assert.deepEqual(
        events.map((event) => [event.occurredAt, event.change]),
        [
          ['2021-08-04T17:00:00.000Z', { kind: 'presence', state: 'Offline' }],
          ['2021-08-04T17:00:00.000Z', { kind: 'routingStatus', status: 'OffQueue' }],
          ['2021-08-04T17:00:05.000Z', { kind: 'presence', state: 'Available' }],
          ['2021-08-04T17:00:05.000Z', { kind: 'routingStatus', status: 'Idle' }],
          // An alerting contact was already Interacting: connecting it changes nothing to publish.
          ['2021-08-04T18:00:00.000Z', { kind: 'presence', state: 'Offline' }],
          ['2021-08-04T18:00:00.000Z', { kind: 'routingStatus', status: 'OffQueue' }],
        ],
      );
      assert.ok(
        events.every(
          (event) => event.kind === 'agent' && event.agentId === 'aestest' && event.source === 'connect',
        ),
      );
      assert.deepEqual(
        translations
          .filter((translation) => 'ignored' in translation)
          .map((translation) => translation.record),
        [2, 3, 4],
      );
      assert.equal(
        new Set(events.map((event) => event.eventId)).size,
        events.length,
        'every event id is distinct',
      );
    });

    it('reports after-contact work as Interacting until the contact leaves the snapshot', () => {
      const acw = sample('amazon-connect', 'agent-event-after-contact-work');
      const snapshot = acw.CurrentAgentSnapshot as Record<string, unknown>;
      const done = {
        ...acw,
        EventId: 'acw-done',
        PreviousAgentSnapshot: snapshot,
        CurrentAgentSnapshot: { ...snapshot, Contacts: [] },
      };
      const [translation] = adapter.translate([done], 'connect');
      assert.deepEqual(
        eventsOf([translation!], at).map((event) => event.change),
        [{ kind: 'routingStatus', status: 'Idle' }],
      );
      const alerting = adapter.translate(
        [
          {
            ...sample('amazon-connect', 'agent-event-contact-connected'),
            PreviousAgentSnapshot: { ...snapshot, Contacts: [] },
          },
        ],
        'connect',
      );
      assert.deepEqual(
        eventsOf(alerting, at).map((event) => event.change),
        [{ kind: 'routingStatus', status: 'Interacting' }],
      );
    });

    it('names the agent by its ARN when told to, and refuses a record without what it needs', () => {
      const byArn = amazonConnectAgentAdapter({ agentId: 'arn' }).translate(
        [sample('amazon-connect', 'agent-event-login')],
        'connect',
      );
      assert.equal(eventsOf(byArn, at)[0]!.agentId, '87654321-4321-4321-4321-210987654321');
      const [refused] = adapter.translate(
        [{ EventType: 'STATE_CHANGE', EventId: 'x', AgentARN: agentArn }],
        'connect',
      );
      assert.deepEqual(refused, {
        record: 0,
        refused: [
          {
            field: 'EventTimestamp',
            message: 'Invalid input: expected string, received undefined',
            code: 'missing',
          },
        ],
      });
    });
  });

  describe('Amazon Connect contact events', () => {
    const adapter = amazonConnectContactAdapter();
    const at = Date.parse('2021-08-04T18:00:00Z');
    const records = ['initiated', 'queued', 'connected-to-agent', 'disconnected'].map((name) =>
      sample('amazon-connect', `contact-event-${name}`),
    );

    it('turns a call’s contact events into its voice lifecycle', () => {
      const events = eventsOf(adapter.translate(records, 'connect'), at);
      assert.ok(events.every((event) => event.interactionId === '11111111-1111-1111-1111-111111111111'));
      assert.deepEqual(
        events.map((event) => [event.occurredAt, event.change]),
        [
          [
            '2021-08-04T17:17:53.000Z',
            { type: 'started', direction: 'inbound', ani: 'anonymous', dnis: 'unknown' },
          ],
          [
            '2021-08-04T17:29:04.000Z',
            {
              type: 'queued',
              queueId: (records[1]!.detail as { queueInfo: { queueArn: string } }).queueInfo.queueArn
                .split('/')
                .at(-1),
            },
          ],
          ['2021-08-04T17:29:09.000Z', { type: 'answered', agentId: '87654321-4321-4321-4321-210987654321' }],
          [
            '2021-08-04T17:43:48.000Z',
            { type: 'disconnected', party: { kind: 'customer' }, reason: 'hangup' },
          ],
        ],
      );
    });

    it('maps ids through the directory’s names, ignores other channels and refuses other detail types', () => {
      const mapped = amazonConnectContactAdapter({
        agents: { '87654321-4321-4321-4321-210987654321': 'agent-7' },
      });
      assert.deepEqual(eventsOf(mapped.translate([records[2]!], 'connect'), at)[0]!.change, {
        type: 'answered',
        agentId: 'agent-7',
      });
      const chat = { ...records[0]!, detail: { ...(records[0]!.detail as object), channel: 'CHAT' } };
      assert.deepEqual(adapter.translate([chat], 'connect'), [
        { record: 0, ignored: 'channel CHAT is not a voice call' },
      ]);
      const [wrong] = adapter.translate(
        [{ ...records[0]!, 'detail-type': 'EC2 Instance State-change Notification' }],
        'connect',
      );
      assert.deepEqual(wrong, {
        record: 0,
        refused: [
          { field: 'detail-type', message: 'must be "Amazon Connect Contact Event"', code: 'invalidValue' },
        ],
      });
    });
  });

  describe('Twilio TaskRouter event callbacks', () => {
    const adapter = twilioTaskRouterAdapter();
    const at = 1_700_000_500_000;

    it('checks X-Twilio-Signature the way Twilio documents it (their own worked example)', () => {
      const example = JSON.parse(
        readFileSync(path.join(__dirname, 'fixtures', 'vendors', 'twilio', 'signature.json'), 'utf8'),
      ) as {
        authToken: string;
        url: string;
        params: Record<string, string>;
        expectedSignature: string;
      };
      assert.equal(
        twilioSignature(example.authToken, example.url, example.params),
        example.expectedSignature,
      );
      assert.notEqual(
        twilioSignature('another-token', example.url, example.params),
        example.expectedSignature,
      );
    });

    it('turns a worker’s activity into presence and routing status, and a task into a call', () => {
      const names = [
        'worker-activity-update',
        'task-created',
        'reservation-created',
        'reservation-accepted',
        'task-wrapup',
        'task-completed',
      ];
      const records = names.map((name) => sample('twilio', name));
      // Two documented event types the samples lack, made from the samples' own fields.
      const entered = {
        ...records[1]!,
        EventType: 'task-queue.entered',
        Sid: 'EV2b',
        TaskQueueName: 'Support',
      };
      const completed = {
        ...records[3]!,
        EventType: 'reservation.completed',
        Sid: 'EV7',
        Timestamp: '1700000430',
      };
      const translations = adapter.translate(
        [records[0]!, records[1]!, entered, ...records.slice(2), completed],
        'twilio',
      );
      const events = eventsOf(translations, at);
      assert.deepEqual(
        events.map((event) => [event.kind, event.change]),
        [
          ['agent', { kind: 'presence', state: 'Available' }],
          ['agent', { kind: 'routingStatus', status: 'Idle' }],
          [
            'conversation',
            { type: 'started', direction: 'inbound', ani: '+14155551212', dnis: '+18005551212' },
          ],
          ['conversation', { type: 'queued', queueId: 'Support' }],
          ['conversation', { type: 'offered', agentId: 'Alice' }],
          ['conversation', { type: 'answered', agentId: 'Alice' }],
          ['conversation', { type: 'disconnected', party: { kind: 'customer' } }],
          ['conversation', { type: 'wrapUp', agentId: 'Alice' }],
        ],
      );
      assert.deepEqual(translations[6], {
        record: 6,
        ignored: 'EventType task.completed is not one the bridge uses',
      });
      assert.ok(
        events.slice(2).every((event) => event.interactionId === 'WTaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'),
      );
    });

    it('refuses a callback without what its event type needs, and ignores other channels', () => {
      const accepted = sample('twilio', 'reservation-accepted');
      const { WorkerName: _name, ...anonymous } = accepted;
      assert.deepEqual(adapter.translate([anonymous], 'twilio'), [
        {
          record: 0,
          refused: [{ field: 'WorkerName', message: 'is needed for reservation.accepted', code: 'missing' }],
        },
      ]);
      assert.deepEqual(adapter.translate([{ ...accepted, TaskChannelUniqueName: 'chat' }], 'twilio'), [
        { record: 0, ignored: 'task channel chat is not a voice call' },
      ]);
      assert.deepEqual(adapter.translate([{ ...accepted, Timestamp: 'yesterday' }], 'twilio'), [
        {
          record: 0,
          refused: [{ field: 'Timestamp', message: 'must be Unix seconds', code: 'invalidFormat' }],
        },
      ]);
    });
  });

  it('reads a deployment’s mappings file, naming each problem in a bad one', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'byoi-mappings-'));
    try {
      const good = path.join(dir, 'good.json');
      writeFileSync(good, JSON.stringify({ twilioTaskRouter: { activities: { Available: 'Ready' } } }));
      const [, , twilio] = vendorAdapters(loadAdapterMappings(good));
      const events = eventsOf(
        twilio!.translate([sample('twilio', 'worker-activity-update')], 'twilio'),
        1_700_000_500_000,
      );
      assert.deepEqual(events[0]!.change, { kind: 'presence', state: 'Ready' });
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
