/**
 * The mocha harness: one real Temporal dev server for the whole run (the provisioned CLI, the bridge's
 * search attributes), a time-skipping server started on first use, cached workflow bundles, and small
 * helpers to run a worker around a test.
 */
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import type { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Worker, type WorkerOptions, type WorkflowBundle } from '@temporalio/worker';
import { sealedFailureConverterPath } from '../config/data-converter';
import { temporalCliExecutable, testServerExecutable } from '../tools/stack/toolchain';
import { byoiSearchAttributes, searchAttributeTypeName } from '../workflows/search-attributes';

let local: TestWorkflowEnvironment | undefined;
let timeSkipping: Promise<TestWorkflowEnvironment> | undefined;
const bundles = new Map<string, Promise<WorkflowBundle>>();

/** The dev server shared by every test in the run. */
export function localEnvironment(): TestWorkflowEnvironment {
  if (!local) throw new Error('the shared Temporal dev server is not running (test/hooks.ts starts it)');
  return local;
}

/** `temporal.api.enums.v1.IndexedValueType`'s TEXT and KEYWORD. */
const indexedValueType = { Text: 1, Keyword: 2 } as const;

/** The time-skipping test server, started on first use and shared afterwards. */
export function timeSkippingEnvironment(): Promise<TestWorkflowEnvironment> {
  timeSkipping ??= TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: testServerExecutable() },
  }).then(async (environment) => {
    // The bridge's workflows upsert its search attributes; the test server takes them like a cluster does.
    await environment.connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: Object.fromEntries(
        byoiSearchAttributes.map((key) => [key.name, indexedValueType[searchAttributeTypeName(key)]]),
      ),
    });
    return environment;
  });
  return timeSkipping;
}

/**
 * Bundles a workflows module once per run; `sealed` builds it for workers whose payloads are sealed (their
 * failures' messages go into sealed payloads, config/data-converter.ts).
 */
export function workflowBundle(workflowsPath: string, sealed = false): Promise<WorkflowBundle> {
  const cacheKey = `${workflowsPath}${sealed ? ' sealed' : ''}`;
  let bundle = bundles.get(cacheKey);
  if (!bundle) {
    bundle = bundleWorkflowCode({
      workflowsPath,
      logger: quietBundlerLogger,
      ...(sealed ? { failureConverterPath: sealedFailureConverterPath } : {}),
    });
    bundles.set(cacheKey, bundle);
  }
  return bundle;
}

/** The bundle of the harness's own fixture workflows. */
export function fixtureBundle(): Promise<WorkflowBundle> {
  return workflowBundle(require.resolve('./fixtures/workflows'));
}

/** A task queue no other test uses. */
export function uniqueTaskQueue(prefix: string): string {
  return `${prefix}-${randomUUID()}`;
}

/** Runs a worker on the given environment while `body` runs, then shuts it down. */
export async function withWorker<T>(
  environment: TestWorkflowEnvironment,
  options: Omit<WorkerOptions, 'connection'>,
  body: () => Promise<T>,
): Promise<T> {
  const worker = await Worker.create({ connection: environment.nativeConnection, ...options });
  return worker.runUntil(body);
}

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

let localUiPort: number | undefined;

/** The shared dev server's Web UI, e.g. `http://127.0.0.1:41233`. */
export function localWebUi(): string {
  if (localUiPort === undefined) throw new Error('the shared Temporal dev server is not running');
  return `http://127.0.0.1:${localUiPort}`;
}

/** Starts the shared dev server, with its Web UI for the browser tests. */
export async function startSharedServers(): Promise<void> {
  localUiPort = await freePort();
  local = await startDevServer(localUiPort);
}

/**
 * A dev server of the test's own, with the bridge's search attributes (for tests that stop it), and
 * with its Web UI when given a port; `dbFilename` keeps its state in that SQLite file, `codecEndpoint` is
 * the codec server its Web UI decodes through.
 */
export function startDevServer(
  uiPort?: number,
  { dbFilename, codecEndpoint }: { dbFilename?: string; codecEndpoint?: string } = {},
): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: temporalCliExecutable(),
      ip: '127.0.0.1',
      ...(uiPort === undefined ? {} : { ui: true, uiPort }),
      ...(dbFilename === undefined ? {} : { dbFilename }),
      searchAttributes: [...byoiSearchAttributes],
      extraArgs: [
        '--sqlite-pragma',
        'journal_mode=WAL',
        '--sqlite-pragma',
        'synchronous=OFF',
        '--log-level',
        'error',
        // The UI asks the internet for news; there is none to ask here.
        ...(uiPort === undefined ? [] : ['--ui-disable-news-fetch']),
        ...(codecEndpoint === undefined ? [] : ['--ui-codec-endpoint', codecEndpoint]),
      ],
    },
  });
}

/** Stops whatever servers the run started. */
export async function stopSharedServers(): Promise<void> {
  const environments = [local, timeSkipping ? await timeSkipping : undefined];
  local = undefined;
  timeSkipping = undefined;
  for (const environment of environments) await environment?.teardown();
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};

/** A workflow's pending activity, as `temporal workflow describe` lists it. */
export type PendingActivity = temporal.api.workflow.v1.IPendingActivityInfo;

/** Polls the shared dev server until the workflow's pending activity `activityId` satisfies `check`. */
export async function untilPendingActivity(
  workflowId: string,
  activityId: string,
  check: (activity: PendingActivity) => boolean,
): Promise<PendingActivity> {
  for (;;) {
    const { raw } = await localEnvironment().client.workflow.getHandle(workflowId).describe();
    const pending = raw.pendingActivities?.find((activity) => activity.activityId === activityId);
    if (pending && check(pending)) return pending;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
