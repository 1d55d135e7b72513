import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import axios from 'axios';
import type { BenchReport } from '../tools/bench/report';
import { interactionEvents } from '../tools/load/contact-centre';
import { readUsage, UsageSampler } from '../tools/stack/process-usage';
import { freePort, startProgram, stopProcess, untilReady } from '../tools/stack/stack';
import { inspect, simulatorStats, startTestSimulator, type TestSimulator } from './genesys-fixtures';

describe('the benchmark’s tools', function () {
  this.timeout(60_000);

  describe('process usage from /proc', () => {
    it('counts the CPU time and memory of a process and its children', async () => {
      // A parent that starts a child which spins for about 600 ms, holding 64 MiB.
      const parent = startProgram('test/fixtures/spin.ts', [], {}, ['ignore', 'ignore', 'inherit']);
      const sampler = new UsageSampler({ parent: parent.pid! }, [], 100);
      await new Promise((resolve) => parent.once('exit', resolve));
      const usage = sampler.stop().parent!;
      assert.ok(usage.cpuSeconds >= 0.4, `${usage.cpuSeconds} CPU s`);
      assert.ok(usage.peakRssMiB >= 64, `${usage.peakRssMiB} MiB`);
      assert.deepEqual(readUsage(parent.pid!), { cpuSeconds: 0, rssBytes: 0 }, 'nothing once it has gone');
    });
  });

  describe('the plain forwarder (the baseline)', () => {
    let sim: TestSimulator;
    let forwarder: ChildProcess;
    let url: string;

    before(async () => {
      sim = await startTestSimulator({ agents: 2, sourceName: 'acd' });
      const port = await freePort();
      forwarder = startProgram(
        'scripts/plain-forwarder.ts',
        ['--simulator', sim.simulator.url, '--port', String(port), '--source', 'acd'],
        {},
      );
      url = `http://127.0.0.1:${port}`;
      await untilReady(`${url}/stats`, forwarder);
    });
    after(async () => {
      await stopProcess(forwarder);
      await sim.simulator.stop();
    });

    it('translates and publishes agent changes and a whole email in order, straight to Genesys', async () => {
      const now = Date.now();
      const agentEvent = (kind: 'presence' | 'routingStatus', ageMs: number, change: object) => ({
        kind: 'agent',
        source: 'acd',
        agentId: 'agent-1',
        eventId: `${kind}-${ageMs}`,
        occurredAt: new Date(now - ageMs).toISOString(),
        change: { kind, ...change },
      });
      const email = interactionEvents('acd', 'email', [
        { type: 'received', to: ['support@contact-centre.example'], from: 'a@example.org', subject: 'Hi' },
        { type: 'queued', queueId: 'Sales' },
        { type: 'assigned', agentId: 'agent-1' },
        { type: 'replySent', agentId: 'agent-1' },
        { type: 'closed', agentId: 'agent-1', reason: 'resolved' },
        { type: 'wrapUp', agentId: 'agent-1', code: 'Resolved' },
      ]).map((event) => ({ kind: 'conversation', ...event }));
      const events = [
        agentEvent('presence', 3_000, { state: 'Break' }),
        agentEvent('presence', 2_000, { state: 'Available' }),
        agentEvent('routingStatus', 2_000, { status: 'Idle' }),
        ...email,
      ];
      const answer = await axios.post<{ outcomes: { outcome: string }[] }>(`${url}/v1/events`, events);
      assert.equal(answer.status, 202);
      assert.ok(answer.data.outcomes.every((outcome) => outcome.outcome === 'accepted'));
      let stats = { published: 0, failed: 0, streamsInFlight: 1 };
      for (let tries = 0; tries < 100 && stats.published + stats.failed < events.length; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        stats = (await axios.get<typeof stats>(`${url}/stats`)).data;
      }
      assert.equal(stats.failed, 0);
      assert.equal(stats.published, events.length);
      const counters = await simulatorStats(sim.simulator);
      assert.equal(counters.orderViolations, 0);
      assert.equal(counters.eventsRejected, 0);
      const conversations = await inspect<{ events: number; endedAt?: string }[]>(
        sim.simulator,
        'conversations',
      );
      assert.equal(conversations.length, 1);
      assert.ok(conversations[0]!.endedAt, 'the email ended in Genesys');
    });
  });

  describe('a short bench with two workers and two ingress replicas, judged by the oracle', function () {
    this.timeout(300_000);
    let folder: string;
    before(() => {
      folder = mkdtempSync(path.join(os.tmpdir(), 'byoi-bench-test-'));
    });
    after(() => rmSync(folder, { recursive: true, force: true }));

    it('spreads the agents’ events over both replicas, keeps the workers inside one budget, and loses, doubles or reorders nothing', async () => {
      const out = path.join(folder, 'bench.json');
      const bench = startProgram(
        'scripts/bench.ts',
        [
          ...['--agents', '20', '--presence-per-minute', '200', '--interactions-per-second', '0.5'],
          // Calls and breaks at a twentieth of their length: what begins in the 20 s ends soon after.
          ...[
            '--seconds',
            '20',
            '--time-scale',
            '0.05',
            '--baseline-seconds',
            '0',
            '--settle-seconds',
            '120',
          ],
          ...['--workers', '2', '--ingresses', '2', '--oracle', '--requests-per-minute', '600', '--out', out],
        ],
        {},
        ['ignore', 'ignore', 'pipe'],
      );
      let progress = '';
      bench.stderr!.on('data', (chunk: Buffer) => (progress += chunk.toString()));
      const code = await new Promise((resolve) => bench.once('exit', resolve));
      assert.equal(code, 0, `the bench failed; its log:\n${progress}`);
      const report = JSON.parse(readFileSync(out, 'utf8')) as BenchReport;
      const { verdict, spread } = report.oracle!;
      assert.ok(verdict.acknowledged > 100, `${verdict.acknowledged} acknowledged`);
      assert.deepEqual(
        { lost: verdict.lost, doubled: verdict.doubled, reordered: verdict.reordered, ok: verdict.ok },
        { lost: 0, doubled: 0, reordered: 0, ok: true },
        verdict.examples.join('\n'),
      );
      assert.equal(
        verdict.delivered + Object.values(verdict.inLedgers).reduce((a, b) => a + b, 0),
        verdict.acknowledged,
      );
      assert.ok(
        spread.acknowledgedByIngress.every((count) => count > 0),
        `${spread.acknowledgedByIngress.join(' + ')}`,
      );
      assert.ok(
        spread.agentsOnSeveralIngresses >= 10,
        `${spread.agentsOnSeveralIngresses} of ${spread.agents} agents on both`,
      );
      // Two workers, each pacing itself to half the client's budget: the simulator, counting the whole
      // client, answered no 429.
      assert.equal(report.apiRequests.rateLimited, 0);
      assert.deepEqual(
        Object.keys(report.processes).filter((name) => /^(worker|ingress)/.test(name)),
        ['worker-1', 'worker-2', 'ingress-1', 'ingress-2'],
      );
      assert.ok(report.processes['worker-2']!.cpuSeconds > 0);
      assert.match(
        readFileSync(out.replace(/\.json$/, '.md'), 'utf8'),
        /oracle: acknowledged events lost, doubled, reordered \| 0, 0, 0 \| 0, 0, 0 \| met/,
      );
    });
  });
});
