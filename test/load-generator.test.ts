import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { InteractionEvent } from '../domain/events/interaction-event';
import { BridgeClient } from '../client/library/bridge-client';
import { contactCentreDirectory, queueMemberships } from '../tools/load/contact-centre';
import {
  contactCentreLoad,
  seedScale,
  shiftOpening,
  type LoadShape,
  type TimedEvent,
} from '../tools/load/generator';
import {
  awaitingWrapUp,
  hasEnded,
  translate,
  type LifecycleState,
} from '../workflows/conversation-lifecycle';
import { replayCentre } from './load-replay';

const directory = contactCentreDirectory({ agents: 4_000 });
const agents = directory.users.map((user) => user.externalId);
const queues = (directory.queues ?? []).map((queue) => queue.externalId);
const codes = ['code-1', 'code-2'];
const shape: LoadShape = {
  ...seedScale,
  source: 'acd',
  agents,
  queues,
  agentQueues: queueMemberships(directory),
  wrapupCodes: codes,
  recordingUrl: (interactionId) => `http://127.0.0.1:9/recordings/${interactionId}.wav`,
  runId: 'run-1',
};
const startMs = Date.parse('2026-12-01T09:00:00Z');
const lengthMs = 120_000;

type Change = { kind?: string; type?: string; state?: string; status?: string };
const changeOf = (timed: TimedEvent) => timed.event.change as Change;
const during = (events: TimedEvent[]) => events.filter((timed) => timed.atMs < startMs + lengthMs);
const startedIn = (events: TimedEvent[]) =>
  during(events).filter((timed) => ['started', 'received'].includes(changeOf(timed).type ?? ''));

/** Every event is valid for the ingress, stamped at its time, with an id of its own. */
function assertValidEvents(events: TimedEvent[]): void {
  for (let index = 1; index < events.length; index++)
    assert.ok(events[index]!.atMs >= events[index - 1]!.atMs, `event ${index} is out of time order`);
  const checker = new BridgeClient({} as Client, { taskQueue: 'unused', now: () => startMs + 3_600_000 });
  events.forEach((timed, index) => {
    const routed = checker.validate(timed.event, index);
    assert.ok(!('outcome' in routed), JSON.stringify(routed));
    assert.equal(Date.parse(timed.event.occurredAt as string), timed.atMs);
  });
  assert.equal(new Set(events.map((timed) => timed.event.eventId)).size, events.length);
}

/** Plays every interaction through the bridge's own translation; answers the final states. */
function translateAll(events: TimedEvent[]): Map<string, LifecycleState> {
  const ids = {
    users: Object.fromEntries(agents.map((agent) => [agent, randomUUID()])),
    queues: Object.fromEntries(queues.map((queue) => [queue, randomUUID()])),
    wrapupCodes: Object.fromEntries(codes.map((code) => [code, randomUUID()])),
  };
  const lifecycles = new Map<string, LifecycleState>();
  for (const { event } of events.filter((timed) => timed.event.kind === 'conversation')) {
    const { kind: _kind, ...interaction } = event;
    const interactionId = interaction.interactionId as string;
    const translation = translate(lifecycles.get(interactionId), interaction as unknown as InteractionEvent, {
      sourceId: 'acd',
      ids,
      mint: randomUUID,
    });
    assert.ok(translation.ok, translation.ok ? '' : translation.reason);
    lifecycles.set(interactionId, translation.state);
  }
  return lifecycles;
}

describe('the contact-centre load generator, realistic mix', () => {
  let opening: TimedEvent[];
  let events: TimedEvent[];
  before(() => {
    opening = shiftOpening(shape, startMs);
    events = [...contactCentreLoad(shape, startMs, lengthMs)];
  });

  it('opens the shift with every agent logging in On Queue and Idle at one instant', () => {
    assert.equal(opening.length, 2 * agents.length);
    const byAgent = new Map<unknown, unknown[]>();
    for (const timed of opening) {
      const seen = byAgent.get(timed.event.agentId) ?? [];
      seen.push([timed.atMs, changeOf(timed).state ?? changeOf(timed).status]);
      byAgent.set(timed.event.agentId, seen);
    }
    assert.deepEqual([...byAgent.keys()], agents);
    for (const seen of byAgent.values()) {
      assert.deepEqual(seen, [
        [startMs, 'Ready'],
        [startMs, 'Idle'],
      ]);
    }
    const loggedIn = new Set(opening.map((timed) => timed.event.agentId));
    for (const timed of events.filter((each) => each.event.kind === 'agent')) {
      assert.ok(loggedIn.has(timed.event.agentId), `${String(timed.event.agentId)} never logged in`);
      assert.ok(timed.atMs > startMs, 'an agent event at the opening instant');
    }
  });

  it('keeps every agent consistent: offered only when On Queue, Idle and in the queue; Interacting until its wrap-up; breaks only when idle', () => {
    const replay = replayCentre([...opening, ...events], {
      onQueueState: 'Ready',
      agentQueues: shape.agentQueues!,
    });
    assert.deepEqual(replay.violations.slice(0, 5), []);
    assert.ok(replay.offers > 500, `${replay.offers} offers checked`);
    assert.ok(replay.breaks > 1_500, `${replay.breaks} breaks checked`);
    assert.ok(replay.transfers > 5, `${replay.transfers} transfers checked`);
    // The generator ends with every break over and every interaction wrapped up.
    assert.deepEqual(replay.notOnQueueAtEnd, []);
  });

  it('plays the seed scale: 2,000 presence changes a minute, each with its routing status, and 5 interactions a second', () => {
    const presence = during(events).filter((timed) => changeOf(timed).kind === 'presence');
    const minutes = lengthMs / 60_000;
    const perMinute = presence.length / minutes;
    assert.ok(Math.abs(perMinute - 2_000) <= 200, `${perMinute} presence changes a minute`);
    const routingAt = new Set(
      events
        .filter((timed) => changeOf(timed).kind === 'routingStatus')
        .map((timed) => `${String(timed.event.agentId)}@${timed.atMs}`),
    );
    for (const timed of presence) assert.ok(routingAt.has(`${String(timed.event.agentId)}@${timed.atMs}`));
    const started = startedIn(events);
    assert.ok(Math.abs(started.length - 600) < 75, `${started.length} interactions in 2 minutes`);
    const calls = started.filter((timed) => timed.event.channel === 'voice').length;
    assert.ok(Math.abs(calls / started.length - 0.7) < 0.07, `${calls} of ${started.length} are calls`);
  });

  it('keeps most agents on queue and interactions seldom waiting', () => {
    const replay = replayCentre([...opening, ...events], {
      onQueueState: 'Ready',
      agentQueues: shape.agentQueues!,
    });
    const leastOnQueue = Math.min(...replay.onQueueShareEvery10s);
    assert.ok(leastOnQueue > 0.7, `at worst ${(leastOnQueue * 100).toFixed(1)} % of agents on queue`);
    const waits = replay.waitsMs.sort((a, b) => a - b);
    const p95 = waits[Math.floor(waits.length * 0.95)]!;
    assert.ok(p95 <= 5_000, `p95 wait in queue ${p95} ms`);
    assert.ok(replay.abandoned <= replay.offers * 0.01, `${replay.abandoned} calls abandoned`);
  });

  it('hands events out in time order, each a valid normalised event with a unique id', () => {
    assertValidEvents([...opening, ...events]);
  });

  it('gives every interaction a whole lifecycle the bridge can express: ended, wrapped up, answered calls recorded', () => {
    const lifecycles = translateAll(events);
    const interactions = events.filter((timed) => timed.event.kind === 'conversation');
    assert.equal(lifecycles.size, new Set(interactions.map((timed) => timed.event.interactionId)).size);
    assert.ok(lifecycles.size > 500);
    const recorded = new Set(
      events
        .filter((timed) => changeOf(timed).type === 'recordingReady')
        .map((timed) => timed.event.interactionId),
    );
    for (const [interactionId, state] of lifecycles) {
      assert.ok(hasEnded(state), `${interactionId} ended`);
      assert.deepEqual(awaitingWrapUp(state), [], `${interactionId} wrapped up`);
      const answered = state.legs.some((leg) => leg.role === 'agent' && leg.answered);
      if (state.channel === 'voice')
        assert.equal(recorded.has(interactionId), answered, `${interactionId} recording`);
    }
  });

  it('plays the same traffic for the same seed, and other traffic for another', () => {
    const run = (seed: number) =>
      [...contactCentreLoad({ ...shape, seed }, startMs, 10_000)].map(
        (timed) => `${timed.atMs} ${timed.event.eventId} ${JSON.stringify(timed.event.change)}`,
      );
    const again = run(1);
    assert.deepEqual(run(1), again);
    assert.notDeepEqual(run(2), again);
  });

  it('scales every duration with timeScale', () => {
    const quick = [...contactCentreLoad({ ...shape, timeScale: 0.1 }, startMs, 30_000)];
    const span = (load: TimedEvent[]) => {
      const wrapUps = load.filter((timed) => changeOf(timed).type === 'wrapUp');
      return Math.max(...wrapUps.map((timed) => timed.atMs)) - startMs;
    };
    const slow = [...contactCentreLoad(shape, startMs, 30_000)];
    assert.ok(span(quick) < span(slow) / 3, `wrap-ups until ${span(quick)} ms, not ${span(slow)} ms`);
    const replay = replayCentre([...opening, ...quick], {
      onQueueState: 'Ready',
      agentQueues: shape.agentQueues!,
    });
    assert.deepEqual(replay.violations.slice(0, 5), []);
  });
});

describe('a small contact centre short of agents (realistic mix)', () => {
  const small = contactCentreDirectory({ agents: 20 });
  const busy: LoadShape = {
    ...shape,
    agents: small.users.map((user) => user.externalId),
    agentQueues: queueMemberships(small),
    presenceChangesPerMinute: 120,
    interactionsPerSecond: 1.3,
    timeScale: 0.1,
  };

  it('lets interactions wait for a free member of their queue and callers abandon, agents still consistent', () => {
    const load = [...shiftOpening(busy, startMs), ...contactCentreLoad(busy, startMs, 300_000)];
    const replay = replayCentre(load, { onQueueState: 'Ready', agentQueues: busy.agentQueues! });
    assert.deepEqual(replay.violations.slice(0, 5), []);
    assert.ok(Math.max(...replay.waitsMs) > 5_000, `longest wait ${Math.max(...replay.waitsMs)} ms`);
    assert.ok(replay.abandoned > 0, 'no caller abandoned');
    assert.deepEqual(replay.notOnQueueAtEnd, []);
    const lifecycles = translateAll(load);
    for (const [interactionId, state] of lifecycles) {
      assert.ok(hasEnded(state), `${interactionId} ended`);
      assert.deepEqual(awaitingWrapUp(state), [], `${interactionId} wrapped up`);
    }
  });
});

describe('the consistency replay the realistic mix is checked with', () => {
  it('finds the uniform mix inconsistent: agents handling interactions off queue or twice at once', () => {
    const uniform = { ...shape, mix: 'uniform' as const };
    const load = [...shiftOpening(uniform, startMs), ...contactCentreLoad(uniform, startMs, 60_000)];
    const replay = replayCentre(load, { onQueueState: 'Ready', agentQueues: shape.agentQueues! });
    assert.ok(replay.violations.length > 100, `${replay.violations.length} violations`);
  });

  it('finds an offer whose Interacting is missing, and a break taken mid-interaction', () => {
    const load = [...shiftOpening(shape, startMs), ...contactCentreLoad(shape, startMs, 30_000)];
    const offer = load.findIndex((timed) => changeOf(timed).type === 'offered');
    const { agentId } = load[offer]!.event.change as { agentId: string };
    const interacting = load.findIndex(
      (timed) =>
        timed.atMs === load[offer]!.atMs &&
        timed.event.agentId === agentId &&
        changeOf(timed).status === 'Interacting',
    );
    const withoutInteracting = load.filter((_, index) => index !== interacting);
    const missing = replayCentre(withoutInteracting, {
      onQueueState: 'Ready',
      agentQueues: shape.agentQueues!,
    });
    assert.ok(
      missing.violations.some((violation) => violation.includes(agentId)),
      missing.violations[0],
    );

    const breakMidCall = [...load];
    const atMs = load[offer]!.atMs + 1_000;
    const onBreak = (change: object) => ({
      atMs,
      event: {
        kind: 'agent' as const,
        source: 'acd',
        agentId,
        eventId: randomUUID(),
        occurredAt: new Date(atMs).toISOString(),
        change,
      },
    });
    breakMidCall.splice(
      breakMidCall.findIndex((timed) => timed.atMs > atMs),
      0,
      onBreak({ kind: 'presence', state: 'Break' }),
      onBreak({ kind: 'routingStatus', status: 'OffQueue' }),
    );
    const replay = replayCentre(breakMidCall, { onQueueState: 'Ready', agentQueues: shape.agentQueues! });
    assert.ok(
      replay.violations.some((violation) => violation.includes(agentId) && violation.includes('Break')),
      replay.violations[0],
    );
  });
});

describe('the contact-centre load generator, uniform mix', () => {
  const uniform: LoadShape = { ...shape, mix: 'uniform' };
  let events: TimedEvent[];
  before(() => {
    events = [...contactCentreLoad(uniform, startMs, lengthMs)];
  });

  it('plays the seed scale: 2,000 presence changes a minute with their routing status, 5 interactions a second', () => {
    const presence = during(events).filter((timed) => changeOf(timed).kind === 'presence').length;
    const routing = during(events).filter((timed) => changeOf(timed).kind === 'routingStatus').length;
    const started = startedIn(events);
    const calls = started.filter((timed) => timed.event.channel === 'voice').length;
    assert.ok(Math.abs(presence - 4_000) < 300, `${presence} presence changes in 2 minutes`);
    assert.equal(routing, presence);
    assert.ok(Math.abs(started.length - 600) < 75, `${started.length} interactions in 2 minutes`);
    assert.ok(Math.abs(calls / started.length - 0.7) < 0.07, `${calls} of ${started.length} are calls`);
  });

  it('hands events out in time order, each a valid normalised event with a unique id', () => {
    assertValidEvents(events);
  });

  it('gives every interaction a whole lifecycle the bridge can express, ending with its wrap-up', () => {
    const lifecycles = translateAll(events);
    assert.ok(lifecycles.size > 500);
    for (const [interactionId, state] of lifecycles) assert.ok(hasEnded(state), `${interactionId} ended`);
  });

  it('plays the same traffic for the same seed, and other traffic for another', () => {
    const run = (seed: number) =>
      [...contactCentreLoad({ ...uniform, seed }, startMs, 10_000)].map((timed) => timed.event.eventId);
    assert.deepEqual(run(1), run(1));
    assert.notDeepEqual(run(2), run(1));
  });
});
