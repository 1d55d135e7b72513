import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { projectRoot } from '../tools/stack/toolchain';
import { directoryScheduleId } from '../client/library/directory-sync';
import { freePort, localEnvironment, uniqueTaskQueue } from './harness';
import { exited, inheritedEnvironment } from './processes';

/** A console line that is a structured log entry rather than the main job's own words. */
function isJsonLogLine(line: string): boolean {
  try {
    const parsed: unknown = JSON.parse(line);
    return typeof parsed === 'object' && parsed !== null;
  } catch {
    return false;
  }
}

describe("the main job's console", function () {
  this.timeout(120_000);
  const source = 'demo-console';
  let dataDir: string;

  before(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'byoi-demo-console-'));
  });
  after(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await localEnvironment()
      .client.schedule.getHandle(directoryScheduleId(source))
      .delete()
      .catch(() => undefined);
  });

  it('keeps to its own progress, says what failed, and leaves every process log in the file it names', async () => {
    // An earlier run's log, and more of them than are kept: the oldest go.
    const logs = path.join(dataDir, 'logs');
    mkdirSync(logs, { recursive: true });
    const earlier = Array.from(
      { length: 12 },
      (_, n) => `demo-2026-01-${String(n + 1).padStart(2, '0')}.log`,
    );
    for (const name of earlier) writeFileSync(path.join(logs, name), '');
    // A snapshot the sync refuses for good: the worker logs the failure, the main job fails on it.
    const snapshot = path.join(dataDir, 'broken-directory.json');
    writeFileSync(snapshot, JSON.stringify({ users: 'none' }));
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, 'scripts', 'demo.ts')], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...inheritedEnvironment(),
        TEMPORAL_ADDRESS: localEnvironment().address,
        BYOI_TASK_QUEUE: uniqueTaskQueue('demo-console'),
        BYOI_SOURCE: source,
        BYOI_DATA_DIR: dataDir,
        BYOI_DIRECTORY_SNAPSHOT: snapshot,
        BYOI_SIMULATOR_PORT: String(await freePort()),
        BYOI_LOG_LEVEL: 'info',
      },
    });
    let printed = '';
    child.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    await exited(child);

    const lines = printed.trimEnd().split('\n');
    assert.equal(child.exitCode, 1, printed);
    assert.deepEqual(lines.filter(isJsonLogLine), [], 'no structured log line on the console');
    const named = /^\[byoi-bridge\] this run's log \(.*\): (.+\.log)$/.exec(lines[0]!);
    assert.ok(named, `the first line names the log: ${lines[0]}`);
    const logFile = named[1]!;
    assert.equal(path.dirname(logFile), logs);
    assert.match(
      printed,
      /^\[byoi-bridge\] failed: Workflow execution failed: Activity task failed: invalid directory snapshot:$/m,
    );
    assert.ok(printed.includes(`[byoi-bridge] the end of this run's log, ${logFile}:`), printed);
    assert.ok(
      lines.some((line) => /^ {2}byoi-(worker|demo) (info|warn|error): /.test(line)),
      printed,
    );

    assert.ok(existsSync(logFile));
    const logged = readFileSync(logFile, 'utf8').split('\n').filter(isJsonLogLine);
    const names = new Set(logged.map((line) => (JSON.parse(line) as { name?: string }).name));
    assert.ok(names.has('byoi-worker'), "the worker's own log lines are in the file");
    assert.ok(names.has('byoi-demo'), "the main job's own log lines are in the file");
    assert.ok(logged.some((line) => line.includes('the main job failed')));
    assert.ok(
      logged.some((line) => line.includes('starting a bridge worker')),
      'the steps are in the file too',
    );
    // This run's and the latest nine before it.
    assert.deepEqual(readdirSync(logs).sort(), [...earlier.slice(3), path.basename(logFile)]);
  });
});
