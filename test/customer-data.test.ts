/**
 * Customer data stays sealed end to end: after a call and an email run through a bridge whose payloads
 * are sealed, neither the dev server's SQLite file nor `temporal workflow show` holds the customer's
 * numbers, name, addresses or subject; search attributes, summaries and current details never carry them;
 * the codec server opens them for the CLI and the Web UI, and for no one it does not know.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { CodecServer } from '../client/codec-server/codec-server';
import { agentWorkflowId } from '../client/library/agent-events';
import { temporalCliPath } from '../tools/stack/toolchain';
import { customerDataIn, readableJson, customer } from './customer-fixtures';
import { startSealedStack, type SealedStack } from './sealed-stack';

const source = 'acd-sealed';

/** The Temporal CLI's `workflow show --output json`, with extra flags (a codec endpoint). */
async function workflowShow(address: string, workflowId: string, extra: string[] = []): Promise<string> {
  const { stdout } = await promisify(execFile)(
    temporalCliPath(),
    ['workflow', 'show', '--address', address, '--workflow-id', workflowId, '--output', 'json', ...extra],
    { maxBuffer: 64 * 1_048_576 },
  );
  return stdout;
}

describe('customer data through a bridge that seals its payloads', function () {
  this.timeout(240_000);
  let stack: SealedStack;
  let environment: TestWorkflowEnvironment;
  let codecServer: CodecServer;
  let client: Client;
  let token: string;
  let dbFile: string;
  let auditLines: string[];
  let workflowIds: string[];
  let uiPort: number;

  before(async () => {
    stack = await startSealedStack(source);
    ({ environment, codecServer, client, token, dbFile, auditLines } = stack);
    workflowIds = [stack.workflowIds.call, stack.workflowIds.email];
    uiPort = Number(new URL(stack.webUi).port);
  });
  after(async () => {
    await stack?.stop();
  });

  it("leaves none of the customer's data in the dev server's SQLite file", () => {
    const stored = ['', '-wal']
      .map((suffix) => `${dbFile}${suffix}`)
      .filter((file) => existsSync(file))
      .map((file) => readFileSync(file).toString('latin1'))
      .join('\n');
    // The store does hold the histories in the clear where they are not payloads: the signal's name.
    assert.ok(stored.includes('interactionEvents'), 'the scan reads the stored histories');
    assert.ok(stored.includes(workflowIds[0]!), 'the scan reads the stored executions');
    assert.deepEqual(customerDataIn(stored), []);
  });

  it('shows none of it in temporal workflow show, and all of it through the codec server', async () => {
    const shown = (await Promise.all(workflowIds.map((id) => workflowShow(environment.address, id))))
      .map(readableJson)
      .join('\n');
    assert.ok(shown.includes('binary/encrypted'), 'the history shows sealed payloads');
    assert.deepEqual(customerDataIn(shown), []);
    const decoded = (
      await Promise.all(
        workflowIds.map((id) =>
          workflowShow(environment.address, id, [
            '--codec-endpoint',
            codecServer.url,
            '--codec-auth',
            `Bearer ${token}`,
          ]),
        ),
      )
    )
      .map(readableJson)
      .join('\n');
    assert.deepEqual(customerDataIn(decoded).sort(), [...Object.keys(customer), 'number without +'].sort());
  });

  it('keeps it out of search attributes, summaries and current details', async () => {
    const seen: string[] = [];
    for (const workflowId of [
      ...workflowIds,
      agentWorkflowId(source, 'agent-1'),
      agentWorkflowId(source, 'agent-2'),
    ]) {
      const handle = client.workflow.getHandle(workflowId);
      const description = await handle.describe().catch(() => undefined);
      if (!description) continue;
      seen.push(JSON.stringify(description.typedSearchAttributes), JSON.stringify(description.memo ?? {}));
      seen.push((await description.staticSummary()) ?? '', (await description.staticDetails()) ?? '');
      const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
      seen.push(metadata.currentDetails ?? '');
    }
    assert.ok(seen.join('\n').includes('Sales'), 'the summaries and attributes were read');
    assert.deepEqual(customerDataIn(seen.join('\n')), []);
  });

  it('opens payloads only for a token it knows, and logs who it refused but never a payload', async () => {
    const sealed = JSON.parse(await workflowShow(environment.address, workflowIds[0]!)) as {
      events: { workflowExecutionSignaledEventAttributes?: { input: { payloads: unknown[] } } }[];
    };
    const payloads = sealed.events.find((event) => event.workflowExecutionSignaledEventAttributes)!
      .workflowExecutionSignaledEventAttributes!.input.payloads;
    const decode = (headers: Record<string, string>) =>
      fetch(`${codecServer.url}/decode`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ payloads }),
      });
    assert.equal((await decode({})).status, 401);
    assert.equal((await decode({ authorization: 'Bearer not-the-token' })).status, 401);
    assert.equal((await decode({ authorization: `Bearer ${token}`, 'x-namespace': 'other' })).status, 403);
    const opened = await decode({ authorization: `Bearer ${token}`, 'x-namespace': 'default' });
    assert.equal(opened.status, 200);
    assert.deepEqual(customerDataIn(readableJson(await opened.text())), [
      'number',
      'lineNumber',
      'name',
      'number without +',
    ]);
    const log = auditLines.join('');
    assert.match(log, /"reason":"no credentials"/);
    assert.match(log, /"reason":"unknown bearer token"/);
    assert.ok(!log.includes(token) && !log.includes('not-the-token'), 'no token is logged');
    assert.deepEqual(customerDataIn(log), []);
  });

  it("answers the Web UI's origin across origins with credentials, and no other page", async () => {
    const preflight = (origin: string) =>
      fetch(`${codecServer.url}/decode`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type,x-namespace',
        },
      });
    const ui = await preflight(`http://127.0.0.1:${uiPort}`);
    assert.equal(ui.headers.get('access-control-allow-origin'), `http://127.0.0.1:${uiPort}`);
    assert.equal(ui.headers.get('access-control-allow-credentials'), 'true');
    const stranger = await preflight('http://evil.example');
    assert.equal(stranger.headers.get('access-control-allow-origin'), null);
  });
});
