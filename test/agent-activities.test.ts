import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { agentFailureTypes, createAgentActivities } from '../activities/agents';
import { DirectoryMapping } from '../activities/directory/mapping';
import { agentEventSchema, type AgentEventInput } from '../activities/events/agent-event';
import type { GenesysClient } from '../activities/genesys/client';
import { presence, users } from '../activities/genesys/directory';
import { genesysFailureTypes } from '../activities/genesys/errors';
import { EventPublisher } from '../activities/genesys/publisher';
import {
  clientFor,
  inspect,
  isoAgo,
  rejectionOf,
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

  it('publishes presence and routing status with the minted eventId, once however often retried', async () => {
    const target = { userId: sim.agents[0]!.id, sourceId: sim.sourceId };
    const available = {
      ...target,
      genesysEventId: randomUUID(),
      event: event({ kind: 'presence', state: 'available' }),
    };
    await activities.publishAgentChange(available);
    await activities.publishAgentChange(available);
    const idle = {
      ...target,
      genesysEventId: randomUUID(),
      event: event({ kind: 'routingStatus', status: 'Idle' }),
    };
    await activities.publishAgentChange(idle);
    const timeline = await inspect<Timeline>(sim.simulator, `users/${target.userId}/timeline`);
    assert.deepEqual(
      timeline.presence.map((entry) => [entry.eventId, entry.value]),
      [[available.genesysEventId, 'Available']],
    );
    assert.deepEqual(
      timeline.routingStatus.map((entry) => [entry.eventId, entry.value]),
      [[idle.genesysEventId, 'Idle']],
    );
  });

  it('fails for good, with a named type, on an unmapped state and on an event Genesys refuses', async () => {
    const target = { userId: sim.agents[0]!.id, sourceId: sim.sourceId, genesysEventId: randomUUID() };
    const unmapped = await rejectionOf(
      activities.publishAgentChange({ ...target, event: event({ kind: 'presence', state: 'Coffee' }) }),
    );
    assert.ok(unmapped instanceof ApplicationFailure);
    assert.equal(unmapped.type, agentFailureTypes.unmappedPresenceState);
    assert.equal(unmapped.nonRetryable, true);
    const tooOld = await rejectionOf(
      activities.publishAgentChange({
        ...target,
        event: event({ kind: 'routingStatus', status: 'Idle' }, isoAgo(8 * 86_400_000)),
      }),
    );
    assert.ok(tooOld instanceof ApplicationFailure);
    assert.equal(tooOld.type, genesysFailureTypes.eventRejected);
    assert.equal(tooOld.nonRetryable, true);
  });
});
