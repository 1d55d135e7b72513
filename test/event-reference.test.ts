import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { vendorAdapters } from '../client/ingress/adapters';
import { eventVocabulary, ingressEventJsonSchema } from '../tools/reference/event-reference';

const docs = path.join(__dirname, '..', 'docs');
const read = (file: string) => readFileSync(path.join(docs, file), 'utf8');

describe('the normalised event reference', () => {
  it('docs/events.schema.json is what the zod schemas generate (npm run docs:events)', () => {
    assert.deepEqual(JSON.parse(read('events.schema.json')), ingressEventJsonSchema());
  });

  it('docs/events.md names every agent change kind and every voice and email step', () => {
    const page = read('events.md');
    const vocabulary = eventVocabulary();
    assert.ok(vocabulary.voice.length >= 13 && vocabulary.email.length >= 8);
    for (const [where, names] of Object.entries(vocabulary)) {
      for (const name of names)
        assert.ok(page.includes(`\`${name}\``), `${where} ${name} is not in docs/events.md`);
    }
  });

  it('has a page for every vendor adapter, naming its route', () => {
    for (const adapter of vendorAdapters()) {
      const file = `adapters/${adapter.route.replace('/', '-')}.md`;
      assert.ok(read(file).includes(`/v1/adapters/<source>/${adapter.route}`), `${file} names its route`);
      assert.ok(read('events.md').includes(file), `docs/events.md links ${file}`);
    }
  });
});
