import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { interactionEventSchema, type InteractionEvent } from '../domain/events/interaction-event';
import { conversationEventSchemas } from '../domain/genesys';
import { applyConversationEvent } from '../simulator/conversation-rules';
import type { SimulatedConversation } from '../simulator/conversation-model';
import type { ConversationEventKey } from '../domain/genesys';
import {
  closeAll,
  translate,
  type LifecycleState,
  type TranslationContext,
} from '../workflows/conversation-lifecycle';
import { stampTimes } from '../workflows/event-stream';
import { conversationIdMinter, conversationIdOf } from '../domain/genesys/derived-ids';
import { conversationScenarios, type ExpectedLeg } from './conversation-fixtures';

const parties = { a: 'agent-1', b: 'agent-2', q: 'Sales', r: 'Support', code: 'Resolved' };
const context: TranslationContext = {
  sourceId: randomUUID(),
  ids: {
    users: { [parties.a]: randomUUID(), [parties.b]: randomUUID() },
    queues: { [parties.q]: randomUUID(), [parties.r]: randomUUID() },
    wrapupCodes: { [parties.code]: randomUUID() },
  },
  mint: randomUUID,
};
const everythingExists = { userExists: () => true, queueExists: () => true, wrapupCodeExists: () => true };

interface SentEvent {
  key: ConversationEventKey;
  event: Record<string, unknown> & { eventDateTime: string; communicationId?: string };
}

/**
 * Translates every event, stamps it as the workflow does and feeds the result through the simulator's
 * rules, as Genesys would see it; answers the events sent too.
 */
function run(events: InteractionEvent[]): {
  state: LifecycleState;
  conversation: SimulatedConversation;
  sent: SentEvent[];
} {
  let state: LifecycleState | undefined;
  let conversation: SimulatedConversation | undefined;
  let lastStampMs = Number.NEGATIVE_INFINITY;
  const sent: SentEvent[] = [];
  for (const event of events) {
    const translation = translate(state, event, context);
    assert.ok(translation.ok, translation.ok ? '' : translation.reason);
    const times = stampTimes(translation.events.length, Date.parse(event.occurredAt), lastStampMs);
    lastStampMs = times.at(-1) ?? lastStampMs;
    for (const [index, planned] of translation.events.entries()) {
      const genesysEvent = conversationEventSchemas[planned.key].parse({
        ...planned.event,
        eventId: randomUUID(),
        eventDateTime: new Date(times[index]!).toISOString(),
      });
      sent.push({ key: planned.key, event: genesysEvent });
      const applied = applyConversationEvent(
        conversation,
        planned.key,
        genesysEvent as never,
        everythingExists,
      );
      assert.ok(applied.outcome.accepted, applied.outcome.accepted ? '' : applied.outcome.message);
      conversation = applied.conversation;
    }
    state = translation.state;
  }
  return { state: state!, conversation: conversation!, sent };
}

/** The simulator's legs, named as the scenario names them. */
function legsOf(conversation: SimulatedConversation): ExpectedLeg[] {
  const name = (table: Record<string, string>, id: string | undefined) =>
    Object.entries(table).find(([, value]) => value === id)?.[0];
  return Object.values(conversation.legs).map((leg) => ({
    purpose: leg.purpose as ExpectedLeg['purpose'],
    ...(leg.purpose === 'agent' ? { party: name(context.ids.users, leg.userId) } : {}),
    ...(leg.purpose === 'acd' ? { party: name(context.ids.queues, leg.queueId) } : {}),
    disconnectType: leg.disconnectType ?? 'still live',
    ...(leg.wrapup?.code === undefined ? {} : { wrapup: name(context.ids.wrapupCodes, leg.wrapup.code) }),
    ...(leg.holds > 0 ? { holds: leg.holds } : {}),
  }));
}

function step(change: unknown, interactionId = 'call-1', channel = 'voice'): InteractionEvent {
  return interactionEventSchema.parse({
    source: 'acd',
    channel,
    interactionId,
    eventId: randomUUID(),
    occurredAt: new Date().toISOString(),
    change,
  });
}

describe('the conversation lifecycle translation', () => {
  for (const scenario of conversationScenarios('acd', parties)) {
    it(`${scenario.name}: every Genesys event passes the rules and the legs end as they should`, () => {
      const { state, conversation } = run(scenario.events);
      assert.deepEqual(legsOf(conversation), scenario.legs);
      assert.ok(conversation.endedAt !== undefined, 'every leg ended');
      assert.equal(state.conversationId, conversation.conversationId);
    });
  }

  it('says what the SDK models describe: ringing legs answered, connected ones not, queueId outbound only, invitedBy, after-call work, includeMessage, strictly increasing times', () => {
    for (const scenario of conversationScenarios('acd', parties)) {
      const { sent } = run(scenario.events);
      const established = new Map<string, Record<string, unknown>>();
      const answered = new Set<string>();
      let lastMs = Number.NEGATIVE_INFINITY;
      for (const { key, event } of sent) {
        const where = `${scenario.name}: ${key}`;
        const atMs = Date.parse(event.eventDateTime);
        assert.ok(
          atMs > lastMs,
          `${where} at ${event.eventDateTime} follows an event of the same time or later`,
        );
        lastMs = atMs;
        if (key.endsWith('EstablishedEvents')) {
          const configuration = event.initialConfiguration as Record<string, unknown>;
          const invitedBy = configuration.invitedBy as string | undefined;
          if (invitedBy !== undefined) {
            assert.ok(established.has(invitedBy), `${where}: invitedBy names a leg established before`);
          }
          if (key === 'userEstablishedEvents' || key === 'emailUserEstablishedEvents') {
            assert.equal(event.afterCallWorkRequired, true, `${where}: a wrap-up is expected`);
            if (configuration.inbound === true) {
              assert.equal(event.queueId, undefined, `${where}: queueId applies to outbound only`);
              assert.ok(invitedBy !== undefined, `${where}: an inbound agent leg says who offered it`);
            }
          }
          if (key === 'emailExternalEstablishedEvents' && configuration.inbound === true) {
            assert.equal(event.includeMessage, true, `${where}: the customer's email is the first message`);
          }
          established.set(event.communicationId!, configuration);
        }
        if (key === 'communicationAnsweredEvents' || key === 'emailCommunicationAnsweredEvents') {
          const configuration = established.get(event.communicationId!);
          assert.equal(configuration?.alerting, true, `${where}: only a ringing leg is answered`);
          assert.ok(!answered.has(event.communicationId!), `${where}: answered once`);
          answered.add(event.communicationId!);
        }
      }
    }
  });

  it('places an outbound call on behalf of its queue: the agent’s leg starts connected and carries the queue', () => {
    const [outbound] = conversationScenarios('acd', parties).filter((each) => each.name === 'outbound call');
    const { sent } = run(outbound!.events);
    const [agentLeg] = sent.filter((each) => each.key === 'userEstablishedEvents');
    assert.equal(agentLeg!.event.queueId, context.ids.queues[parties.q]);
    assert.deepEqual(agentLeg!.event.initialConfiguration, { inbound: false, alerting: false });
    const customer = sent.find((each) => each.key === 'externalEstablishedEvents')!;
    assert.equal(
      (customer.event.initialConfiguration as { invitedBy?: string }).invitedBy,
      agentLeg!.event.communicationId,
    );
    assert.deepEqual(
      sent
        .filter((each) => each.key === 'communicationAnsweredEvents')
        .map((each) => each.event.communicationId),
      [customer.event.communicationId],
      'only the customer, who was rung, answers',
    );
  });

  it('mints every id once: a conversation, then one communication per leg', () => {
    const [scenario] = conversationScenarios('acd', parties);
    const { state } = run(scenario!.events);
    const ids = [state.conversationId, ...state.legs.map((leg) => leg.communicationId)];
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(state.legs.length, 3);
  });

  it('translates every step alike on a second run with the workflow’s derived minter, and with ids of its own in another conversation', () => {
    /** Every step translated as the workflow does, each with its own minter; answers the ids and events. */
    const translateAll = (events: InteractionEvent[], conversationId: string) => {
      let state: LifecycleState | undefined;
      const planned: unknown[] = [];
      for (const event of events) {
        const { source, interactionId, eventId } = event;
        const mint = conversationIdMinter({ source, interactionId, conversationId, step: { eventId } });
        const translation = translate(state, event, { ...context, mint, conversationId });
        assert.ok(translation.ok, translation.ok ? '' : translation.reason);
        planned.push(...translation.events);
        state = translation.state;
      }
      return { state: state!, planned };
    };
    for (const scenario of conversationScenarios('acd', parties)) {
      const { source, interactionId } = scenario.events[0]!;
      const conversationId = conversationIdOf(source, interactionId);
      const first = translateAll(scenario.events, conversationId);
      assert.deepEqual(translateAll(scenario.events, conversationId), first, scenario.name);
      const elsewhere = translateAll(scenario.events, randomUUID());
      const legsOf = (state: LifecycleState) => state.legs.map((leg) => leg.communicationId);
      const shared = legsOf(elsewhere.state).filter((id) => legsOf(first.state).includes(id));
      assert.deepEqual(shared, [], `${scenario.name}: no communication id shared with another conversation`);
    }
  });

  it('refuses what Genesys cannot express, naming the event and the state', () => {
    const started = translate(
      undefined,
      step({ type: 'started', direction: 'inbound', ani: '1', dnis: '2' }),
      context,
    );
    assert.ok(started.ok);
    const held = step({ type: 'held', agentId: parties.a });
    const refused = translate(started.state, held, context);
    assert.deepEqual(refused, {
      ok: false,
      reason: `agent agent-1 is not on the interaction: held (event ${held.eventId}) in a voice conversation with customer`,
    });
    const early = step({ type: 'answered', agentId: parties.a });
    const before = translate(undefined, early, context);
    assert.ok(
      !before.ok &&
        /^a voice conversation starts with started: answered \(event .+\) before the conversation started$/.test(
          before.reason,
        ),
    );
    const unknown = translate(started.state, step({ type: 'queued', queueId: 'Nowhere' }), context);
    assert.ok(!unknown.ok && unknown.reason.startsWith('queue Nowhere has no Genesys queue: queued (event '));
  });

  it('lets only a wrap-up follow the end, once per agent', () => {
    const [scenario] = conversationScenarios('acd', parties);
    const { state } = run(scenario!.events);
    const again = translate(state, step({ type: 'wrapUp', agentId: parties.a }), context);
    assert.ok(!again.ok && again.reason.startsWith('agent agent-1 has wrapped up already: wrapUp (event '));
    const hold = translate(state, step({ type: 'held', agentId: parties.a }), context);
    assert.ok(!hold.ok && hold.reason.includes('nothing but a wrap-up follows the end of the conversation'));
  });

  it('ends every live leg of an abandoned conversation with a System disconnect', () => {
    const [scenario] = conversationScenarios('acd', parties);
    const { state } = run(scenario!.events.slice(0, 4));
    const closing = closeAll(state, 'call-1', context);
    assert.ok(closing.ok);
    assert.deepEqual(
      closing.events.map((planned) => [
        planned.key,
        'disconnectType' in planned.event ? planned.event.disconnectType : '',
      ]),
      [
        ['communicationEndedEvents', 'System'],
        ['communicationEndedEvents', 'System'],
      ],
    );
  });
});
