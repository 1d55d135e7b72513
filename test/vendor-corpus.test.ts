/**
 * The vendor fixture corpus: every file under test/fixtures/vendors/<vendor>/<route>/ is one payload shape
 * from a vendor's documentation, with what the adapter at that route must make of it. Adding a file adds
 * a case; the format is in test/fixtures/vendors/README.md.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { adapterMappingsSchema, vendorAdapters } from '../client/ingress/adapters';
import { BridgeClient } from '../client/library/bridge-client';

const corpusRoot = path.join(__dirname, 'fixtures', 'vendors');

const fieldErrorSchema = z.strictObject({ field: z.string(), message: z.string(), code: z.string() });
const translationSchema = z.union([
  z.strictObject({ record: z.number().int(), events: z.array(z.record(z.string(), z.unknown())) }),
  z.strictObject({ record: z.number().int(), ignored: z.string().min(1) }),
  z.strictObject({ record: z.number().int(), refused: z.array(fieldErrorSchema).min(1) }),
]);
const corpusFileSchema = z.strictObject({
  documentation: z.url({ protocol: /^https$/ }),
  describes: z.string().min(1),
  adapter: z.string().regex(/^[a-z0-9-]+(\/[a-z0-9-]+)+$/, 'must be an adapter route'),
  mapping: adapterMappingsSchema.optional(),
  records: z.array(z.unknown()).min(1),
  translations: z.array(translationSchema).min(1),
});
type CorpusFile = z.infer<typeof corpusFileSchema>;

/** Where a route's corpus lives: `<vendor>/<rest of the route, slashes as dashes>`. */
function directoryOf(route: string): string {
  const [vendor, ...rest] = route.split('/');
  return path.join(vendor!, rest.join('-'));
}

/** Every corpus file (those two folders deep), by its path under the corpus root. */
function corpusFiles(): Map<string, unknown> {
  const files = readdirSync(corpusRoot, { recursive: true, encoding: 'utf8' }).filter(
    (file) => file.endsWith('.json') && file.split(path.sep).length === 3,
  );
  return new Map(
    files.sort().map((file) => [file, JSON.parse(readFileSync(path.join(corpusRoot, file), 'utf8'))]),
  );
}

/** A produced event the ingress would refuse, as of its own `occurredAt` (so age never matters). */
function invalidEvents(translations: unknown[]): unknown[] {
  const checker = (atMs: number) => new BridgeClient({} as Client, { taskQueue: 'unused', now: () => atMs });
  return translations
    .flatMap((translation) => translationSchema.parse(translation))
    .flatMap((translation) => ('events' in translation ? translation.events : []))
    .map((event, index) => checker(Date.parse(String(event.occurredAt))).validate(event, index))
    .filter((routed) => 'outcome' in routed);
}

describe('the vendor fixture corpus', () => {
  const files = corpusFiles();

  it('has a file for every adapter the ingress serves', () => {
    const covered = new Set(
      [...files.keys()].map((file) => path.dirname(file)).filter((directory) => directory !== '.'),
    );
    const routes = vendorAdapters().map((adapter) => adapter.route);
    assert.deepEqual(
      routes.filter((route) => !covered.has(directoryOf(route))),
      [],
    );
  });

  for (const [file, content] of files) {
    it(`translates ${file} as documented`, () => {
      const parsed = corpusFileSchema.safeParse(content);
      assert.ok(parsed.success, `${file} is not a corpus file: ${parsed.error?.message}`);
      const corpus: CorpusFile = parsed.data;
      assert.equal(
        path.dirname(file),
        directoryOf(corpus.adapter),
        'the file lives under its adapter’s route',
      );
      const adapter = vendorAdapters(corpus.mapping).find((candidate) => candidate.route === corpus.adapter);
      assert.ok(adapter, `no adapter serves ${corpus.adapter}`);
      const translations = adapter.translate(corpus.records, 'fixture');
      assert.deepEqual(translations, corpus.translations);
      assert.deepEqual(invalidEvents(translations), [], 'every event is one the ingress takes');
    });
  }
});
