import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot, temporalCliPath } from '../tools/stack/toolchain';

describe('the set-up step', () => {
  it('finds everything in place on a second run and installs nothing', function () {
    this.timeout(120_000);
    // Never reinstall node_modules under a running test: a stale tree fails here instead.
    const check = spawnSync('bash', ['scripts/setup.sh', '--check'], { cwd: projectRoot, encoding: 'utf8' });
    assert.equal(check.status, 0, `set-up is stale; run \`npm run setup\` first:\n${check.stdout}`);
    const run = spawnSync('bash', ['scripts/setup.sh'], { cwd: projectRoot, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /npm dependencies: up to date/);
    assert.match(run.stdout, /temporal CLI and test server: up to date/);
    assert.doesNotMatch(run.stdout, /installing|building/);
  });

  it('provisions the pinned Temporal CLI into the project', () => {
    const manifest = JSON.parse(readFileSync(path.join(projectRoot, '.tools/manifest.json'), 'utf8')) as {
      temporalCli: { version: string };
    };
    const cli = temporalCliPath();
    assert.ok(cli.startsWith(path.join(projectRoot, '.tools')), `${cli} is project-local`);
    const version = execFileSync(cli, ['--version'], { encoding: 'utf8' });
    assert.match(
      version,
      new RegExp(`temporal version ${manifest.temporalCli.version.replace(/\./g, '\\.')}\\b`),
    );
  });
});
