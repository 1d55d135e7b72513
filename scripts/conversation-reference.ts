/** Writes docs/conversation-scenarios.md (`npm run docs:scenarios`). */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { conversationReference, conversationReferenceFile } from '../tools/reference/conversation-reference';
import { projectRoot } from '../tools/stack/toolchain';

async function main(): Promise<void> {
  writeFileSync(conversationReferenceFile, await conversationReference());
  console.log(`wrote ${path.relative(projectRoot, conversationReferenceFile)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
