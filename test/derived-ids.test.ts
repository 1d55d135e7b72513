import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  agentEventId,
  conversationEventId,
  conversationIdMinter,
  conversationIdOf,
  derivedUuid,
  type ConversationStepKey,
} from '../domain/genesys/derived-ids';
import { uuidV4 } from '../domain/genesys/fields';

const agentChange = {
  source: 'acd',
  agentId: 'agent-7',
  eventId: 'evt-1',
  userId: 'b8a5a0e6-2f44-4d3c-9f0c-0d6f3a1c2e11',
  sourceId: '5f0c8a3e-9b1d-4e2a-8c7f-6a4b3d2e1f00',
};
const step: ConversationStepKey = {
  source: 'acd',
  interactionId: 'call-4711',
  conversationId: conversationIdOf('acd', 'call-4711'),
  step: { eventId: 'evt-9' },
};

/** Each variant of `base` with one field changed. */
function eachFieldChanged<T extends object>(base: T, changed: (value: unknown) => unknown): T[] {
  return Object.keys(base).map((field) => ({
    ...base,
    [field]: changed(base[field as keyof T]),
  }));
}

describe('Genesys ids derived from the source', () => {
  it('derives the same id from the same parts on every call', () => {
    assert.equal(agentEventId({ ...agentChange }), agentEventId({ ...agentChange }));
    assert.equal(conversationIdOf('acd', 'call-4711'), conversationIdOf('acd', 'call-4711'));
    assert.equal(conversationEventId({ ...step }, 3), conversationEventId({ ...step }, 3));
    const first = conversationIdMinter(step);
    const again = conversationIdMinter({ ...step, step: { eventId: 'evt-9' } });
    const firstIds = [first(), first(), first()];
    assert.deepEqual([again(), again(), again()], firstIds);
  });

  it('is SHA-256 of the namespaced parts with the version and variant bits set, as node:crypto computes it', () => {
    const parts = ['agent-event', 'acd', 'agent-7', 'evt-1', 'user', 'source'];
    const digest = createHash('sha256')
      .update(JSON.stringify(['byoi-bridge/genesys-id/1', ...parts]))
      .digest()
      .subarray(0, 16);
    digest[6] = (digest[6]! & 0x0f) | 0x40;
    digest[8] = (digest[8]! & 0x3f) | 0x80;
    const expected = digest.toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
    assert.equal(derivedUuid(parts), expected);
  });

  it('derives a different agent event id when any of source, agent, event, user or presence source differs', () => {
    const ids = [agentChange, ...eachFieldChanged(agentChange, (value) => `${String(value)}x`)].map(
      agentEventId,
    );
    assert.equal(ids.length, 6);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('derives a different conversation id for another source or interaction', () => {
    const ids = [
      conversationIdOf('acd', 'call-4711'),
      conversationIdOf('acdx', 'call-4711'),
      conversationIdOf('acd', 'call-4712'),
      // Parts that would concatenate alike stay apart.
      conversationIdOf('acdc', 'all-4711'),
    ];
    assert.equal(new Set(ids).size, ids.length);
  });

  it("derives a different step id when the source, interaction, conversation, step or ordinal differs, and an abandon's apart", () => {
    const keys: ConversationStepKey[] = [
      step,
      { ...step, source: 'crm' },
      { ...step, interactionId: 'call-4712' },
      { ...step, conversationId: conversationIdOf('acd', 'call-4712') },
      { ...step, step: { eventId: 'evt-10' } },
      { ...step, step: 'abandon' },
      // A source event that happens to be called "abandon" is still a step.
      { ...step, step: { eventId: 'abandon' } },
    ];
    const eventIds = keys.flatMap((key) => [conversationEventId(key, 0), conversationEventId(key, 1)]);
    const minted = keys.flatMap((key) => {
      const mint = conversationIdMinter(key);
      return [mint(), mint()];
    });
    const all = [...eventIds, ...minted];
    assert.equal(all.length, 28);
    assert.equal(new Set(all).size, all.length, 'communication ids, command ids and event ids never meet');
  });

  it('formats every id as a UUID v4 with the RFC 4122 variant, as Genesys requires', () => {
    const mint = conversationIdMinter(step);
    const ids = Array.from({ length: 200 }, (_, index) => [
      derivedUuid([index]),
      agentEventId({ ...agentChange, eventId: `evt-${index}` }),
      conversationIdOf('acd', `call-${index}`),
      conversationEventId(step, index),
      mint(),
    ]).flat();
    for (const id of ids) {
      assert.ok(uuidV4.safeParse(id).success, `${id} is a UUID v4`);
      assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
    assert.equal(new Set(ids).size, ids.length);
    // The bits left after the version and variant are the hash's: each of the variant's four values occurs.
    assert.equal(new Set(ids.map((id) => id[19])).size, 4);
  });
});
