import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { createAgentActivities } from '../activities/agents';
import { DirectoryMapping } from '../activities/directory/mapping';
import { agentEventSchema, type AgentEventInput } from '../domain/events/agent-event';
import { agentEventId } from '../domain/genesys/derived-ids';
import type { GenesysClient } from '../activities/genesys/client';
import { presence, users } from '../activities/genesys/directory';
import { genesysFailureTypes } from '../activities/genesys/errors';
import { EventPublisher } from '../activities/genesys/publisher';
import {
  clientFor,
  inspect,
  isoAgo,
  rejectionOf,
  setFaults,
  simulatorStats,
  startTestSimulator,
  type TestSimulator,
} from './genesys-fixtures';

interface Timeline {
  presence: { eventId: string; value: string }[];
  routingStatus: { eventId: string; value: string }[];
}

describe('the agent activities against the simulator', () => {
  let sim: TestSimulator;
  let client: GenesysClient;
  let activities: ReturnType<typeof createAgentActivities>;

  beforeEach(async () => {
    sim = await startTestSimulator({ agents: 3 });
    client = clientFor(sim.simulator);
    activities = createAgentActivities({
      genesys: {
        client,
        publisher: new EventPublisher(client, { maxEventsPerBatch: 100, maxBatchBytes: 1_048_576 }),
      },
      mapping: new DirectoryMapping(client),
    });
  });
  afterEach(async () => {
    client.close();
    await sim.simulator.stop();
  });

  const event = (change: AgentEventInput['change'], occurredAt = isoAgo(1_000)) =>
    agentEventSchema.parse({ source: 'acd', agentId: 'agent-1', eventId: randomUUID(), occurredAt, change });
  /** A change as the agent workflow hands it over: with its Genesys event id and time minted. */
  const toPublish = (change: AgentEventInput['change'], occurredAt?: string) => {
    const published = event(change, occurredAt);
    return { eventDateTime: published.occurredAt, event: published };
  };

  it('resolves a synced agent to its Genesys user and the source’s presence source', async () => {
    assert.deepEqual(await activities.resolveAgent('acd', 'agent-1'), {
      status: 'mapped',
      userId: sim.agents[0]!.id,
      sourceId: sim.sourceId,
    });
  });

  it('answers unmapped for an agent no Genesys user carries, and conflict for a user another source owns', async () => {
    const unmapped = await activities.resolveAgent('acd', 'agent-99');
    assert.equal(unmapped.status, 'unmapped');
    await presence.setPrimarySource(client, sim.agents[1]!.id, 'PURECLOUD');
    const conflict = await activities.resolveAgent('acd', 'agent-2');
    assert.equal(conflict.status, 'conflict');
    assert.match(
      'message' in conflict ? conflict.message : '',
      /primary presence source is PURECLOUD, not acd/,
    );
  });

  it('answers unmapped while the source’s presence source is not registered', async () => {
    const supervisor = sim.seed.users[0]!;
    await users.addExternalId(client, supervisor.id, { authorityName: 'crm', externalKey: 'rep-1' });
    const resolution = await activities.resolveAgent('crm', 'rep-1');
    assert.deepEqual(resolution, {
      status: 'unmapped',
      reason: 'presence source crm is not registered in Genesys yet',
    });
  });

  it('publishes presence and routing status under ids derived from each event and its user, once however often retried', async () => {
    const target = { userId: sim.agents[0]!.id, sourceId: sim.sourceId };
    const genesysIdOf = ({ event }: ReturnType<typeof toPublish>) => agentEventId({ ...event, ...target });
    const available = toPublish({ kind: 'presence', state: 'available' });
    const idle = toPublish({ kind: 'routingStatus', status: 'Idle' });
    const before = await simulatorStats(sim.simulator);
    const { outcomes: first } = await activities.publishAgentChanges({
      to: target,
      changes: [available, idle],
    });
    // A retried activity hands over the same changes: nothing is sent again.
    const { outcomes: again } = await activities.publishAgentChanges({
      to: target,
      changes: [available, idle],
    });
    for (const outcomes of [first, again]) {
      assert.deepEqual(
        outcomes.map((outcome) => outcome.outcome),
        ['accepted', 'accepted'],
      );
    }
    const after = await simulatorStats(sim.simulator);
    assert.equal(after.eventsReceived - before.eventsReceived, 2, 'the retry sent nothing');
    const timeline = await inspect<Timeline>(sim.simulator, `users/${target.userId}/timeline`);
    assert.deepEqual(
      timeline.presence.map((entry) => [entry.eventId, entry.value]),
      [[genesysIdOf(available), 'Available']],
    );
    assert.deepEqual(
      timeline.routingStatus.map((entry) => [entry.eventId, entry.value]),
      [[genesysIdOf(idle), 'Idle']],
    );
  });

  it('resolves an agent it is not told the user of, and sends nothing for an agent no user carries', async () => {
    const available = toPublish({ kind: 'presence', state: 'Available' });
    const before = await simulatorStats(sim.simulator);
    const unmapped = await activities.publishAgentChanges({
      to: { source: 'acd', agentId: 'agent-99', fresh: false },
      changes: [available],
    });
    assert.equal(unmapped.resolution.status, 'unmapped');
    assert.deepEqual(unmapped.outcomes, []);
    assert.equal((await simulatorStats(sim.simulator)).eventsReceived, before.eventsReceived);
    const published = await activities.publishAgentChanges({
      to: { source: 'acd', agentId: 'agent-1', fresh: false },
      changes: [available],
    });
    assert.deepEqual(published, {
      resolution: { status: 'mapped', userId: sim.agents[0]!.id, sourceId: sim.sourceId },
      outcomes: [{ eventId: available.event.eventId, outcome: 'accepted' }],
    });
    assert.equal((await simulatorStats(sim.simulator)).eventsReceived, before.eventsReceived + 1);
  });

  it('answers an unmapped state and an event Genesys refuses as rejected, and publishes the rest', async () => {
    const target = { userId: sim.agents[1]!.id, sourceId: sim.sourceId };
    const coffee = toPublish({ kind: 'presence', state: 'Coffee' });
    const away = toPublish({ kind: 'presence', state: 'Away' });
    const tooOld = toPublish({ kind: 'routingStatus', status: 'Idle' }, isoAgo(8 * 86_400_000));
    const { outcomes } = await activities.publishAgentChanges({
      to: target,
      changes: [coffee, away, tooOld],
    });
    assert.equal(outcomes[0]!.outcome, 'rejected');
    assert.match(
      outcomes[0]!.outcome === 'rejected' ? outcomes[0]!.reason : '',
      /presence state Coffee of acd has no Genesys presence/,
    );
    assert.equal(outcomes[1]!.outcome, 'accepted');
    assert.equal(outcomes[2]!.outcome, 'rejected');
    assert.match(outcomes[2]!.outcome === 'rejected' ? outcomes[2]!.reason : '', /7 days|older/i);
  });

  it('fails retryably when Genesys is down, and the retry sends only what was not accepted', async () => {
    const target = { userId: sim.agents[2]!.id, sourceId: sim.sourceId };
    const available = toPublish({ kind: 'presence', state: 'Available' });
    const idle = toPublish({ kind: 'routingStatus', status: 'Idle' });
    await setFaults(sim.simulator, {
      rules: [{ path: '/api/v2/events/users/routingstatus', status: 503, retryAfterSeconds: 0, times: 1 }],
    });
    const failure = await rejectionOf(
      activities.publishAgentChanges({ to: target, changes: [available, idle] }),
    );
    assert.ok(failure instanceof ApplicationFailure);
    assert.equal(failure.type, genesysFailureTypes.retryable);
    assert.equal(failure.nonRetryable, false);
    const before = await simulatorStats(sim.simulator);
    const { outcomes } = await activities.publishAgentChanges({ to: target, changes: [available, idle] });
    assert.deepEqual(
      outcomes.map((outcome) => outcome.outcome),
      ['accepted', 'accepted'],
    );
    const after = await simulatorStats(sim.simulator);
    assert.equal(after.eventsReceived - before.eventsReceived, 1, 'only the routing status went again');
    assert.equal(after.duplicateEventIds - before.duplicateEventIds, 0);
  });
});
