/**
 * What the simulator makes of the official SDK's model descriptions (contract §3), over real HTTP: it
 * refuses answering a leg that started connected or was answered already and an `invitedBy` that names
 * no leg of the conversation, and it reports (`GET /__simulator/consistency`) the traffic Genesys would
 * most likely accept but that contradicts the models: queueId on inbound agent legs, agent legs nothing
 * links to what offered them, dispositions nobody expected, inbound emails without their first message,
 * events tied in time, and agents whose presence and routing status disagree with each other or with
 * the interaction they are handling.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { eventEndpoints, type RoutingStatus, type SystemPresence } from '../domain/genesys';
import { defaultSimulatorClient } from '../simulator';
import { consistencyFindings, consistencyRules } from '../simulator/consistency';
import type { SimulatedConversation } from '../simulator/conversation-model';
import type { TimelineEntry } from '../simulator/state';
import { inspect, simulatorStats, startTestSimulator, type TestSimulator } from './genesys-fixtures';

const batchAnswerSchema = z.object({
  errors: z.array(z.object({ eventId: z.string().optional(), message: z.string(), retryable: z.boolean() })),
});
type EventErrors = z.infer<typeof batchAnswerSchema>['errors'];

const reportSchema = z.strictObject({
  graceMs: z.number(),
  total: z.number(),
  byRule: z.record(z.string(), z.number()),
  findings: z.array(
    z.strictObject({
      rule: z.enum(consistencyRules),
      at: z.string(),
      userId: z.string().optional(),
      conversationId: z.string().optional(),
      communicationId: z.string().optional(),
      message: z.string(),
    }),
  ),
});
type Report = z.infer<typeof reportSchema>;

const legViewSchema = z.object({
  legs: z.record(
    z.string(),
    z.object({ answeredAt: z.string().optional(), invitedBy: z.string().optional() }),
  ),
});

/** One test's traffic to its own simulator; event times are given in ms after a start 20 minutes ago. */
class Traffic {
  private readonly start = Date.now() - 20 * 60_000;

  private constructor(
    readonly running: TestSimulator,
    private readonly authorization: string,
  ) {}

  /** Signs in with the simulator's default client, as the bridge does. */
  static async signIn(running: TestSimulator): Promise<Traffic> {
    const { clientId, clientSecret } = defaultSimulatorClient;
    const response = await fetch(`${running.simulator.url}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    assert.equal(response.status, 200);
    const token = z.object({ access_token: z.string() }).parse(await response.json());
    return new Traffic(running, `Bearer ${token.access_token}`);
  }

  /** The instant `ms` after the start, in ms since the epoch. */
  instant(ms: number): number {
    return this.start + ms;
  }

  at(ms: number): string {
    return new Date(this.instant(ms)).toISOString();
  }

  /** Posts a batch; answers the events it refused. */
  async send(path: string, body: object): Promise<EventErrors> {
    const response = await fetch(`${this.running.simulator.url}${path}`, {
      method: 'POST',
      headers: { authorization: this.authorization, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    assert.equal(response.status, 200, text);
    return batchAnswerSchema.parse(JSON.parse(text)).errors;
  }

  async presence(userId: string, presence: SystemPresence, ms: number, eventId = randomUUID()) {
    const definition = this.running.seed.presenceDefinitions.find((each) => each.systemPresence === presence);
    assert.ok(definition, `no ${presence} definition`);
    const event = {
      eventId,
      eventDateTime: this.at(ms),
      userId,
      sourceId: this.running.sourceId,
      presenceDefinitionId: definition.id,
    };
    assert.deepEqual(await this.send(eventEndpoints.presence, { userPresenceEvents: [event] }), []);
  }

  async routing(userId: string, status: RoutingStatus, ms: number) {
    const event = {
      eventId: randomUUID(),
      eventDateTime: this.at(ms),
      agentId: userId,
      sourceId: this.running.sourceId,
      status,
    };
    assert.deepEqual(await this.send(eventEndpoints.routingStatus, { userRoutingStatusEvents: [event] }), []);
  }

  /** An agent starts their shift: On Queue and Idle at the same instant (two streams, no tie). */
  async logIn(userId: string, ms: number) {
    await this.presence(userId, 'OnQueue', ms);
    await this.routing(userId, 'Idle', ms);
  }

  async report(since?: number): Promise<Report> {
    return reportSchema.parse(
      await inspect(this.running.simulator, `consistency${since === undefined ? '' : `?since=${since}`}`),
    );
  }
}

/** The findings of one rule, in report order. */
function found(report: Report, rule: (typeof consistencyRules)[number]) {
  return report.findings.filter((finding) => finding.rule === rule);
}

/** The events of one conversation, gathered into a batch and sent together. */
class Conversation {
  readonly conversationId = randomUUID();
  private batch: Record<string, object[]> = {};

  constructor(
    private readonly traffic: Traffic,
    readonly channel: 'voice' | 'email' = 'voice',
  ) {}

  /** The fields of an event on `communicationId` at `ms`. */
  on(communicationId: string, ms: number) {
    return {
      eventId: randomUUID(),
      eventDateTime: this.traffic.at(ms),
      conversationId: this.conversationId,
      communicationId,
    };
  }

  /** The fields of a leg-establishing event; email legs get their required addresses. */
  leg(communicationId: string, ms: number, initial: Record<string, unknown>) {
    const addresses = this.channel === 'email' ? { to: 'support@example.com', from: 'ada@example.com' } : {};
    return {
      ...this.on(communicationId, ms),
      initialConfiguration: { ...addresses, ...initial },
      sourceConfiguration: { sourceId: 'ccaas', interactionId: this.conversationId },
    };
  }

  add(key: string, event: object): this {
    this.batch[key] = [...(this.batch[key] ?? []), event];
    return this;
  }

  /** Sends what was added; answers the refused events. */
  async send(): Promise<EventErrors> {
    const batch = this.batch;
    this.batch = {};
    return this.traffic.send(eventEndpoints.conversations, batch);
  }

  async accepted(): Promise<void> {
    assert.deepEqual(await this.send(), []);
  }

  async legs() {
    return legViewSchema.parse(
      await inspect(this.traffic.running.simulator, `conversations/${this.conversationId}`),
    ).legs;
  }
}

/** How an inbound interaction departs from the consistent one. */
interface Departures {
  /** Merged into the agent leg's initialConfiguration. */
  agentConfiguration?: Record<string, unknown>;
  /** Merged into the agent leg's event (queueId, afterCallWorkRequired). */
  agentFields?: Record<string, unknown>;
  /** Merged into the customer leg's event (includeMessage). */
  customerFields?: Record<string, unknown>;
  /** How long after the offer the agent's routing status turns Interacting; undefined: it stays Idle. */
  interactingAfterMs?: number | undefined;
}

const ringingConsistently: Departures = { interactingAfterMs: 0 };

/**
 * An inbound call or email offered at `start` by a queue to `agentId`, who is already logged in:
 * customer leg, queue leg, ringing agent leg invited by the queue with a wrap-up expected, answered,
 * ended ten seconds later, wrapped up, and the agent Idle again five seconds after that.
 */
async function inboundInteraction(
  traffic: Traffic,
  agentId: string,
  start: number,
  { agentConfiguration, agentFields, customerFields, interactingAfterMs }: Departures = ringingConsistently,
  channel: 'voice' | 'email' = 'voice',
) {
  const interaction = new Conversation(traffic, channel);
  const [customer, queue, agentLeg] = [randomUUID(), randomUUID(), randomUUID()];
  const email = channel === 'email';
  const [queueId] = traffic.running.seed.queues.map((each) => each.id);
  const [code] = traffic.running.seed.wrapupCodes.map((each) => each.id);
  const key = (voice: string, emailKey: string) => (email ? emailKey : voice);
  interaction
    .add(key('externalEstablishedEvents', 'emailExternalEstablishedEvents'), {
      ...interaction.leg(customer, start, { inbound: true, alerting: false }),
      ...(email ? { includeMessage: true } : {}),
      ...customerFields,
    })
    .add(key('routingEstablishedEvents', 'emailRoutingEstablishedEvents'), {
      ...interaction.leg(queue, start + 1, { inbound: true, alerting: false, invitedBy: customer }),
      queueId,
    })
    .add(key('userEstablishedEvents', 'emailUserEstablishedEvents'), {
      ...interaction.leg(agentLeg, start + 2, {
        inbound: true,
        alerting: true,
        invitedBy: queue,
        ...agentConfiguration,
      }),
      userId: agentId,
      afterCallWorkRequired: true,
      ...agentFields,
    })
    .add(
      key('communicationAnsweredEvents', 'emailCommunicationAnsweredEvents'),
      interaction.on(agentLeg, start + 3),
    )
    .add(key('communicationEndedEvents', 'emailCommunicationEndedEvents'), {
      ...interaction.on(queue, start + 4),
      disconnectType: 'Transfer',
    });
  if (interactingAfterMs !== undefined)
    await traffic.routing(agentId, 'Interacting', start + 2 + interactingAfterMs);
  await interaction.accepted();
  interaction
    .add(key('communicationEndedEvents', 'emailCommunicationEndedEvents'), {
      ...interaction.on(customer, start + 10_000),
      disconnectType: 'Peer',
    })
    .add(key('communicationEndedEvents', 'emailCommunicationEndedEvents'), {
      ...interaction.on(agentLeg, start + 10_001),
      disconnectType: 'Self',
    })
    .add(key('communicationDispositionAppliedEvents', 'emailCommunicationDispositionAppliedEvents'), {
      ...interaction.on(agentLeg, start + 10_002),
      code,
    });
  await interaction.accepted();
  await traffic.routing(agentId, 'Idle', start + 15_000);
  return { interaction, customer, queue, agentLeg };
}

/**
 * An outbound call `agentId` places at `start` on behalf of a queue: the agent's leg starts connected
 * (queueId: "applies to outbound calls only"), the customer's rings, invited by the agent, and answers.
 */
async function outboundCall(traffic: Traffic, agentId: string, start: number) {
  const call = new Conversation(traffic);
  const [agentLeg, customer] = [randomUUID(), randomUUID()];
  const [queueId] = traffic.running.seed.queues.map((each) => each.id);
  const [code] = traffic.running.seed.wrapupCodes.map((each) => each.id);
  await traffic.routing(agentId, 'Interacting', start);
  await call
    .add('userEstablishedEvents', {
      ...call.leg(agentLeg, start, { inbound: false, alerting: false }),
      userId: agentId,
      queueId,
      afterCallWorkRequired: true,
    })
    .add('externalEstablishedEvents', {
      ...call.leg(customer, start + 1, { inbound: false, alerting: true, invitedBy: agentLeg }),
      dnis: 'tel:+15559870000',
    })
    .add('communicationAnsweredEvents', call.on(customer, start + 2))
    .accepted();
  await call
    .add('communicationEndedEvents', { ...call.on(customer, start + 5_000), disconnectType: 'Peer' })
    .add('communicationEndedEvents', { ...call.on(agentLeg, start + 5_001), disconnectType: 'Self' })
    .add('communicationDispositionAppliedEvents', { ...call.on(agentLeg, start + 5_002), code })
    .accepted();
  await traffic.routing(agentId, 'Idle', start + 8_000);
  return { call, agentLeg, customer };
}

describe('the simulator and the SDK model descriptions', () => {
  let running: TestSimulator | undefined;
  let traffic: Traffic;
  beforeEach(async () => {
    running = await startTestSimulator({ agents: 6 });
    traffic = await Traffic.signIn(running);
  });
  afterEach(async () => {
    await running?.simulator.stop();
    running = undefined;
  });
  const agent = (index: number) => {
    const user = running?.agents[index];
    assert.ok(user, `no agent ${index}`);
    return user.id;
  };

  describe('refusals', () => {
    it('refuses answering a leg established with alerting false or without alerting, not retryable', async () => {
      const call = new Conversation(traffic);
      const email = new Conversation(traffic, 'email');
      const [voiceCustomer, voiceAgent, emailCustomer, emailAgent] = [
        randomUUID(),
        randomUUID(),
        randomUUID(),
        randomUUID(),
      ];
      const voiceAnswer = call.on(voiceAgent, 2);
      const emailAnswer = email.on(emailAgent, 2);
      call
        .add('externalEstablishedEvents', call.leg(voiceCustomer, 0, { inbound: true, alerting: false }))
        .add('userEstablishedEvents', {
          ...call.leg(voiceAgent, 1, { inbound: true, alerting: false, invitedBy: voiceCustomer }),
          userId: agent(0),
        })
        .add('communicationAnsweredEvents', voiceAnswer);
      email
        .add('emailExternalEstablishedEvents', email.leg(emailCustomer, 0, { inbound: true }))
        .add('emailUserEstablishedEvents', {
          ...email.leg(emailAgent, 1, { inbound: true, invitedBy: emailCustomer }),
          userId: agent(1),
        })
        .add('emailCommunicationAnsweredEvents', emailAnswer);
      const refused = [...(await call.send()), ...(await email.send())];
      assert.deepEqual(
        refused.map(({ eventId, retryable }) => ({ eventId, retryable })),
        [
          { eventId: voiceAnswer.eventId, retryable: false },
          { eventId: emailAnswer.eventId, retryable: false },
        ],
      );
      assert.match(
        refused[0]!.message,
        new RegExp(
          `^communicationAnsweredEvents: communication ${voiceAgent} was established without initialConfiguration.alerting true, so it started connected and cannot be answered`,
        ),
      );
      assert.match(
        refused[1]!.message,
        new RegExp(`^emailCommunicationAnsweredEvents: communication ${emailAgent} .*cannot be answered`),
      );
      assert.equal((await call.legs())[voiceAgent]?.answeredAt, undefined);
      assert.equal((await email.legs())[emailAgent]?.answeredAt, undefined);
      assert.equal((await simulatorStats(traffic.running.simulator)).rejectedByReason.unsupportedScenario, 2);
    });

    it('answers a ringing leg once and refuses a second answer', async () => {
      const call = new Conversation(traffic);
      const [customer, agentLeg] = [randomUUID(), randomUUID()];
      const first = call.on(agentLeg, 2);
      const second = call.on(agentLeg, 3);
      const refused = await call
        .add('externalEstablishedEvents', call.leg(customer, 0, { inbound: true, alerting: false }))
        .add('userEstablishedEvents', {
          ...call.leg(agentLeg, 1, { inbound: true, alerting: true, invitedBy: customer }),
          userId: agent(0),
        })
        .add('communicationAnsweredEvents', first)
        .add('communicationAnsweredEvents', second)
        .send();
      assert.deepEqual(
        refused.map(({ eventId, retryable }) => ({ eventId, retryable })),
        [{ eventId: second.eventId, retryable: false }],
      );
      assert.match(
        refused[0]!.message,
        new RegExp(`communication ${agentLeg} was already answered at ${first.eventDateTime}`),
      );
      assert.equal((await call.legs())[agentLeg]?.answeredAt, first.eventDateTime);
    });

    it('refuses invitedBy naming a communication that is not a leg of the same conversation', async () => {
      const { queue: otherQueue } = await inboundInteraction(traffic, agent(1), 0);
      const call = new Conversation(traffic);
      const [customer, queue, strayAgent, agentLeg] = [
        randomUUID(),
        randomUUID(),
        randomUUID(),
        randomUUID(),
      ];
      const stray = {
        ...call.leg(strayAgent, 2, { inbound: true, alerting: true, invitedBy: otherQueue }),
        userId: agent(0),
      };
      const refused = await call
        .add('externalEstablishedEvents', call.leg(customer, 0, { inbound: true, alerting: false }))
        .add('routingEstablishedEvents', {
          ...call.leg(queue, 1, { inbound: true, alerting: false, invitedBy: customer }),
          queueId: traffic.running.seed.queues[0]!.id,
        })
        .add('userEstablishedEvents', stray)
        .add('userEstablishedEvents', {
          ...call.leg(agentLeg, 3, { inbound: true, alerting: true, invitedBy: queue }),
          userId: agent(0),
        })
        .send();
      assert.deepEqual(
        refused.map(({ eventId, retryable }) => ({ eventId, retryable })),
        [{ eventId: stray.eventId, retryable: false }],
      );
      assert.match(
        refused[0]!.message,
        new RegExp(
          `^userEstablishedEvents: initialConfiguration.invitedBy ${otherQueue} is not a leg of conversation ${call.conversationId}`,
        ),
      );
      const legs = await call.legs();
      assert.deepEqual(Object.keys(legs), [customer, queue, agentLeg]);
      assert.equal(legs[agentLeg]?.invitedBy, queue);
    });
  });

  describe('the consistency report', () => {
    it('finds nothing in consistent traffic: inbound calls and emails, an outbound call, shifts', async () => {
      for (const index of [0, 1, 2]) await traffic.logIn(agent(index), index);
      await inboundInteraction(traffic, agent(0), 60_000);
      await inboundInteraction(traffic, agent(1), 61_000, ringingConsistently, 'email');
      await outboundCall(traffic, agent(2), 62_000);
      // The shift ends: presence first, routing status a few ms later, within the grace.
      await traffic.presence(agent(0), 'Offline', 120_000);
      await traffic.routing(agent(0), 'OffQueue', 120_004);
      const report = await traffic.report();
      assert.deepEqual(report, {
        graceMs: 1_000,
        total: 0,
        byRule: Object.fromEntries(consistencyRules.map((rule) => [rule, 0])),
        findings: [],
      });
    });

    it('reports a queueId on an inbound agent leg, not on an outbound one', async () => {
      for (const index of [0, 1]) await traffic.logIn(agent(index), index);
      const [queueId] = traffic.running.seed.queues.map((each) => each.id);
      const inbound = await inboundInteraction(traffic, agent(0), 60_000, {
        ...ringingConsistently,
        agentFields: { queueId },
      });
      await outboundCall(traffic, agent(1), 61_000);
      const report = await traffic.report();
      assert.equal(report.total, 1);
      const [finding] = found(report, 'queueOnInboundAgentLeg');
      assert.deepEqual(
        { ...finding, message: undefined },
        {
          rule: 'queueOnInboundAgentLeg',
          at: traffic.at(60_002),
          userId: agent(0),
          conversationId: inbound.interaction.conversationId,
          communicationId: inbound.agentLeg,
          message: undefined,
        },
      );
      assert.match(finding!.message, /"applies to outbound calls only"/);
    });

    it('reports an inbound agent leg without invitedBy, voice or email', async () => {
      for (const index of [0, 1]) await traffic.logIn(agent(index), index);
      const uninvited = { ...ringingConsistently, agentConfiguration: { invitedBy: undefined } };
      const call = await inboundInteraction(traffic, agent(0), 60_000, uninvited);
      const email = await inboundInteraction(traffic, agent(1), 61_000, uninvited, 'email');
      await inboundInteraction(traffic, agent(0), 90_000);
      const report = await traffic.report();
      assert.equal(report.total, 2);
      assert.deepEqual(
        found(report, 'inboundAgentLegWithoutInvitedBy').map((finding) => finding.communicationId),
        [call.agentLeg, email.agentLeg],
      );
      assert.match(report.findings[0]!.message, /nothing links it to the queue or agent that offered it/);
    });

    it('reports a disposition on an agent leg established without afterCallWorkRequired true', async () => {
      await traffic.logIn(agent(0), 0);
      const absent = await inboundInteraction(traffic, agent(0), 60_000, {
        ...ringingConsistently,
        agentFields: { afterCallWorkRequired: undefined },
      });
      const declined = await inboundInteraction(traffic, agent(0), 90_000, {
        ...ringingConsistently,
        agentFields: { afterCallWorkRequired: false },
      });
      await inboundInteraction(traffic, agent(0), 120_000);
      const report = await traffic.report();
      assert.equal(report.total, 2);
      assert.deepEqual(
        found(report, 'dispositionWithoutAfterCallWork').map(({ communicationId, at }) => ({
          communicationId,
          at,
        })),
        [
          { communicationId: absent.agentLeg, at: traffic.at(70_002) },
          { communicationId: declined.agentLeg, at: traffic.at(100_002) },
        ],
      );
    });

    it('reports an inbound email whose customer leg lacks includeMessage true', async () => {
      await traffic.logIn(agent(0), 0);
      const withoutIt = await inboundInteraction(
        traffic,
        agent(0),
        60_000,
        { ...ringingConsistently, customerFields: { includeMessage: false } },
        'email',
      );
      await inboundInteraction(traffic, agent(0), 90_000, ringingConsistently, 'email');
      const report = await traffic.report();
      assert.equal(report.total, 1);
      assert.deepEqual(
        found(report, 'inboundEmailWithoutIncludeMessage').map(({ communicationId, at }) => ({
          communicationId,
          at,
        })),
        [{ communicationId: withoutIt.customer, at: traffic.at(60_000) }],
      );
    });

    it('reports accepted events tied in time within a conversation or within one user stream', async () => {
      // Presence and routing status at the same instant are two streams: no tie.
      await traffic.presence(agent(1), 'OnQueue', 0);
      await traffic.routing(agent(1), 'Idle', 0);
      const tiedPresence = randomUUID();
      await traffic.presence(agent(1), 'OnQueue', 0, tiedPresence);
      // A resend of an accepted event is applied once, so it ties with nothing.
      await traffic.presence(agent(1), 'OnQueue', 0, tiedPresence);
      const call = new Conversation(traffic);
      const [customer, queue] = [randomUUID(), randomUUID()];
      const tiedLeg = call.leg(queue, 60_000, { inbound: true, alerting: false, invitedBy: customer });
      await call
        .add('externalEstablishedEvents', call.leg(customer, 60_000, { inbound: true, alerting: false }))
        .add('routingEstablishedEvents', { ...tiedLeg, queueId: traffic.running.seed.queues[0]!.id })
        .add('communicationEndedEvents', { ...call.on(queue, 60_001), disconnectType: 'Peer' })
        .add('communicationEndedEvents', { ...call.on(customer, 60_002), disconnectType: 'Peer' })
        .accepted();
      const report = await traffic.report();
      assert.equal(report.total, 2);
      assert.deepEqual(
        report.findings.map(({ rule, at, userId, conversationId, communicationId }) => ({
          rule,
          at,
          userId,
          conversationId,
          communicationId,
        })),
        [
          {
            rule: 'sameTimeInUserStream',
            at: traffic.at(0),
            userId: agent(1),
            conversationId: undefined,
            communicationId: undefined,
          },
          {
            rule: 'sameTimeInConversation',
            at: traffic.at(60_000),
            userId: undefined,
            conversationId: call.conversationId,
            communicationId: queue,
          },
        ],
      );
      assert.match(
        report.findings[0]!.message,
        new RegExp(`userPresenceEvents event ${tiedPresence} of user ${agent(1)}'s presence stream`),
      );
      assert.match(
        report.findings[1]!.message,
        new RegExp(
          `routingEstablishedEvents event ${tiedLeg.eventId} .*leaves the order of such events to chance`,
        ),
      );
    });

    it('reports presence and routing status disagreeing longer than the grace, not a 300 ms gap', async () => {
      const [quick, slow, onBreak, presenceOnly, routingOnly] = [
        agent(0),
        agent(1),
        agent(2),
        agent(3),
        agent(4),
      ];
      for (const user of [quick, slow]) {
        await traffic.presence(user, 'Offline', 0);
        await traffic.routing(user, 'OffQueue', 0);
      }
      // quick: routing follows presence 300 ms later, logging in and going on a break.
      await traffic.presence(quick, 'OnQueue', 1_000);
      await traffic.routing(quick, 'Idle', 1_300);
      await traffic.presence(quick, 'Break', 60_000);
      await traffic.routing(quick, 'OffQueue', 60_300);
      // slow: On Queue but OffQueue for 5 s.
      await traffic.presence(slow, 'OnQueue', 1_000);
      await traffic.routing(slow, 'Idle', 6_000);
      // onBreak: takes a break and stays Idle, to this day.
      await traffic.logIn(onBreak, 0);
      await traffic.presence(onBreak, 'Break', 10_000);
      // One stream only: nothing to compare with.
      await traffic.presence(presenceOnly, 'Break', 0);
      await traffic.routing(routingOnly, 'Idle', 0);
      const report = await traffic.report();
      assert.equal(report.total, 2);
      assert.deepEqual(
        found(report, 'routingStatusWithoutOnQueue').map(({ userId, at }) => ({ userId, at })),
        [
          { userId: slow, at: traffic.at(1_000) },
          { userId: onBreak, at: traffic.at(10_000) },
        ],
      );
      assert.match(
        report.findings[0]!.message,
        /routing status was OffQueue while their presence was OnQueue, .* for 5000 ms/,
      );
      assert.match(
        report.findings[1]!.message,
        /routing status was Idle while their presence was Break, .* ms and counting/,
      );
    });

    it('reports an agent leg live while its agent was not OnQueue and Interacting, beyond the grace', async () => {
      const [prompt, late, idle, neverSeen] = [agent(0), agent(1), agent(2), agent(3)];
      for (const user of [prompt, late, idle]) await traffic.logIn(user, 0);
      await inboundInteraction(traffic, prompt, 60_000, { interactingAfterMs: 300 });
      const lateCall = await inboundInteraction(traffic, late, 60_000, { interactingAfterMs: 5_000 });
      const idleCall = await inboundInteraction(traffic, idle, 60_000, { interactingAfterMs: undefined });
      const unseenCall = await inboundInteraction(traffic, neverSeen, 60_000, {
        interactingAfterMs: undefined,
      });
      const report = await traffic.report();
      assert.equal(report.total, 3);
      const findings = found(report, 'agentStateDuringInteraction');
      assert.deepEqual(
        findings
          .map(({ userId, communicationId, at }) => ({ userId, communicationId, at }))
          .sort((a, b) => a.userId!.localeCompare(b.userId!)),
        [
          { userId: late, communicationId: lateCall.agentLeg, at: traffic.at(60_002) },
          { userId: idle, communicationId: idleCall.agentLeg, at: traffic.at(60_002) },
          { userId: neverSeen, communicationId: unseenCall.agentLeg, at: traffic.at(60_002) },
        ].sort((a, b) => a.userId.localeCompare(b.userId)),
      );
      const messageOf = (user: string) => findings.find((finding) => finding.userId === user)!.message;
      assert.match(messageOf(late), /for 5000 ms .*presence was OnQueue and routing status Idle/);
      assert.match(messageOf(idle), /for 9999 ms .*routing status Idle/);
      assert.match(
        messageOf(neverSeen),
        /state is unknown: no presence or routing-status event .*never saw this agent logged in/,
      );
      assert.equal(
        findings.find((finding) => finding.userId === idle)?.conversationId,
        idleCall.interaction.conversationId,
      );
    });

    it('keeps only findings at or after since, counting them all by rule', async () => {
      await traffic.logIn(agent(0), 0);
      const noWrapUp = { ...ringingConsistently, agentFields: { afterCallWorkRequired: false } };
      await inboundInteraction(traffic, agent(0), 60_000, noWrapUp);
      const later = await inboundInteraction(traffic, agent(0), 180_000, noWrapUp);
      assert.equal((await traffic.report()).total, 2);
      assert.equal((await traffic.report(traffic.instant(70_002))).total, 2);
      const recent = await traffic.report(traffic.instant(70_003));
      assert.equal(recent.total, 1);
      assert.equal(recent.byRule.dispositionWithoutAfterCallWork, 1);
      assert.deepEqual(
        recent.findings.map((finding) => finding.communicationId),
        [later.agentLeg],
      );
      assert.equal((await traffic.report(Date.now() + 60_000)).total, 0);
    });

    it('lists the first 200 findings by time while total, byRule and stats count them all', async () => {
      const user = agent(0);
      // 300 presence events, four at each instant: three ties per instant, 225 in all.
      const definition = traffic.running.seed.presenceDefinitions.find(
        (each) => each.systemPresence === 'Busy',
      )!;
      for (let batch = 0; batch < 3; batch++) {
        const userPresenceEvents = Array.from({ length: 100 }, (_, index) => ({
          eventId: randomUUID(),
          eventDateTime: traffic.at((batch * 100 + index) >> 2),
          userId: user,
          sourceId: traffic.running.sourceId,
          presenceDefinitionId: definition.id,
        }));
        assert.deepEqual(await traffic.send(eventEndpoints.presence, { userPresenceEvents }), []);
      }
      const report = await traffic.report();
      assert.equal(report.total, 225);
      assert.equal(report.byRule.sameTimeInUserStream, 225);
      assert.equal(report.findings.length, 200);
      const times = report.findings.map((finding) => Date.parse(finding.at));
      assert.deepEqual(
        times,
        [...times].sort((a, b) => a - b),
      );
      assert.equal(times.at(-1), traffic.instant(66));
      assert.equal(report.total, 225);
    });
  });
});

describe('the consistency evaluation at benchmark scale', () => {
  it('judges 4,000 users, 40,000 timeline entries and 1,500 calls in well under a second', () => {
    const start = Date.parse('2026-11-25T07:00:00.000Z');
    const at = (ms: number) => new Date(start + ms).toISOString();
    const entry = (ms: number, value: TimelineEntry['value']): TimelineEntry => ({
      eventId: randomUUID(),
      eventDateTime: at(ms),
      receivedAt: at(ms),
      sourceId: 'acd',
      value,
    });
    const presence = new Map<string, { timeline: TimelineEntry[] }>();
    const routing = new Map<string, { timeline: TimelineEntry[] }>();
    const users = Array.from({ length: 4_000 }, (_, index) => `user-${index}`);
    users.forEach((userId, index) => {
      // Every tenth agent works on a Break presence: disagreeing from the start to the end.
      const shift = index % 10 === 0 ? 'Break' : 'OnQueue';
      presence.set(userId, { timeline: [0, 1, 2, 3, 4].map((minute) => entry(minute * 60_000, shift)) });
      routing.set(userId, {
        timeline: [
          entry(0, 'Idle'),
          ...[0, 1].flatMap((call) => [
            entry(call * 120_000 + 10_000, 'Interacting'),
            entry(call * 120_000 + 40_000, 'Idle'),
          ]),
        ],
      });
    });
    const conversations: SimulatedConversation[] = users.slice(0, 1_500).map((userId, index) => ({
      conversationId: `conversation-${index}`,
      channel: 'voice',
      legs: {
        [`leg-${index}`]: {
          communicationId: `leg-${index}`,
          key: 'userEstablishedEvents',
          purpose: 'agent',
          userId,
          inbound: true,
          startedConnected: false,
          invitedBy: `queue-${index}`,
          afterCallWorkRequired: true,
          establishedAt: at(10_000),
          endedAt: at(39_000),
          held: false,
          holds: 0,
        },
      },
      openTransfers: {},
      finishedTransfers: {},
      startedAt: at(10_000),
    }));
    const began = performance.now();
    const findings = consistencyFindings(
      { conversations, presence, routing, sameTimeEvents: [] },
      { graceMs: 1_000, now: start + 600_000 },
    );
    const elapsedMs = performance.now() - began;
    const count = (rule: string) => findings.filter((finding) => finding.rule === rule).length;
    assert.equal(count('routingStatusWithoutOnQueue'), 400);
    assert.equal(count('agentStateDuringInteraction'), 150);
    assert.equal(findings.length, 550);
    assert.ok(elapsedMs < 1_000, `took ${Math.round(elapsedMs)} ms`);
  });
});
