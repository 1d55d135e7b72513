import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { environmentSchema } from '../config';
import { projectRoot } from '../tools/stack/toolchain';

const read = (file: string) => readFileSync(path.join(projectRoot, file), 'utf8');
const readme = read('README.md');
const pages = [
  'README.md',
  'client/README.md',
  'simulator/README.md',
  ...readdirSync(path.join(projectRoot, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.md'))
    .map((file) => path.join('docs', file)),
];
const topFolders = new Set(
  readdirSync(projectRoot, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name),
);

/** The README's settings table: variable → the default column as written. */
function settingsTable(): Map<string, string> {
  const section = readme.split('## Configuration')[1]!.split('\n## ')[0]!;
  const rows = [...section.matchAll(/^\| `([A-Z0-9_]+)` +\| ([^|]*?) +\|/gm)];
  return new Map(rows.map(([, name, defaultCell]) => [name!, defaultCell!]));
}

describe('the README and the docs', () => {
  it('start with exactly the two quick-start commands, the second being what CI runs', () => {
    const quickStart = readme.split('## Quick start')[1]!.split('\n## ')[0]!;
    const commands = /```sh\n([\s\S]*?)```/.exec(quickStart)![1]!.trim().split('\n');
    assert.deepEqual(
      commands.map((line) => line.split('#')[0]!.trim()),
      ['npm start', 'npm test'],
    );
    assert.match(read('.ci/run'), /^npm test$/m);
  });

  it('name only npm scripts that exist', () => {
    const scripts = Object.keys((JSON.parse(read('package.json')) as { scripts: object }).scripts);
    const named = new Set(
      pages.flatMap((page) => [...read(page).matchAll(/npm run ([a-z][a-z:-]*)/g)].map(([, name]) => name!)),
    );
    assert.ok(named.size >= 8, `found ${named.size} npm scripts named`);
    assert.deepEqual(
      [...named].filter((name) => !scripts.includes(name)),
      [],
    );
  });

  it('list every setting the configuration reads, each with the default the code has', () => {
    const table = settingsTable();
    const variables = Object.keys(environmentSchema.shape);
    assert.deepEqual(
      [...table.keys()].filter((name) => !name.startsWith('TEMPORAL_')).sort(),
      [...variables].sort(),
    );
    const defaults = environmentSchema.parse({}) as Record<string, string | number | undefined>;
    const wrong = variables
      .filter((name) => defaults[name] !== undefined && table.get(name) !== `\`${String(defaults[name])}\``)
      .map((name) => `${name}: README says ${table.get(name)}, the code ${String(defaults[name])}`);
    assert.deepEqual(wrong, []);
  });

  it('point only at files and pages that exist', () => {
    const missing: string[] = [];
    for (const page of pages) {
      const text = read(page);
      const paths = [...text.matchAll(/`([.\w-]+\/[\w./-]*)`/g)]
        .map(([, candidate]) => candidate!)
        .filter((candidate) => topFolders.has(candidate.split('/')[0]!));
      const links = [...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
        .map(([, target]) => target!)
        .filter((target) => !/^[a-z]+:/.test(target))
        .map((target) => path.join(path.dirname(page), target));
      for (const target of [...paths, ...links]) {
        if (!existsSync(path.join(projectRoot, target))) missing.push(`${page}: ${target}`);
      }
    }
    assert.deepEqual(missing, []);
  });

  it('keep the README a door: about 200 lines, the rest in docs/', () => {
    assert.ok(readme.split('\n').length <= 220, `README.md has ${readme.split('\n').length} lines`);
  });
});
