import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { InteractionEvent } from '../activities/events/interaction-event';
import { BridgeClient } from '../client/bridge-client';
import { contactCentreLoad, seedScale, type LoadShape, type TimedEvent } from '../scripts/load-generator';
import { hasEnded, translate, type LifecycleState } from '../workflows/conversation-lifecycle';

const agents = Array.from({ length: 4_000 }, (_, index) => `agent-${index + 1}`);
const queues = ['queue-1', 'queue-2', 'queue-3'];
const codes = ['code-1', 'code-2'];
const shape: LoadShape = {
  ...seedScale,
  source: 'acd',
  agents,
  queues,
  wrapupCodes: codes,
  recordingUrl: (interactionId) => `http://127.0.0.1:9/recordings/${interactionId}.wav`,
  runId: 'run-1',
};
const startMs = Date.parse('2026-12-01T09:00:00Z');

describe('the contact-centre load generator', () => {
  let events: TimedEvent[];
  before(() => {
    events = [...contactCentreLoad(shape, startMs, 120_000)];
  });

  it('plays the seed scale: 2,000 presence changes a minute with their routing status, 5 interactions a second', () => {
    const during = events.filter((timed) => timed.atMs < startMs + 120_000);
    const count = (predicate: (event: TimedEvent['event']) => boolean) =>
      during.filter((timed) => predicate(timed.event)).length;
    const presence = count(
      (event) => event.kind === 'agent' && (event.change as { kind: string }).kind === 'presence',
    );
    const routing = count(
      (event) => event.kind === 'agent' && (event.change as { kind: string }).kind === 'routingStatus',
    );
    const started = events.filter(
      (timed) =>
        timed.event.kind === 'conversation' &&
        ['started', 'received'].includes((timed.event.change as { type: string }).type),
    );
    const calls = started.filter((timed) => timed.event.channel === 'voice').length;
    assert.ok(Math.abs(presence - 4_000) < 300, `${presence} presence changes in 2 minutes`);
    assert.equal(routing, presence);
    assert.ok(Math.abs(started.length - 600) < 75, `${started.length} interactions in 2 minutes`);
    assert.ok(Math.abs(calls / started.length - 0.7) < 0.07, `${calls} of ${started.length} are calls`);
  });

  it('hands events out in time order, each a valid normalised event with a unique id', () => {
    for (let index = 1; index < events.length; index++)
      assert.ok(events[index]!.atMs >= events[index - 1]!.atMs);
    const checker = new BridgeClient({} as Client, { taskQueue: 'unused', now: () => startMs + 3_600_000 });
    events.forEach((timed, index) => {
      const routed = checker.validate(timed.event, index);
      assert.ok(!('outcome' in routed), JSON.stringify(routed));
      assert.equal(Date.parse(timed.event.occurredAt as string), timed.atMs);
    });
    assert.equal(new Set(events.map((timed) => timed.event.eventId)).size, events.length);
  });

  it('gives every interaction a whole lifecycle the bridge can express, ending with its wrap-up', () => {
    const ids = {
      users: Object.fromEntries(agents.map((agent) => [agent, randomUUID()])),
      queues: Object.fromEntries(queues.map((queue) => [queue, randomUUID()])),
      wrapupCodes: Object.fromEntries(codes.map((code) => [code, randomUUID()])),
    };
    const lifecycles = new Map<string, LifecycleState | undefined>();
    for (const { event } of events.filter((timed) => timed.event.kind === 'conversation')) {
      const { kind: _kind, ...interaction } = event;
      const state = lifecycles.get(interaction.interactionId as string);
      const translation = translate(state, interaction as unknown as InteractionEvent, {
        sourceId: 'acd',
        ids,
        mint: randomUUID,
      });
      assert.ok(translation.ok, translation.ok ? '' : translation.reason);
      lifecycles.set(interaction.interactionId as string, translation.state);
    }
    assert.ok(lifecycles.size > 500);
    for (const [interactionId, state] of lifecycles) assert.ok(hasEnded(state!), `${interactionId} ended`);
  });

  it('plays the same traffic for the same seed, and other traffic for another', () => {
    const again = [...contactCentreLoad(shape, startMs, 10_000)].map((timed) => timed.event.eventId);
    const same = [...contactCentreLoad(shape, startMs, 10_000)].map((timed) => timed.event.eventId);
    const other = [...contactCentreLoad({ ...shape, seed: 2 }, startMs, 10_000)].map(
      (timed) => timed.event.eventId,
    );
    assert.deepEqual(same, again);
    assert.notDeepEqual(other, again);
  });
});
