/**
 * The Temporal Web UI as an engineer on call uses it, in Debian's Chromium: the blocked-conversations
 * query lists each conversation with its status, reason, queue and channel; one opens with its summary
 * and current details; the skip the details suggest, sent from the project's CLI, completes it.
 * Screenshots land in test-results/web-ui/ (git-ignored).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, screenshot, skipWithoutChromium } from './browser';
import { agentWorkflowId, sendAgentEvent } from '../client/library/agent-events';
import { conversationWorkflowId, sendInteractionEvent } from '../client/library/conversation-events';
import { interactionEventSchema, type InteractionEvent } from '../domain/events/interaction-event';
import { conversationStatusQuery, type ConversationWorkflowSettings } from '../workflows/conversation';
import { agentChanges, untilAgent, untilQueried } from './agent-fixtures';
import { runBridgeWorker, type TestBridgeWorker } from './bridge-fixtures';
import { answeredCall } from './conversation-fixtures';
import { setFaults, startTestSimulator, type TestSimulator } from './genesys-fixtures';
import { localEnvironment, localWebUi, uniqueTaskQueue, untilPendingActivity } from './harness';
import { cliOutput } from './processes';

const source = 'acd-web-ui';
const settings: Partial<ConversationWorkflowSettings> = {
  reorderWindowMs: 1_000,
  wrapUpWaitMs: 2_000,
  expectRecording: 'never',
};
const blockedQuery = `ByoiKind = 'conversation' AND ByoiStatus = 'Blocked' AND ByoiSource = '${source}'`;
/** The columns docs/operators.md asks an operator to add once. */
const columns = ['ByoiStatus', 'ByoiChannel', 'ByoiQueue', 'ByoiReason'];

/** A call whose agent leg is put on hold by an agent who is not on it: the conversation blocks there. */
function blockedCall(): { events: InteractionEvent[]; interactionId: string; bogusEventId: string } {
  const call = answeredCall(source, 'agent-1', 'Sales');
  const bogus = interactionEventSchema.parse({
    ...call[1]!,
    eventId: randomUUID(),
    occurredAt: new Date(Date.parse(call[1]!.occurredAt) + 500).toISOString(),
    change: { type: 'held', agentId: 'agent-2' },
  });
  return {
    events: [call[0]!, call[1]!, bogus, ...call.slice(2)],
    interactionId: call[0]!.interactionId,
    bogusEventId: bogus.eventId,
  };
}

/** The page's main text, whitespace folded, once `check` holds (reloading: the UI does not refresh it). */
async function mainText(page: Page, check: (text: string) => boolean): Promise<string> {
  for (;;) {
    const text = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
    if (check(text)) return text;
    await page.waitForTimeout(1_000);
    await page.reload();
  }
}

/** The text of the page's rendered markdown (the UI renders each piece in a frame), once `check` holds. */
async function renderedMarkdown(page: Page, check: (text: string) => boolean): Promise<string> {
  for (;;) {
    const frames = page.frames().filter((frame) => frame.url().startsWith(`${localWebUi()}/render?`));
    const text = (await Promise.all(frames.map((frame) => frame.locator('body').innerText()))).join('\n');
    if (check(text)) return text;
    await page.waitForTimeout(250);
  }
}

describe('the Temporal Web UI in Chromium', function () {
  this.timeout(180_000);
  let sim: TestSimulator;
  let bridge: TestBridgeWorker;
  let browser: Browser;
  let page: Page;
  const taskQueue = uniqueTaskQueue('web-ui');
  const calls = [blockedCall(), blockedCall(), blockedCall()];

  before(async function () {
    skipWithoutChromium(this);
    sim = await startTestSimulator({ agents: 3, sourceName: source });
    bridge = await runBridgeWorker(sim, taskQueue);
    const client = localEnvironment().client;
    for (const call of calls) {
      for (const event of call.events) await sendInteractionEvent(client, taskQueue, event, settings);
    }
    for (const { interactionId } of calls) {
      await untilQueried(
        client,
        conversationWorkflowId(source, interactionId),
        conversationStatusQuery,
        (status) => status.status === 'Blocked',
      );
    }
    // Visibility catches up with the workflows' upserts shortly after.
    while ((await client.workflow.count(blockedQuery)).count < calls.length) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1800, height: 1000 } });
  });
  after(async () => {
    await browser?.close();
    await bridge?.stop();
    await sim?.simulator.stop();
  });

  it('lists the blocked conversations with status, reason, channel and queue as columns', async () => {
    await page.goto(`${localWebUi()}/namespaces/default/workflows?query=${encodeURIComponent(blockedQuery)}`);
    for (const { interactionId } of calls) {
      await page.getByRole('link', { name: conversationWorkflowId(source, interactionId) }).waitFor();
    }
    // As docs/operators.md says: Configure Columns, add the bridge's columns, drop what is not needed.
    await page.getByRole('button', { name: 'Configure Columns' }).click();
    for (const column of columns) await page.getByRole('button', { name: `Add ${column} column` }).click();
    for (const column of ['Run ID', 'Type', 'Start', 'End']) {
      await page.getByRole('button', { name: `Remove ${column} column` }).click();
    }
    await page
      .getByRole('button', { name: /^close/i })
      .filter({ visible: true })
      .click();
    await page.getByText('Configure Workflows Table').waitFor({ state: 'hidden' });
    const headers = await page.locator('thead th').allInnerTexts();
    for (const column of columns)
      assert.ok(
        headers.some((header) => header.includes(column)),
        `column ${column}`,
      );

    const rows = page.locator('tbody tr');
    assert.equal(await rows.count(), calls.length, 'exactly the blocked conversations of this source');
    for (const { interactionId } of calls) {
      const row = rows.filter({ hasText: conversationWorkflowId(source, interactionId) });
      const text = (await row.innerText()).replace(/\s+/g, ' ');
      assert.match(text, /Blocked/);
      assert.match(text, /agent agent-2 is not on the interaction/, 'the reason, in the list');
      assert.match(text, /voice/);
      assert.match(text, /Sales/);
    }
    await screenshot(page, 'blocked-list.png');
  });

  it('opens one with its summary and its reason, and shows it completed after the skip the details suggest', async () => {
    const { interactionId, bogusEventId } = calls[0]!;
    const workflowId = conversationWorkflowId(source, interactionId);
    await page.getByRole('link', { name: workflowId }).click();
    // The header's User Metadata tab: the summary and details given at start, and the current details,
    // each rendered as markdown in a frame of its own.
    await page.getByRole('tab', { name: 'User Metadata' }).click();
    const metadata = await renderedMarkdown(page, (text) => text.includes('is not on the interaction'));
    assert.match(metadata, new RegExp(`^voice ${interactionId} of ${source}$`, 'm'), 'the summary');
    assert.match(metadata, /Genesys conversation [0-9a-f-]{36}\./, 'the details');
    assert.match(
      metadata,
      new RegExp(`Blocked: agent agent-2 is not on the interaction: held \\(event ${bogusEventId}\\)`),
      'the current details name the cause and the event',
    );
    assert.ok(
      metadata.includes(`npm run cli -- conversation skip ${source} ${interactionId}`),
      'and the command that unblocks it',
    );
    await screenshot(page, 'blocked-conversation.png');

    const skipped = await cliOutput(['conversation', 'skip', source, interactionId], taskQueue);
    assert.equal(skipped.trim(), `${workflowId}: skipped event ${bogusEventId}`);
    await localEnvironment().client.workflow.getHandle(workflowId).result();
    await page.reload();
    await page.getByText('Completed', { exact: true }).first().waitFor();
    await screenshot(page, 'completed-conversation.png');
  });

  it('shows an agent publish Genesys keeps failing in Pending Activities, pauses and unpauses it from the UI', async () => {
    await setFaults(sim.simulator, { rules: [{ path: '/api/v2/events/users', status: 503 }] });
    try {
      const [change] = agentChanges(source, 'agent-1', 1, Date.now() - 1_000);
      const workflowId = agentWorkflowId(source, 'agent-1');
      const activityId = `publish:${change!.eventId}`;
      await sendAgentEvent(localEnvironment().client, taskQueue, change!);
      await untilAgent(
        localEnvironment().client,
        source,
        'agent-1',
        (status) => status.status === 'Retrying',
      );
      await page.goto(`${localWebUi()}/namespaces/default/workflows/${encodeURIComponent(workflowId)}`);
      await page.getByRole('tab', { name: /Pending Activities/ }).click();
      const details = await mainText(page, (text) => text.includes(activityId) && /Attempt [2-9]/.test(text));
      assert.match(details, /publishAgentChanges/);
      assert.match(details, /Attempt \d+ \/ UNLIMITED/, 'its attempts');
      assert.match(details, /HTTP 503, service\.unavailable/, 'its last failure');
      await screenshot(page, 'retrying-agent.png');
      // Paused from the UI, as an operator holds a publish while Genesys is down.
      await page.getByRole('button', { name: 'Pause' }).click();
      const dialog = page.getByRole('dialog').filter({ hasText: `Pause Activity ${activityId}` });
      await dialog.getByRole('textbox').fill('Genesys is down');
      await dialog.getByRole('button', { name: 'Pause' }).click();
      await untilPendingActivity(workflowId, activityId, (activity) => activity.paused === true);
      await page.reload();
      const unpause = page.getByRole('button', { name: 'Unpause' });
      await unpause.waitFor();
      assert.match(await page.locator('main').innerText(), /Paused Reason\s+Genesys is down/);
      await screenshot(page, 'retrying-agent-paused.png');

      // Genesys is back: unpaused from the UI, the publish lands and the agent runs again.
      await setFaults(sim.simulator, {});
      await unpause.click();
      const confirm = page
        .getByRole('dialog')
        .filter({ visible: true })
        .getByRole('button', { name: 'Unpause' });
      if (await confirm.count()) await confirm.click();
      const delivered = await untilAgent(
        localEnvironment().client,
        source,
        'agent-1',
        (status) => status.counters.published === 1,
      );
      assert.equal(delivered.status, 'Running');
      await mainText(page, (text) => !text.includes(activityId));
    } finally {
      await setFaults(sim.simulator, {});
    }
  });
});
