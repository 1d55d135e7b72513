/**
 * Where the provisioned Temporal binaries are: scripts/setup.sh writes .tools/manifest.json, this reads
 * it once (zod at the file boundary) and answers in the shapes the Temporal SDK and the launcher need.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { EphemeralServerExecutable } from '@temporalio/testing';
import { z } from 'zod';

/** The project's root folder. */
export const projectRoot = path.resolve(__dirname, '..', '..');

const toolSchema = z.object({
  version: z.string().min(1),
  via: z.string(),
  path: z.string(),
});
const manifestSchema = z.object({ temporalCli: toolSchema, testServer: toolSchema });

/** One provisioned tool as recorded by set-up. */
export type ProvisionedTool = z.infer<typeof toolSchema>;

let manifest: z.infer<typeof manifestSchema> | undefined;

function readManifest(): z.infer<typeof manifestSchema> {
  if (manifest) return manifest;
  const file = path.join(projectRoot, '.tools', 'manifest.json');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`${file} is missing: run \`npm run setup\` (scripts/setup.sh) first`);
  }
  manifest = manifestSchema.parse(JSON.parse(text));
  return manifest;
}

function executable(tool: ProvisionedTool): EphemeralServerExecutable {
  // An empty path means set-up found no local build and the SDK's download host answered.
  if (tool.path === '') return { type: 'cached-download' };
  return { type: 'existing-path', path: path.join(projectRoot, tool.path) };
}

/** The Temporal CLI as the SDK's `server.executable` option. */
export function temporalCliExecutable(): EphemeralServerExecutable {
  return executable(readManifest().temporalCli);
}

/** The time-skipping test server as the SDK's `server.executable` option. */
export function testServerExecutable(): EphemeralServerExecutable {
  return executable(readManifest().testServer);
}

/** The absolute path of the Temporal CLI binary, for launching `temporal server start-dev` directly. */
export function temporalCliPath(): string {
  const tool = readManifest().temporalCli;
  if (tool.path === '') {
    throw new Error(
      'no local Temporal CLI was provisioned (set-up chose the SDK download): install python3 or go and rerun `npm run setup`',
    );
  }
  return path.join(projectRoot, tool.path);
}
