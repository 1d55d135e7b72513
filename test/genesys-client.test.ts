import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { GenesysClient } from '../activities/genesys/client';
import { homeDivision, presence, queues, routing, users } from '../activities/genesys/directory';
import { GenesysApiError, GenesysEventRejectedError } from '../activities/genesys/errors';
import { eventEndpoints } from '../domain/genesys';
import { EventPublisher } from '../activities/genesys/publisher';
import {
  busiestWindow,
  clientFor,
  customerLeg,
  inspect,
  isoAgo,
  legEvent,
  presenceEvent,
  rejectionOf,
  requestsTo,
  revokeTokens,
  routingStatusEvent,
  setFaults,
  simulatorStats,
  startTestSimulator,
  type TestSimulator,
} from './genesys-fixtures';

const batchLimits = { maxEventsPerBatch: 100, maxBatchBytes: 1_048_576 };

async function refusal(promise: Promise<unknown>): Promise<GenesysEventRejectedError> {
  const error = await rejectionOf(promise);
  assert.ok(error instanceof GenesysEventRejectedError, `expected an event rejection, got ${String(error)}`);
  return error;
}

describe('the Genesys client and publisher against the simulator', function () {
  this.timeout(60_000);
  let sim: TestSimulator;
  let client: GenesysClient;
  let publisher: EventPublisher;

  beforeEach(async () => {
    sim = await startTestSimulator({ agents: 1_000 });
    client = clientFor(sim.simulator);
    publisher = new EventPublisher(client, batchLimits);
  });
  afterEach(async () => {
    client.close();
    await sim.simulator.stop();
  });

  const agent = (index = 0) => sim.agents[index]!.id;

  describe('business rules: refused by the simulator, surfaced per event with its retryable flag', () => {
    it('refuses a presence event earlier than the last accepted for that user (rule 1)', async () => {
      await publisher.publishPresence(presenceEvent(agent(), sim.sourceId, { eventDateTime: isoAgo(1_000) }));
      const late = presenceEvent(agent(), sim.sourceId, { eventDateTime: isoAgo(5_000) });
      const error = await refusal(publisher.publishPresence(late));
      assert.equal(error.eventId, late.eventId);
      assert.equal(error.retryable, false);
      assert.match(error.message, /earlier than .* the last event accepted for user/);
      // Routing status is a separate stream: an earlier routing event is still in order.
      await publisher.publishRoutingStatus(
        routingStatusEvent(agent(), sim.sourceId, { eventDateTime: isoAgo(9_000) }),
      );
      assert.equal((await simulatorStats(sim.simulator)).orderViolations, 1);
    });

    it('refuses a conversation event earlier than the conversation’s last (rule 1)', async () => {
      const conversationId = randomUUID();
      const leg = customerLeg(conversationId, isoAgo(2_000));
      await publisher.publishConversationEvent('externalEstablishedEvents', leg);
      const answered = legEvent(conversationId, leg.communicationId, isoAgo(3_000));
      const error = await refusal(
        publisher.publishConversationEvent('communicationAnsweredEvents', answered),
      );
      assert.equal(error.retryable, false);
      assert.match(error.message, new RegExp(`conversation ${conversationId}`));
    });

    it('refuses events older than seven days or too far in the future (rule 2)', async () => {
      const old = await refusal(
        publisher.publishPresence(
          presenceEvent(agent(), sim.sourceId, { eventDateTime: isoAgo(8 * 86_400_000) }),
        ),
      );
      assert.equal(old.retryable, false);
      assert.match(old.message, /older than 7 days/);
      const future = await refusal(
        publisher.publishRoutingStatus(
          routingStatusEvent(agent(), sim.sourceId, { eventDateTime: isoAgo(-600_000) }),
        ),
      );
      assert.equal(future.retryable, false);
      assert.match(future.message, /in the future/);
      const stats = await simulatorStats(sim.simulator);
      assert.deepEqual(stats.rejectedByReason, { tooOld: 1, future: 1 });
    });

    it('refuses lifecycles Genesys cannot express (rule 3)', async () => {
      const conversationId = randomUUID();
      const publish = publisher.publishConversationEvent.bind(publisher);
      const unknownLeg = await refusal(
        publish('communicationAnsweredEvents', legEvent(randomUUID(), randomUUID(), isoAgo(9_000))),
      );
      assert.match(unknownLeg.message, /communicationAnsweredEvents/);
      const leg = customerLeg(conversationId, isoAgo(8_000));
      await publish('externalEstablishedEvents', leg);
      const mixed = await refusal(
        publish(
          'emailCommunicationAnsweredEvents',
          legEvent(conversationId, leg.communicationId, isoAgo(7_000)),
        ),
      );
      assert.match(mixed.message, /never mix/);
      await publish('communicationEndedEvents', {
        ...legEvent(conversationId, leg.communicationId, isoAgo(6_000)),
        disconnectType: 'Peer',
      });
      const afterEnd = await refusal(
        publish('holdUpdatedEvents', {
          ...legEvent(conversationId, leg.communicationId, isoAgo(5_000)),
          held: true,
        }),
      );
      assert.equal(afterEnd.retryable, false);
      assert.match(afterEnd.message, /ended/);
      const stats = await simulatorStats(sim.simulator);
      assert.equal(stats.rejectedByReason.unsupportedScenario, 3);
    });

    it('refuses presence and routing status from a source that is not the user’s primary (rule 4)', async () => {
      const native = sim.seed.users.find((user) => user.primarySourceId === undefined)!;
      const presence = await refusal(publisher.publishPresence(presenceEvent(native.id, sim.sourceId)));
      assert.equal(presence.retryable, false);
      assert.match(presence.message, /primary presence source is Genesys Cloud itself/);
      const routing = await refusal(
        publisher.publishRoutingStatus(routingStatusEvent(native.id, sim.sourceId)),
      );
      assert.match(routing.message, /primary presence source/);
    });

    it('answers an event it already got accepted without sending it again, and sends another body under its id for Genesys to refuse (rule 7)', async () => {
      const event = presenceEvent(agent(), sim.sourceId);
      await publisher.publishPresence(event);
      const again = await publisher.publishPresence(event);
      assert.equal(again.batchSize, 0, 'answered without a request');
      assert.equal(publisher.stats().presence.eventsAlreadyAccepted, 1);
      const reused = await refusal(
        publisher.publishPresence({ ...event, message: 'a different event under the same id' }),
      );
      assert.equal(reused.retryable, false);
      assert.match(reused.message, /already accepted for a different event/);
      const timeline = await inspect<{ presence: unknown[] }>(sim.simulator, `users/${agent()}/timeline`);
      assert.equal(timeline.presence.length, 1);
      assert.equal((await simulatorStats(sim.simulator)).duplicateEventIds, 0);
    });

    it('sends an event handed over again while its first copy is in flight once, and answers both callers', async () => {
      await setFaults(sim.simulator, {
        rules: [{ path: eventEndpoints.presence, latencyMs: 1_500, times: 1 }],
      });
      try {
        const event = presenceEvent(agent(), sim.sourceId);
        const requestsBefore = publisher.stats().presence.requests;
        const first = publisher.publishPresence(event);
        // The first attempt gave up behind the slow request; its retry hands the same event over.
        await new Promise((resolve) => setTimeout(resolve, 300));
        const retried = publisher.publishPresence(event);
        const [firstOutcome, retriedOutcome] = await Promise.all([first, retried]);
        assert.deepEqual(retriedOutcome, firstOutcome);
        assert.equal(firstOutcome.batchSize, 1);
        assert.equal(publisher.stats().presence.eventsJoined, 1);
        assert.equal(publisher.stats().presence.requests - requestsBefore, 1);
        const timeline = await inspect<{ presence: unknown[] }>(sim.simulator, `users/${agent()}/timeline`);
        assert.equal(timeline.presence.length, 1);
        assert.equal((await simulatorStats(sim.simulator)).duplicateEventIds, 0);
      } finally {
        await setFaults(sim.simulator, {});
      }
    });

    it('marks a transient per-event failure retryable, and the same event goes through when resent', async () => {
      await setFaults(sim.simulator, { transientEventErrorRate: 1 });
      const event = presenceEvent(agent(), sim.sourceId);
      const error = await refusal(publisher.publishPresence(event));
      assert.equal(error.retryable, true);
      await setFaults(sim.simulator, {});
      const outcome = await publisher.publishPresence(event);
      assert.equal(outcome.eventId, event.eventId);
    });

    it('refuses events naming unknown users, sources or presence definitions, and keeps the valid ones of the batch', async () => {
      const valid = presenceEvent(agent(), sim.sourceId);
      const [accepted, unknownUser, unknownSource, unknownDefinition] = await Promise.allSettled([
        publisher.publishPresence(valid),
        publisher.publishPresence(presenceEvent(randomUUID(), sim.sourceId)),
        publisher.publishPresence(presenceEvent(agent(1), randomUUID())),
        publisher.publishPresence(
          presenceEvent(agent(2), sim.sourceId, { presenceDefinitionId: randomUUID() }),
        ),
      ]);
      assert.equal(accepted.status, 'fulfilled');
      assert.equal(accepted.value.batchSize, 4, 'all four shared one request');
      for (const [result, pattern] of [
        [unknownUser, /is not a user/],
        [unknownSource, /not a registered presence source/],
        [unknownDefinition, /not a presence definition/],
      ] as const) {
        assert.equal(result.status, 'rejected');
        assert.ok(result.reason instanceof GenesysEventRejectedError);
        assert.match(result.reason.message, pattern);
      }
    });
  });

  describe('batching and pacing', () => {
    it('sends a lone event at once, in a request of its own', async () => {
      const outcome = await publisher.publishPresence(presenceEvent(agent(), sim.sourceId));
      assert.equal(outcome.batchSize, 1);
      assert.equal((await requestsTo(sim.simulator, eventEndpoints.presence)).length, 1);
    });

    it('with a publish interval, gathers a steady trickle into one request per interval, a first event still at once', async () => {
      const lingering = new EventPublisher(client, { ...batchLimits, minIntervalMs: 1_000 });
      const first = await lingering.publishPresence(presenceEvent(agent(0), sim.sourceId));
      assert.equal(first.batchSize, 1, 'an idle endpoint sends at once');
      // Ten events, 50 ms apart, all inside the interval that the first request opened.
      const trickle: Promise<{ batchSize: number }>[] = [];
      for (let index = 1; index <= 10; index++) {
        trickle.push(lingering.publishPresence(presenceEvent(agent(index), sim.sourceId)));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const outcomes = await Promise.all(trickle);
      assert.deepEqual(
        outcomes.map((outcome) => outcome.batchSize),
        Array(10).fill(10),
      );
      assert.equal((await requestsTo(sim.simulator, eventEndpoints.presence)).length, 2);
    });

    it('sends each conversation step whole in one request, where Genesys applies it in time order', async () => {
      const grouping = new EventPublisher(client, { ...batchLimits, maxEventsPerBatch: 5 });
      // Stamped a second apart; in the body the events stand by key, so a step's end precedes its answer.
      const step = (answered: boolean) => {
        const conversationId = randomUUID();
        // An outbound call's customer: a ringing leg, so it can be answered.
        const leg = {
          ...customerLeg(conversationId, isoAgo(3_000)),
          initialConfiguration: { inbound: false, alerting: true },
        };
        const at = (ageMs: number) => legEvent(conversationId, leg.communicationId, isoAgo(ageMs));
        return [
          { key: 'externalEstablishedEvents' as const, event: leg },
          ...(answered ? [{ key: 'communicationAnsweredEvents' as const, event: at(2_000) }] : []),
          { key: 'communicationEndedEvents' as const, event: { ...at(1_000), disconnectType: 'Peer' } },
        ];
      };
      const outcomes = await Promise.all(
        [step(false), step(true), step(true)].flatMap((events) => grouping.publishConversationStep(events)),
      );
      // Two steps fill the first request (2 + 3 events); the third would overflow it, so it goes whole next.
      assert.deepEqual(
        outcomes.map((outcome) => outcome.batchSize),
        [5, 5, 5, 5, 5, 3, 3, 3],
      );
      assert.equal((await requestsTo(sim.simulator, eventEndpoints.conversations)).length, 2);
      const stats = await simulatorStats(sim.simulator);
      assert.equal(stats.eventsAccepted, 8);
      assert.equal(stats.orderViolations, 0);
    });

    it('carries 1,000 concurrent presence publishes in at most ceil(1,000 / 100) + 3 requests', async () => {
      const events = sim.agents.map((user) => presenceEvent(user.id, sim.sourceId));
      const outcomes = await Promise.all(events.map((event) => publisher.publishPresence(event)));
      assert.equal(outcomes.length, 1_000);
      const requests = await requestsTo(sim.simulator, eventEndpoints.presence);
      assert.ok(requests.length <= Math.ceil(1_000 / 100) + 3, `${requests.length} requests`);
      assert.equal(
        requests.reduce((sum, request) => sum + (request.events ?? 0), 0),
        1_000,
      );
      const stats = await simulatorStats(sim.simulator);
      assert.equal(stats.eventsAccepted, 1_000);
      assert.equal(stats.rateLimited, 0);
    });

    it('splits batches when Genesys takes fewer events per request than configured, losing none', async () => {
      await sim.simulator.stop();
      sim = await startTestSimulator({ agents: 300, limits: { maxEventsPerBatch: 30 } });
      client.close();
      client = clientFor(sim.simulator);
      publisher = new EventPublisher(client, batchLimits);
      const wave = async (ageMs: number) => {
        const outcomes = await Promise.all(
          sim.agents.map((user) =>
            publisher.publishPresence(presenceEvent(user.id, sim.sourceId, { eventDateTime: isoAgo(ageMs) })),
          ),
        );
        assert.ok(outcomes.every((outcome) => outcome.batchSize <= 30));
        const requests = await requestsTo(sim.simulator, eventEndpoints.presence);
        return requests.filter((request) => request.status === 413).length;
      };
      const discovering = await wave(2_000);
      assert.ok(discovering >= 1, 'the first wave met the smaller limit');
      // Once found, the limit holds: the next wave meets at most one 413 while probing upwards.
      assert.ok((await wave(1_000)) - discovering <= 1);
      assert.equal((await simulatorStats(sim.simulator)).eventsAccepted, 600);
    });

    // Genesys meters per minute; the pacing is proven here on a 1 s window to keep the tests short.
    const windowMs = 1_000;
    const budget = 10;
    /** This test's simulator replaced by one of `agents` allowing `budget` requests a window, counted by `rateLimitBy`. */
    async function tightSimulator(agents: number, rateLimitBy: 'token' | 'client'): Promise<void> {
      await sim.simulator.stop();
      sim = await startTestSimulator({
        agents,
        limits: { requestsPerWindow: budget, rateLimitWindowMs: windowMs, rateLimitBy },
      });
    }

    it('never exceeds a budget of N requests per window while offered five times N', async () => {
      await tightSimulator(300, 'token');
      client.close();
      client = clientFor(sim.simulator, { requestsPerMinute: budget, budgetWindowMs: windowMs });
      publisher = new EventPublisher(client, batchLimits);
      const directoryCalls = sim.agents.slice(0, 45).map((user) => users.get(client, user.id));
      const presence = sim.agents.map((user) =>
        publisher.publishPresence(presenceEvent(user.id, sim.sourceId)),
      );
      await Promise.all([...directoryCalls, ...presence]);
      const requests = await requestsTo(sim.simulator, '/api/v2/');
      assert.ok(requests.length >= 48, `${requests.length} requests offered`);
      const busiest = busiestWindow(
        requests.map((request) => request.at),
        windowMs,
      );
      assert.ok(busiest <= budget, `${busiest} requests inside one ${windowMs} ms window`);
      assert.equal((await simulatorStats(sim.simulator)).rateLimited, 0);
      // Event traffic goes ahead of the directory calls that were already waiting.
      const lastPresence = requests.findLastIndex((request) => request.path === eventEndpoints.presence);
      assert.ok(lastPresence < requests.length - 10, `last presence request was #${lastPresence + 1}`);
    });

    it('keeps two workers of one OAuth client inside its one budget when each draws its share, and not when each draws it all', async () => {
      // Genesys counts per token; this simulator counts the client's tokens together, the stricter reading.
      await tightSimulator(30, 'client');
      const twoWorkers = async (budgetSharedBy: number) => {
        const before = await simulatorStats(sim.simulator);
        const clients = [1, 2].map(() =>
          clientFor(sim.simulator, { requestsPerMinute: budget, budgetWindowMs: windowMs, budgetSharedBy }),
        );
        const calls = clients.flatMap((each) =>
          sim.agents.slice(0, 15).map((user) => users.get(each, user.id)),
        );
        const answers = await Promise.allSettled(calls);
        for (const each of clients) each.close();
        return {
          served: answers.filter((answer) => answer.status === 'fulfilled').length,
          rateLimited: (await simulatorStats(sim.simulator)).rateLimited - before.rateLimited,
        };
      };
      assert.deepEqual(await twoWorkers(2), { served: 30, rateLimited: 0 });
      const busiest = busiestWindow(
        (await requestsTo(sim.simulator, '/api/v2/users/')).map((request) => request.at),
        windowMs,
      );
      assert.ok(busiest <= budget, `${busiest} requests inside one ${windowMs} ms window`);
      // The control: each worker taking the whole budget overdraws the client's.
      assert.ok((await twoWorkers(1)).rateLimited > 0);
    });

    it('honours a 429’s Retry-After: nothing more from this client reaches Genesys before it elapses', async () => {
      await setFaults(sim.simulator, {
        rules: [{ path: eventEndpoints.presence, status: 429, retryAfterSeconds: 2, times: 1 }],
      });
      const throttled = await rejectionOf(publisher.publishPresence(presenceEvent(agent(), sim.sourceId)));
      assert.ok(throttled instanceof GenesysApiError);
      assert.equal(throttled.status, 429);
      assert.equal(throttled.code, 'too.many.requests.retry.after');
      assert.equal(throttled.retryAfterMs, 2_000);
      assert.equal(throttled.retryable, true);
      // Genesys limits the token, not the endpoint: other endpoints wait too.
      await Promise.all([
        publisher.publishPresence(presenceEvent(agent(1), sim.sourceId)),
        users.get(client, agent(2)),
      ]);
      const requests = await requestsTo(sim.simulator, '/api/v2/');
      const [first, ...later] = requests;
      assert.ok(first && later.length === 2);
      assert.equal(first.status, 429);
      for (const request of later) {
        assert.ok(
          request.at - first.at >= 2_000,
          `${request.path} sent ${request.at - first.at} ms after the 429`,
        );
      }
      assert.ok(client.budget.pausedForMs >= 1_900);
    });

    it('fails the whole batch, retryably, when Genesys names an event it did not get', async () => {
      const valid = presenceEvent(agent(), sim.sourceId);
      // An event without a string eventId makes the simulator answer an error that names no event.
      const nameless = { ...presenceEvent(agent(1), sim.sourceId), eventId: 42 as unknown as string };
      const [first, second] = await Promise.allSettled([
        publisher.publishPresence(valid),
        publisher.publishPresence(nameless),
      ]);
      for (const result of [first, second]) {
        assert.equal(result.status, 'rejected');
        assert.ok(result.reason instanceof GenesysEventRejectedError);
        assert.equal(result.reason.retryable, true);
      }
      // Resending the accepted one is safe: Genesys applies a repeated eventId once.
      await publisher.publishPresence(valid);
      const timeline = await inspect<{ presence: unknown[] }>(sim.simulator, `users/${agent()}/timeline`);
      assert.equal(timeline.presence.length, 1);
    });
  });

  describe('directory calls', () => {
    it('lists every page, and creates, updates and links users as the directory sync will', async () => {
      const everyone = await users.list(client);
      assert.equal(everyone.length, sim.seed.users.length, 'all 1,003 users across 11 pages');
      const division = await homeDivision(client);
      const created = await users.create(client, {
        name: 'Nia New',
        email: 'nia.new@example.com',
        divisionId: division.id,
      });
      assert.equal(created.version, 1);
      const renamed = await users.update(client, created.id, {
        version: created.version,
        name: 'Nia Renamed',
      });
      assert.equal(renamed.version, 2);
      const stale = await rejectionOf(users.update(client, created.id, { version: 1, name: 'Too late' }));
      assert.ok(stale instanceof GenesysApiError);
      assert.equal(stale.status, 409);
      assert.equal(stale.code, 'conflict');
      assert.equal(stale.retryable, false);
      await users.addExternalId(client, created.id, { authorityName: 'acd', externalKey: 'nia' });
      assert.equal((await users.byExternalId(client, 'acd', 'nia')).id, created.id);
      const missing = await rejectionOf(users.byExternalId(client, 'acd', 'nobody'));
      assert.ok(missing instanceof GenesysApiError);
      assert.equal(missing.status, 404);
      const skill = await routing.createSkill(client, 'Spanish');
      assert.ok((await routing.skills(client)).some((each) => each.id === skill.id));
      await users.setRoutingSkills(client, created.id, [{ id: skill.id, proficiency: 4 }]);
      const source = await presence.createSource(client, 'crm');
      assert.ok((await presence.sources(client)).some((each) => each.id === source.id));
      await presence.setPrimarySource(client, created.id, source.id!);
      assert.equal((await presence.primarySource(client, created.id)).sourceId, source.id);
      assert.equal((await presence.definitions(client)).length, 10);
    });

    it('creates queues and wrap-up codes and changes members up to 100 per call', async () => {
      const queue = await queues.create(client, { name: 'Billing' });
      assert.ok((await queues.list(client)).some((each) => each.id === queue.id));
      const members = sim.agents.slice(0, 100).map((agent) => agent.id);
      await queues.changeMembers(client, queue.id, members);
      assert.equal((await queues.members(client, queue.id)).length, 100);
      await queues.changeMembers(client, queue.id, members.slice(0, 40), true);
      assert.equal((await queues.members(client, queue.id)).length, 60);
      assert.throws(() =>
        queues.changeMembers(
          client,
          queue.id,
          sim.agents.slice(0, 101).map((a) => a.id),
        ),
      );
      const code = await routing.createWrapupCode(client, 'Refund issued');
      assert.ok((await routing.wrapupCodes(client)).some((each) => each.id === code.id));
      await queues.addWrapupCodes(client, queue.id, [code.id]);
    });
  });

  describe('authentication and permissions', () => {
    it('renews the token once on a 401 and retries the call', async () => {
      await users.get(client, agent());
      assert.equal(client.tokens.fetched, 1);
      await revokeTokens(sim.simulator);
      const user = await users.get(client, agent());
      assert.equal(user.id, agent());
      assert.equal(client.tokens.fetched, 2);
      const statuses = (await requestsTo(sim.simulator, `/api/v2/users/${agent()}`)).map(
        (entry) => entry.status,
      );
      assert.deepEqual(statuses, [200, 401, 200]);
    });

    it('gives up after one renewal when the new token is refused too', async () => {
      await setFaults(sim.simulator, { rules: [{ path: '/api/v2/users', status: 401, times: 2 }] });
      const error = await rejectionOf(users.get(client, agent()));
      assert.ok(error instanceof GenesysApiError);
      assert.equal(error.status, 401);
      assert.equal(error.retryable, false);
      assert.equal(client.tokens.fetched, 2);
    });

    it('reports a 403 missing.permissions as not retryable', async () => {
      const readOnly = clientFor(sim.simulator, {
        credentials: { clientId: 'read-only-simulator', clientSecret: 'simulator-only-read-only' },
      });
      try {
        const error = await rejectionOf(
          new EventPublisher(readOnly, batchLimits).publishPresence(presenceEvent(agent(), sim.sourceId)),
        );
        assert.ok(error instanceof GenesysApiError);
        assert.equal(error.status, 403);
        assert.equal(error.code, 'missing.permissions');
        assert.equal(error.retryable, false);
        assert.match(error.message, /presence:userPresence:inject/);
      } finally {
        readOnly.close();
      }
    });

    it('reports wrong client credentials as 401 bad.credentials, without the secret', async () => {
      const wrong = clientFor(sim.simulator, {
        credentials: { clientId: 'byoi-bridge-simulator', clientSecret: 'not-the-secret' },
      });
      try {
        const error = await rejectionOf(users.get(wrong, agent()));
        assert.ok(error instanceof GenesysApiError);
        assert.equal(error.status, 401);
        assert.equal(error.code, 'bad.credentials');
        assert.doesNotMatch(`${error.message} ${error.stack ?? ''}`, /not-the-secret/);
      } finally {
        wrong.close();
      }
    });

    it('reads the inin-ratelimit headers of every answer', async () => {
      await users.get(client, agent());
      await users.get(client, agent(1));
      assert.equal(client.rateLimit?.allowed, 300);
      assert.equal(client.rateLimit?.count, 2);
      assert.ok((client.rateLimit?.resetSeconds ?? 0) > 0);
    });
  });
});
