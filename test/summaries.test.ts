import assert from 'node:assert/strict';
import { agentDescription, conversationDescription } from '../client/library/summaries';
import { agentEventSchema } from '../domain/events/agent-event';
import { interactionEventSchema, type InteractionEvent } from '../domain/events/interaction-event';
import { reasonAttribute, reasonLength, routingAttributes } from '../workflows/search-attributes';

const occurredAt = '2026-12-03T09:00:00.000Z';
const voice = (change: object): InteractionEvent =>
  interactionEventSchema.parse({
    source: 'acd',
    interactionId: 'call-7',
    eventId: `e-${JSON.stringify(change).length}-${Math.random()}`,
    occurredAt,
    channel: 'voice',
    change,
  });
const started = { type: 'started', direction: 'inbound', ani: '+441632960001', dnis: '+441632960002' };

describe('what a workflow says of itself in the Web UI', () => {
  it('summarises a conversation by channel, interaction, and the queue and agent its first events name', () => {
    const description = conversationDescription('acd', 'call-7', 'conv-1', [
      voice(started),
      voice({ type: 'queued', queueId: 'Sales' }),
      voice({ type: 'offered', agentId: 'agent-3' }),
    ]);
    assert.equal(description.staticSummary, 'voice call-7 of acd · queue Sales · agent agent-3');
    assert.match(
      description.staticDetails,
      /Genesys conversation `conv-1`\. First routed to queue Sales and agent agent-3\./,
    );
    assert.match(description.staticDetails, /npm run cli -- explain conversation acd call-7/);
  });

  it('names no queue or agent it has not seen, and never a phone number', () => {
    const description = conversationDescription('acd', 'call-7', 'conv-1', [voice(started)]);
    assert.equal(description.staticSummary, 'voice call-7 of acd');
    assert.doesNotMatch(`${description.staticSummary} ${description.staticDetails}`, /441632/);
  });

  it('summarises an agent by id and source', () => {
    const event = agentEventSchema.parse({
      source: 'acd',
      agentId: 'agent-3',
      eventId: 'a-1',
      occurredAt,
      change: { kind: 'routingStatus', status: 'Idle' },
    });
    const description = agentDescription('acd', 'agent-3', [event]);
    assert.equal(description.staticSummary, 'agent agent-3 of acd: presence and routing status');
    assert.match(description.staticDetails, /First seen with a routingStatus change\./);
  });

  it('gives the list a reason only while the workflow is not simply running, cut to fit', () => {
    assert.equal(reasonAttribute('Running', 'holding the wrap-up'), '');
    assert.equal(
      reasonAttribute('Blocked', 'agent agent-2 is not on the interaction'),
      'agent agent-2 is not on the interaction',
    );
    const long = reasonAttribute('Blocked', 'x'.repeat(500));
    assert.equal(long.length, reasonLength);
    assert.ok(long.endsWith('…'));
  });

  it('writes the latest queue and agent of a conversation', () => {
    assert.deepEqual(routingAttributes(undefined), []);
    const pairs = routingAttributes({
      legs: [
        {},
        { queueId: 'Sales' },
        { agentId: 'agent-1' },
        { queueId: 'Support' },
        { agentId: 'agent-2' },
      ],
    });
    assert.deepEqual(
      pairs.map((pair) => [pair.key.name, pair.value]),
      [
        ['ByoiQueue', 'Support'],
        ['ByoiAgent', 'agent-2'],
      ],
    );
  });
});
