import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../tools/stack/toolchain';

/**
 * The folders from the bottom up, and what each may import. An import that points up a layer (the
 * configuration reaching into activities, the simulator into the bridge) fails here, naming the file.
 * No folder lists `scripts/`: it holds runnable entry points only. Workflows import activities as
 * types only; ESLint's workflow rule checks that part.
 */
const mayImport: Record<string, readonly string[]> = {
  domain: [],
  config: ['domain'],
  simulator: ['domain'],
  workflows: ['domain', 'config', 'activities'],
  activities: ['domain', 'config', 'workflows'],
  workers: ['domain', 'config', 'workflows', 'activities'],
  client: ['domain', 'config', 'workflows', 'activities'],
  tools: ['domain', 'config', 'workflows', 'activities', 'workers', 'client', 'simulator'],
  scripts: ['domain', 'config', 'workflows', 'activities', 'workers', 'client', 'simulator', 'tools'],
  test: ['domain', 'config', 'workflows', 'activities', 'workers', 'client', 'simulator', 'tools'],
};

function sourceFiles(folder: string): string[] {
  return readdirSync(path.join(projectRoot, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join(folder, file));
}

/** Every relative import of a file, as the top-level folder it lands in. */
function importedFolders(file: string): { specifier: string; folder: string }[] {
  const text = readFileSync(path.join(projectRoot, file), 'utf8');
  return [...text.matchAll(/(?:from|import|require)\s*\(?\s*'(\.{1,2}(?:\/[^']*)?)'/g)].map(
    ([, specifier]) => {
      const target = path.relative(projectRoot, path.resolve(projectRoot, path.dirname(file), specifier!));
      return { specifier: specifier!, folder: target.split(path.sep)[0]! };
    },
  );
}

describe('the layers of the code', () => {
  it('has no import that points up a layer or sideways into another area', () => {
    const wrong: string[] = [];
    let imports = 0;
    for (const [folder, allowed] of Object.entries(mayImport)) {
      for (const file of sourceFiles(folder)) {
        for (const { specifier, folder: target } of importedFolders(file)) {
          imports += 1;
          if (target !== folder && !allowed.includes(target) && !target.endsWith('.json')) {
            wrong.push(`${file} imports '${specifier}' (${target}/), which ${folder}/ may not use`);
          }
        }
      }
    }
    assert.ok(imports > 500, `read ${imports} imports: the scan found the code`);
    assert.deepEqual(wrong, []);
  });
});
