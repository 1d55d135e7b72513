/** Writes docs/events.schema.json from the zod schemas (`npm run docs:events`), formatted as the repo is. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';
import { ingressEventJsonSchema } from '../tools/reference/event-reference';
import { projectRoot } from '../tools/stack/toolchain';

async function main(): Promise<void> {
  const file = path.join(projectRoot, 'docs', 'events.schema.json');
  const options = (await resolveConfig(file)) ?? {};
  writeFileSync(file, await format(JSON.stringify(ingressEventJsonSchema()), { ...options, filepath: file }));
  console.log(`wrote ${path.relative(projectRoot, file)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
