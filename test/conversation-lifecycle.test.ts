import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { interactionEventSchema, type InteractionEvent } from '../activities/events/interaction-event';
import { conversationEventSchemas } from '../activities/genesys/contract';
import { applyConversationEvent } from '../simulator/conversation-rules';
import type { SimulatedConversation } from '../simulator/conversation-model';
import {
  closeAll,
  translate,
  type LifecycleState,
  type TranslationContext,
} from '../workflows/conversation-lifecycle';
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

/** Translates every event and feeds the result through the simulator's rules, as Genesys would see it. */
function run(events: InteractionEvent[]): { state: LifecycleState; conversation: SimulatedConversation } {
  let state: LifecycleState | undefined;
  let conversation: SimulatedConversation | undefined;
  for (const event of events) {
    const translation = translate(state, event, context);
    assert.ok(translation.ok, translation.ok ? '' : translation.reason);
    for (const planned of translation.events) {
      const genesysEvent = conversationEventSchemas[planned.key].parse({
        ...planned.event,
        eventId: randomUUID(),
        eventDateTime: event.occurredAt,
      });
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
  return { state: state!, conversation: conversation! };
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

  it('mints every id once: a conversation, then one communication per leg', () => {
    const [scenario] = conversationScenarios('acd', parties);
    const { state } = run(scenario!.events);
    const ids = [state.conversationId, ...state.legs.map((leg) => leg.communicationId)];
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(state.legs.length, 3);
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
      reason: `held (event ${held.eventId}) in a voice conversation with customer: agent agent-1 is not on the interaction`,
    });
    const early = step({ type: 'answered', agentId: parties.a });
    const before = translate(undefined, early, context);
    assert.ok(
      !before.ok &&
        /^answered \(event .+\) before the conversation started: a voice conversation starts with started$/.test(
          before.reason,
        ),
    );
    const unknown = translate(started.state, step({ type: 'queued', queueId: 'Nowhere' }), context);
    assert.ok(!unknown.ok && unknown.reason.endsWith('queue Nowhere has no Genesys queue'));
  });

  it('lets only a wrap-up follow the end, once per agent', () => {
    const [scenario] = conversationScenarios('acd', parties);
    const { state } = run(scenario!.events);
    const again = translate(state, step({ type: 'wrapUp', agentId: parties.a }), context);
    assert.ok(!again.ok && again.reason.endsWith('agent agent-1 has wrapped up already'));
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
