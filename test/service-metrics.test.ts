import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import axios from 'axios';
import { serviceMetrics } from '../config/metrics';
import { defaultSimulatorClient } from '../simulator/seed';
import { interactionEvents } from '../tools/load/contact-centre';
import { inbound } from '../tools/load/conversation-scenarios';
import { poll, stopProcess, untilReady } from '../tools/stack/stack';
import { projectRoot } from '../tools/stack/toolchain';
import { agentChanges } from './agent-fixtures';
import { answeredCall } from './conversation-fixtures';
import { md5Base64, setFaults, startTestSimulator, toneWav, type TestSimulator } from './genesys-fixtures';
import { freePort, localEnvironment, uniqueTaskQueue } from './harness';
import { ingressProcess, workerProcess } from './processes';
import { scrape, type Scrape } from './prometheus-text';
import { prometheusInstalled, startPrometheus, type RuleState } from './prometheus-server';

/** A call the bridge cannot express: a hold by an agent who is not on it blocks its conversation. */
function blockedCall(source: string) {
  return interactionEvents(
    source,
    'voice',
    [inbound, { type: 'queued', queueId: 'Sales' }, { type: 'held', agentId: 'agent-3' }],
    60_000,
  );
}

/** The metric names an alert rules file or a dashboard names: every `byoi_…` and `temporal_…` token. */
function metricNamesIn(text: string): Set<string> {
  return new Set(text.match(/\b(?:byoi|temporal)_[a-z0-9_]+\b/g) ?? []);
}

describe('the service-level metrics, scraped from a worker and an ingress during a run', function () {
  this.timeout(180_000);
  const source = 'acd-metrics';
  const token = randomBytes(24).toString('base64url');
  const taskQueue = uniqueTaskQueue('metrics');
  let sim: TestSimulator;
  let worker: ChildProcess;
  let ingress: ChildProcess;
  let ingressUrl: string;
  let workerMetricsAddress: string;
  let ingressMetricsAddress: string;
  let workerMetricsUrl: string;
  let ingressMetricsUrl: string;
  let dataDir: string;
  /** The agents whose workflows this suite started. */
  const agentsSent = new Set<string>();

  const workerScrape = () => scrape(workerMetricsUrl);
  const ingressScrape = () => scrape(ingressMetricsUrl);

  /** Posts events to the ingress as an adapter would; answers its counts. */
  async function post(events: unknown[]) {
    const response = await axios.post<Record<string, number>>(`${ingressUrl}/v1/events`, events, {
      headers: { authorization: `Bearer ${token}` },
      validateStatus: () => true,
    });
    assert.ok([202, 422].includes(response.status), `the ingress answered ${response.status}`);
    return response.data;
  }

  /** Scrapes the worker until `done` holds of it (the workflows and the status counts take their time). */
  async function workerUntil(done: (scrape: Scrape) => boolean, what: string): Promise<Scrape> {
    const last = await poll(workerScrape, done, 90_000, 300);
    assert.ok(done(last), `the worker's metrics never showed ${what}`);
    return last;
  }

  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'byoi-metrics-'));
    sim = await startTestSimulator({
      agents: 4,
      sourceName: source,
      limits: { requestsPerWindow: 1_000_000 },
    });
    const [workerMetricsPort, ingressPort, ingressMetricsPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    workerMetricsAddress = `127.0.0.1:${workerMetricsPort}`;
    ingressMetricsAddress = `127.0.0.1:${ingressMetricsPort}`;
    workerMetricsUrl = `http://${workerMetricsAddress}/metrics`;
    ingressMetricsUrl = `http://${ingressMetricsAddress}/metrics`;
    ingressUrl = `http://127.0.0.1:${ingressPort}`;
    worker = workerProcess(sim, taskQueue, {
      BYOI_DATA_DIR: dataDir,
      BYOI_RECORDING_SPOOL_DIR: path.join(dataDir, 'spool'),
      BYOI_METRICS_ADDRESS: workerMetricsAddress,
      BYOI_WORKFLOW_STATUS_INTERVAL: '1s',
    });
    ingress = ingressProcess(
      taskQueue,
      { port: ingressPort, source, token },
      {
        BYOI_DATA_DIR: dataDir,
        BYOI_INGRESS_METRICS_ADDRESS: ingressMetricsAddress,
        BYOI_REORDER_WINDOW_MS: '200',
      },
    );
    await untilReady(`${ingressUrl}/readyz`, ingress);
    await untilReady(ingressMetricsUrl, ingress);
    await untilReady(workerMetricsUrl, worker);
  });
  after(async () => {
    await Promise.all([worker, ingress].filter(Boolean).map((child) => stopProcess(child)));
    await sim?.simulator.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('counts every event the ingress accepted and refused, and ages each one Genesys accepted', async () => {
    const [ingressBefore, workerBefore] = await Promise.all([ingressScrape(), workerScrape()]);
    const changes = agentChanges(source, 'agent-1', 6, Date.now() - 60_000);
    const malformed = { kind: 'agent', source, eventId: 'no-agent-id', occurredAt: new Date().toISOString() };
    const answer = await post([...changes.map((change) => ({ kind: 'agent', ...change })), malformed]);
    agentsSent.add('agent-1');
    assert.equal(answer.accepted, changes.length);
    assert.equal(answer.refused, 1);

    const ingressAfter = await ingressScrape();
    const ingressDelta = (outcome: string) =>
      ingressAfter.value(serviceMetrics.ingressEvents.name, { kind: 'agent', source, outcome }) -
      ingressBefore.value(serviceMetrics.ingressEvents.name, { kind: 'agent', source, outcome });
    assert.equal(ingressDelta('accepted'), answer.accepted);
    assert.equal(ingressDelta('refused'), answer.refused);
    // A request is counted once its answer has gone out: maybe just after the sender has it.
    const requests = (scraped: Scrape) =>
      scraped.value(serviceMetrics.ingressRequests.name, { route: '/v1/events', status: '202' });
    const answered = await poll(
      ingressScrape,
      (scraped) => requests(scraped) > requests(ingressBefore),
      10_000,
      100,
    );
    assert.equal(requests(answered) - requests(ingressBefore), 1);

    const ages = `${serviceMetrics.eventAgeAtPublish.name}_count`;
    const agentAges = (scraped: Scrape) => scraped.value(ages, { stream: 'agent', source });
    const published = (scraped: Scrape) =>
      scraped.value('byoi_agent_events_total', { source, outcome: 'published' });
    const after = await workerUntil(
      (scraped) => agentAges(scraped) - agentAges(workerBefore) >= changes.length && published(scraped) >= 6,
      `${changes.length} agent events aged at publish`,
    );
    assert.equal(agentAges(after) - agentAges(workerBefore), changes.length);
    assert.equal(published(after) - published(workerBefore), changes.length);
    const sum = `${serviceMetrics.eventAgeAtPublish.name}_sum`;
    assert.ok(after.value(sum, { stream: 'agent', source }) > 0, 'the ages add up to more than nothing');
    assert.equal(
      after.value(`${serviceMetrics.eventAgeAtPublish.name}_bucket`, { stream: 'agent', source, le: '+Inf' }),
      agentAges(after),
    );
    // Presence and routing status alternate: half of the changes went to each endpoint.
    const accepted = (scraped: Scrape, endpoint: string) =>
      scraped.value(serviceMetrics.genesysEvents.name, { endpoint, outcome: 'accepted' });
    assert.equal(accepted(after, 'presence') - accepted(workerBefore, 'presence'), changes.length / 2);
    assert.equal(
      accepted(after, 'routingStatus') - accepted(workerBefore, 'routingStatus'),
      changes.length / 2,
    );
  });

  it('counts a resend as duplicates in the workflow, and a twin within one request at the ingress', async () => {
    const changes = agentChanges(source, 'agent-2', 4, Date.now() - 60_000).map((change) => ({
      kind: 'agent',
      ...change,
    }));
    const duplicates = (scraped: Scrape) =>
      scraped.value('byoi_agent_events_total', { source, outcome: 'duplicates' });
    const published = (scraped: Scrape) =>
      scraped.value('byoi_agent_events_total', { source, outcome: 'published' });
    const beforeFirstRound = await workerScrape();
    await post(changes);
    agentsSent.add('agent-2');
    const firstRound = await ingressScrape();
    const workerBefore = await workerUntil(
      (scraped) => published(scraped) - published(beforeFirstRound) >= changes.length,
      'the first round published',
    );

    const answer = await post([...changes, changes[0]]);
    assert.equal(answer.accepted, changes.length, 'the ingress cannot know a resend of what it handed over');
    assert.equal(answer.duplicate, 1, 'a twin within one hold is answered duplicate');
    const ingressAfter = await ingressScrape();
    const ingressDuplicates = (scraped: Scrape) =>
      scraped.value(serviceMetrics.ingressEvents.name, { kind: 'agent', source, outcome: 'duplicate' });
    assert.equal(ingressDuplicates(ingressAfter) - ingressDuplicates(firstRound), 1);

    const after = await workerUntil(
      (scraped) => duplicates(scraped) - duplicates(workerBefore) >= changes.length,
      `${changes.length} duplicates counted by the workflow`,
    );
    assert.equal(duplicates(after) - duplicates(workerBefore), changes.length);
  });

  it('counts a 429 from Genesys and the pause its Retry-After imposed', async () => {
    const tooMany = (scraped: Scrape) =>
      scraped.value(serviceMetrics.genesysRequests.name, { priority: 'events', status: '429' });
    const paused = (scraped: Scrape) => scraped.value(serviceMetrics.budgetPaused.name);
    const published = (scraped: Scrape) =>
      scraped.value('byoi_agent_events_total', { source, outcome: 'published' });
    const before = await workerScrape();
    await setFaults(sim.simulator, {
      rules: [{ path: '/api/v2/events/users', status: 429, times: 1, retryAfterSeconds: 1 }],
    });
    try {
      const [change] = agentChanges(source, 'agent-3', 1, Date.now() - 30_000);
      assert.equal((await post([{ kind: 'agent', ...change }])).accepted, 1);
      agentsSent.add('agent-3');
      const after = await workerUntil(
        (scraped) => published(scraped) > published(before),
        'the event published after the 429',
      );
      assert.equal(tooMany(after) - tooMany(before), 1);
      assert.ok(paused(after) > paused(before), 'the budget was paused for the Retry-After');
      assert.equal(
        after.value(serviceMetrics.genesysEvents.name, { outcome: 'failed' }) -
          before.value(serviceMetrics.genesysEvents.name, { outcome: 'failed' }),
        1,
        'the event the 429 refused counts as failed (and was retried)',
      );
    } finally {
      await setFaults(sim.simulator, {});
    }
  });

  it('counts workflows by status: a blocked conversation, and a call completed with its recording uploaded', async () => {
    const wav = toneWav(1);
    const wavFile = path.join(dataDir, 'call.wav');
    await writeFile(wavFile, wav);
    const call = answeredCall(source, 'agent-4', 'Sales', [
      {
        type: 'recordingReady',
        url: pathToFileURL(wavFile).href,
        contentType: 'audio/wav',
        sizeBytes: wav.length,
        md5: md5Base64(wav),
      },
    ]);
    const strange = blockedCall(source);
    const ingressBefore = await ingressScrape();
    const sent = [...call, ...strange].map((event) => ({ kind: 'conversation', ...event }));
    assert.equal((await post(sent)).accepted, sent.length);
    const ingressAfter = await ingressScrape();
    const accepted = (scraped: Scrape) =>
      scraped.value(serviceMetrics.ingressEvents.name, { kind: 'conversation', source, outcome: 'accepted' });
    assert.equal(accepted(ingressAfter) - accepted(ingressBefore), sent.length);

    const workflows = (scraped: Scrape, status: string) =>
      scraped.value(serviceMetrics.workflows.name, { kind: 'conversation', status });
    const closed = (scraped: Scrape, status: string) =>
      scraped.value(serviceMetrics.workflowsClosedLastHour.name, { kind: 'conversation', status });
    const uploads = `${serviceMetrics.recordingUploadAge.name}_count`;
    const after = await workerUntil(
      (scraped) =>
        workflows(scraped, 'Blocked') === 1 &&
        closed(scraped, 'Completed') === 1 &&
        scraped.value(uploads, { source, outcome: 'uploaded' }) === 1,
      'one Blocked conversation, one Completed, one recording uploaded',
    );
    // Only this suite's task queue is counted: nothing else is open or closed in it.
    assert.equal(workflows(after, 'Blocked'), 1);
    assert.equal(workflows(after, 'WaitingForMapping'), 0);
    assert.equal(closed(after, 'RecordingMissing'), 0);
    assert.equal(
      after.value(serviceMetrics.workflows.name, { kind: 'agent', status: 'Running' }),
      agentsSent.size,
      'every agent this suite sent events of runs',
    );
    assert.equal(after.value(uploads, { source, outcome: 'uploaded' }), 1);
    const conversationAges = after.value(`${serviceMetrics.eventAgeAtPublish.name}_count`, {
      stream: 'conversation',
      source,
    });
    assert.ok(conversationAges > 0 && conversationAges < sent.length, `${conversationAges} steps aged`);
    assert.ok(after.value(serviceMetrics.workflowsCountedAt.name) > 0);
  });

  it('serves every metric the alert rules and the dashboard name, beside the SDK’s own, and nothing identifying', async () => {
    // A workflow task that fails (a signal its handler cannot take): the SDK counts it only once it happens.
    const broken = await localEnvironment().client.workflow.start('agentWorkflow', {
      taskQueue,
      workflowId: `metrics-broken-${randomUUID()}`,
      args: [{ source, agentId: 'broken' }],
    });
    try {
      await broken.signal('agentEvents', 42);
      await workerUntil(
        (scraped) => scraped.value('temporal_workflow_task_execution_failed_total') > 0,
        'a failed workflow task',
      );
    } finally {
      await broken.terminate('a workflow task failure provoked by the metrics test');
    }
    const [workerPage, ingressPage] = await Promise.all([workerScrape(), ingressScrape()]);
    const served = new Set([...workerPage.names(), ...ingressPage.names()]);
    const rules = await readFile(path.join(projectRoot, 'ops/prometheus/byoi-bridge.rules.yml'), 'utf8');
    const dashboard = await readFile(path.join(projectRoot, 'ops/grafana/byoi-bridge.json'), 'utf8');
    const dashboardExpressions = (
      JSON.parse(dashboard) as { panels: { targets?: { expr: string }[] }[] }
    ).panels
      .flatMap((panel) => panel.targets ?? [])
      .map((target) => target.expr)
      .join('\n');
    const named = new Set([...metricNamesIn(rules), ...metricNamesIn(dashboardExpressions)]);
    assert.ok(
      [...named].some((name) => name.startsWith('temporal_')),
      'the SDK’s metrics are watched too',
    );
    assert.deepEqual(
      [...named].filter((name) => !served.has(name)),
      [],
      'every metric the rules and the dashboard name is served',
    );
    assert.ok(
      [...workerPage.names()].some((name) => name.startsWith('temporal_')),
      'the SDK’s own metrics',
    );
    assert.ok(
      [...ingressPage.names()].some((name) => name.startsWith('byoi_process_')),
      'the ingress’s memory',
    );
    // No agent, interaction or secret reaches a label.
    for (const page of [workerPage.page, ingressPage.page]) {
      for (const identifying of ['agent-1', 'voice-', token, defaultSimulatorClient.clientSecret]) {
        assert.ok(!page.includes(identifying), `a scrape shows ${identifying}`);
      }
    }
  });

  it('lets a real Prometheus evaluate every alert rule and dashboard query on the scraped series, and a Blocked conversation make its alert pending', async function () {
    if (!prometheusInstalled()) {
      console.warn(
        "    prometheus is not installed: install Debian's prometheus package (scripts/setup.sh does)",
      );
      this.skip();
    }
    const blocked = (scraped: Scrape) =>
      scraped.value(serviceMetrics.workflows.name, { kind: 'conversation', status: 'Blocked' });
    const before = await workerScrape();
    const strange = blockedCall(source).map((event) => ({ kind: 'conversation', ...event }));
    assert.equal((await post(strange)).accepted, strange.length);
    const counted = await workerUntil(
      (scraped) => blocked(scraped) > blocked(before),
      'one more Blocked conversation',
    );

    const rulesFile = path.join(projectRoot, 'ops/prometheus/byoi-bridge.rules.yml');
    const prometheus = await startPrometheus(
      { 'byoi-worker': workerMetricsAddress, 'byoi-ingress': ingressMetricsAddress },
      rulesFile,
    );
    try {
      const blockedAlert = (rules: RuleState[]) =>
        rules.find((rule) => rule.name === 'ByoiConversationsBlocked')?.alerts ?? [];
      const rules = await poll(
        () => prometheus.rules(),
        (each) => blockedAlert(each).length > 0,
        60_000,
        500,
      );
      // Pending: it fires after 15 minutes of it.
      assert.deepEqual(
        blockedAlert(rules).map((alert) => ({ status: alert.labels.status, state: alert.state })),
        [{ status: 'Blocked', state: 'pending' }],
      );
      assert.deepEqual(
        rules.filter((rule) => rule.health !== 'ok').map((rule) => `${rule.name}: ${rule.lastError}`),
        [],
        'every rule evaluates without error',
      );
      assert.deepEqual(
        (await prometheus.targets()).map((target) => `${target.job} ${target.health}`).sort(),
        ['byoi-ingress up', 'byoi-worker up'],
      );
      const open = await prometheus.query('max by (kind, status) (byoi_workflows)');
      assert.equal(
        Number(
          open.result.find((each) => each.metric.kind === 'conversation' && each.metric.status === 'Blocked')
            ?.value[1],
        ),
        blocked(counted),
        'Prometheus holds what the worker counted',
      );
      const dashboard = JSON.parse(
        await readFile(path.join(projectRoot, 'ops/grafana/byoi-bridge.json'), 'utf8'),
      ) as { panels: { title: string; targets?: { expr: string }[] }[] };
      for (const panel of dashboard.panels) {
        for (const { expr } of panel.targets ?? []) {
          const answer = await prometheus.query(
            expr.replaceAll('$__rate_interval', '10s').replaceAll('$source', '.*'),
          );
          assert.equal(answer.status, 'success', `${panel.title}: ${expr}: ${answer.error}`);
        }
      }
    } finally {
      await prometheus.stop();
    }
  });
});
