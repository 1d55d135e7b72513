/** Writes docs/events.schema.json from the zod schemas (`npm run docs:events`). */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ingressEventJsonSchema } from '../client/event-reference';
import { projectRoot } from './toolchain';

const file = path.join(projectRoot, 'docs', 'events.schema.json');
writeFileSync(file, `${JSON.stringify(ingressEventJsonSchema(), null, 2)}\n`);
console.log(`wrote ${path.relative(projectRoot, file)}`);
