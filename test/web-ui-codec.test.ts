/**
 * The Temporal Web UI over a bridge that seals its payloads, as an engineer uses it in Debian's Chromium:
 * before signing in to the codec server the UI says it could not connect and shows ciphertext; after
 * signing in at the codec server's /login and setting it, with cross-origin credentials, as the browser's
 * codec server, the call's and the email's events show the customer's data. A page of another origin in
 * the same signed-in browser gets nothing. Screenshots land in test-results/web-ui/ (git-ignored).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { temporal } from '@temporalio/proto';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, screenshot, skipWithoutChromium } from './browser';
import { customer, customerDataIn, readableJson } from './customer-fixtures';
import { freePort } from './harness';
import { startSealedStack, type SealedStack } from './sealed-stack';

const source = 'acd-ui-codec';

/**
 * The event history's text, whitespace folded, with every signal expanded (the customer's data arrives
 * in the interaction events' signals), once `check` holds: the UI decodes after it renders.
 */
async function eventHistoryText(page: Page, check: (text: string) => boolean): Promise<string> {
  for (;;) {
    const collapsed = page
      .locator('tr[data-testid="event-summary-row"]', { hasText: 'Workflow Execution Signaled' })
      .getByRole('button', { name: 'Expand details', expanded: false });
    while ((await collapsed.count()) > 0) await collapsed.first().click();
    const text = (await page.locator('main').innerText()).replace(/\s+/g, ' ');
    if (check(text)) return text;
    await page.waitForTimeout(250);
  }
}

/** How many expanded signals in the event history's text show their input as base64 (sealed, undecoded). */
function sealedSignalInputs(text: string): number {
  return [
    ...text.matchAll(
      /Signal Name interactionEvents Identity \S+ Request ID [0-9a-f-]{36} Input "[A-Za-z0-9+/]{100,}={0,2}"/g,
    ),
  ].length;
}

/** A string field of a payload as the UI shows it (pretty-printed JSON, whitespace folded). */
function shownField(name: string, value: string): string {
  return `"${name}": "${value}"`;
}

/**
 * What a page's script gets from POSTing `body` to `url` with the browser's cookies, or why it got nothing;
 * `text/plain` makes it a request the browser sends without asking the server first (no CORS preflight).
 */
function fetchWithCredentials(
  page: Page,
  url: string,
  body: string,
  contentType: 'application/json' | 'text/plain' = 'application/json',
): Promise<string> {
  return page.evaluate(
    async ({ url, body, contentType }) => {
      try {
        const response = await fetch(url, {
          method: 'POST',
          credentials: 'include',
          headers: { 'content-type': contentType },
          body,
        });
        return `HTTP ${response.status}: ${await response.text()}`;
      } catch (error) {
        return `refused: ${String(error)}`;
      }
    },
    { url, body, contentType },
  );
}

describe('the Web UI over sealed payloads, with the codec server, in Chromium', function () {
  this.timeout(180_000);
  let stack: SealedStack;
  let browser: Browser;
  let page: Page;
  let historyPages: { call: string; email: string };

  before(async function () {
    skipWithoutChromium(this);
    stack = await startSealedStack(source);
    const historyPage = async (workflowId: string) => {
      const { runId } = await stack.client.workflow.getHandle(workflowId).describe();
      return `${stack.webUi}/namespaces/default/workflows/${encodeURIComponent(workflowId)}/${runId}/history`;
    };
    historyPages = {
      call: await historyPage(stack.workflowIds.call),
      email: await historyPage(stack.workflowIds.email),
    };
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  });
  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('shows ciphertext and says the codec server could not connect before the engineer signs in', async () => {
    await page.goto(historyPages.call);
    // The dev server's --ui-codec-endpoint is the codec server; without credentials it refuses the UI.
    await page.getByRole('button', { name: 'Codec Server could not connect' }).waitFor();
    // Each of the call's five signals, expanded, shows its input as the UI found it: ciphertext in base64.
    const shown = await eventHistoryText(page, (text) => sealedSignalInputs(text) === 5);
    await screenshot(page, 'codec-1-sealed-call.png');
    assert.deepEqual(customerDataIn(shown), []);
    assert.deepEqual(customerDataIn(await page.content()), [], 'nor in the markup');
    const input = (await page.getByTestId('input-and-result').innerText()).replace(/\s+/g, ' ');
    assert.match(input, /^Input "[A-Za-z0-9+/]{100,}={0,2}" Result "[A-Za-z0-9+/]{100,}={0,2}"$/);
    const refusals = stack.auditLines.filter((line) => line.includes('"reason":"no credentials"'));
    assert.ok(
      refusals.some((line) => line.includes(`"origin":"${stack.webUi}"`)),
      'the UI asked and was refused',
    );
  });

  it("signs the engineer in at the codec server's /login with a token typed into its form", async () => {
    await page.goto(`${stack.codecServer.url}/login`);
    await page.getByLabel('Token').fill(stack.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const status = await page.getByRole('status').innerText();
    assert.match(
      status,
      /^Signed in for 8 hours\. .* choose Use my browser setting .* Include cross-origin credentials/,
    );
    await screenshot(page, 'codec-2-signed-in.png');
    const cookies = await page.context().cookies(stack.codecServer.url);
    const session = cookies.find((cookie) => cookie.name === 'byoi_codec_session');
    assert.ok(session, `a session cookie among ${cookies.map((cookie) => cookie.name).join(', ')}`);
    assert.equal(session.httpOnly, true, 'no script can read the session');
    assert.equal(session.sameSite, 'Lax');
  });

  it("still shows ciphertext until the browser's codec setting includes credentials", async () => {
    await page.goto(historyPages.call);
    await page.getByRole('button', { name: 'Codec Server could not connect' }).waitFor();
    const shown = await eventHistoryText(page, (text) => sealedSignalInputs(text) === 5);
    assert.deepEqual(customerDataIn(shown), []);
  });

  it("shows the call's number and name and the email's address and subject once the engineer sets the codec server with credentials", async () => {
    await page.getByRole('button', { name: 'Codec Server could not connect' }).click();
    const dialog = page.getByRole('dialog').filter({ hasText: 'Codec Server browser endpoint' });
    // The cluster-level endpoint (--ui-codec-endpoint) cannot say "include credentials": the browser's can.
    await page.getByLabel('Use my browser setting and ignore Cluster-level setting.').check();
    await dialog.getByRole('textbox').fill(stack.codecServer.url);
    await dialog.getByTestId('data-encoder-include-credentials').check();
    await screenshot(page, 'codec-3-browser-setting.png');
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.waitFor({ state: 'hidden' });

    await page.goto(historyPages.call);
    await page.getByRole('button', { name: 'Codec Server succesfully converted content' }).waitFor();
    const call = await eventHistoryText(page, (text) => text.includes(customer.name));
    await page.getByText(customer.name).last().scrollIntoViewIfNeeded();
    await screenshot(page, 'codec-4-decoded-call.png');
    assert.ok(call.includes(shownField('ani', customer.number)), `the number in ${call}`);
    assert.ok(call.includes(shownField('aniName', customer.name)), 'the name');
    assert.ok(call.includes(shownField('dnis', customer.lineNumber)), 'the line called');
    assert.equal(await page.getByRole('button', { name: 'Codec Server could not connect' }).count(), 0);
    assert.match(
      stack.auditLines.join(''),
      /"route":"\/decode","caller":"session","payloads":\d+,"undecoded":0/,
    );

    await page.goto(historyPages.email);
    const email = await eventHistoryText(page, (text) => text.includes(customer.subject));
    await page.getByText(customer.subject).last().scrollIntoViewIfNeeded();
    await screenshot(page, 'codec-5-decoded-email.png');
    assert.ok(email.includes(shownField('subject', customer.subject)), `the subject in ${email}`);
    assert.ok(email.includes(shownField('from', customer.email)), 'the address');
    assert.ok(email.includes(customer.mailbox) && email.includes(customer.copied), 'to and cc');
  });

  it('decodes for a script of the Web UI, and for no page of another origin in the same signed-in browser', async () => {
    const history = await stack.environment.client.workflow.getHandle(stack.workflowIds.call).fetchHistory();
    const payloads = (history.events ?? []).flatMap(
      (event) => event.workflowExecutionSignaledEventAttributes?.input?.payloads ?? [],
    );
    const body = JSON.stringify(
      temporal.api.common.v1.Payloads.toObject(temporal.api.common.v1.Payloads.create({ payloads }), {
        bytes: String,
      }),
    );
    const decode = `${stack.codecServer.url}/decode`;
    await page.goto(stack.webUi);
    const fromWebUi = await fetchWithCredentials(page, decode, body);
    assert.match(fromWebUi, /^HTTP 200: /);
    assert.deepEqual(customerDataIn(readableJson(fromWebUi.slice('HTTP 200: '.length))), [
      'number',
      'lineNumber',
      'name',
      'number without +',
    ]);

    // Another port of the same host is the same site: the session cookie would go along; CORS stops it.
    const otherPort = await freePort();
    const other: Server = createServer((_request, response) =>
      response.end('<!doctype html><title>other</title>'),
    );
    await new Promise<void>((resolve) => other.listen(otherPort, '127.0.0.1', resolve));
    try {
      const requestsBefore = stack.auditLines.filter((line) => line.includes('"codec request"')).length;
      await page.goto(`http://127.0.0.1:${otherPort}/`);
      const fromOther = await fetchWithCredentials(page, decode, body);
      assert.match(fromOther, /^refused: TypeError: Failed to fetch/, 'the preflight is refused');
      const simple = await fetchWithCredentials(page, decode, body, 'text/plain');
      assert.match(simple, /^refused: TypeError: Failed to fetch/, 'the answer is not the page to read');
      const requestsAfter = stack.auditLines.filter((line) => line.includes('"codec request"')).length;
      assert.equal(requestsAfter, requestsBefore, 'the codec server decoded nothing for it');
    } finally {
      await new Promise((resolve) => other.close(resolve));
    }
  });
});
