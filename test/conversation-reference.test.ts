import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { conversationReference, conversationReferenceFile } from '../tools/reference/conversation-reference';
import { conversationScenarios } from '../tools/load/conversation-scenarios';

describe('the conversation scenario reference', () => {
  it('docs/conversation-scenarios.md is what the translation generates (npm run docs:scenarios)', async () => {
    const page = await conversationReference();
    assert.equal(readFileSync(conversationReferenceFile, 'utf8'), page);
    const parties = { a: 'a', b: 'b', q: 'q', r: 'r', code: 'c' };
    for (const scenario of conversationScenarios('acd', parties)) {
      assert.ok(page.includes(`## ${scenario.name}\n`), `${scenario.name} has a table`);
    }
  });
});
