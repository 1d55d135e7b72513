/**
 * Publisher benchmark (`npm run bench:publisher -- --duration 120`): the bridge's Genesys client and
 * publisher carrying the seed-scale event streams (4,000 agents, 2,000 presence and 2,000 routing
 * changes a minute, 5 voice interactions a second) to the simulator in its own process, under the real
 * 300 requests/min budget and 60 s window. Writes `results/publisher-bench.json` and prints a summary:
 * offered vs accepted per kind, latency from hand-over to acceptance, API requests per event, 429s,
 * the busiest 60 s window the simulator saw, and this process's CPU and memory.
 * Its load (the voice call, the tally) lives in tools/bench/publisher-load.ts.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import axios from 'axios';
import { Command, InvalidArgumentError } from 'commander';
import { GenesysClient } from '../activities/genesys/client';
import { EventPublisher } from '../activities/genesys/publisher';
import { defaultSimulatorClient } from '../simulator/seed';
import type { SimulatorCounters } from '../simulator/state';
import { playVoiceCall, PublishTally, publisherParties, sleep } from '../tools/bench/publisher-load';
import { machine } from '../tools/stack/process-usage';
import { startSimulatorProcess } from '../tools/stack/stack';
import { projectRoot } from '../tools/stack/toolchain';

interface Flags {
  duration: number;
  agents: number;
  presencePerMinute: number;
  routingPerMinute: number;
  interactionsPerSecond: number;
  requestsPerMinute: number;
}

function positive(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('expected a number > 0');
  return parsed;
}

async function main(): Promise<void> {
  const flags = new Command('bench-publisher')
    .option('--duration <seconds>', 'how long to offer load', positive, 120)
    .option('--agents <count>', 'external agents', positive, 4_000)
    .option('--presence-per-minute <count>', 'presence changes offered per minute', positive, 2_000)
    .option('--routing-per-minute <count>', 'routing-status changes offered per minute', positive, 2_000)
    .option('--interactions-per-second <count>', 'voice interactions started per second', positive, 5)
    .option('--requests-per-minute <count>', 'the OAuth client’s Genesys rate limit', positive, 300)
    .parse()
    .opts<Flags>();
  const simulator = await startSimulatorProcess([
    '--agents',
    String(flags.agents),
    '--requests-per-minute',
    String(flags.requestsPerMinute),
  ]);
  try {
    await runBenchmark(flags, simulator.url);
  } finally {
    await simulator.stop();
  }
}

async function runBenchmark(flags: Flags, simulatorUrl: string): Promise<void> {
  const simulator = { url: simulatorUrl };
  const client = new GenesysClient({
    hosts: { apiBaseUrl: simulator.url, loginBaseUrl: simulator.url },
    credentials: defaultSimulatorClient,
    requestsPerMinute: flags.requestsPerMinute,
  });
  const publisher = new EventPublisher(client, { maxEventsPerBatch: 100, maxBatchBytes: 1_048_576 });
  const {
    agents,
    sourceId,
    presenceDefinitions: definitions,
    queueId,
    wrapupCode,
  } = await publisherParties(simulator.url);
  const tally = new PublishTally();
  const { offered, accepted } = tally;
  // One change in flight per agent stream, as the agent workflows guarantee.
  const streams = new Map<string, Promise<void>>();
  const inOrder = (key: string, work: () => Promise<void>) => {
    const next = (streams.get(key) ?? Promise.resolve()).then(work);
    streams.set(key, next);
    return next;
  };
  let agentCursor = 0;
  const nextAgent = () => agents[agentCursor++ % agents.length]!;

  const conversations: Promise<void>[] = [];
  const interaction = () =>
    playVoiceCall(
      (key, body) => tally.track('conversation', () => publisher.publishConversationEvent(key, body)),
      { agentId: nextAgent(), sourceId, queueId, wrapupCode },
    );

  console.log(
    `[bench] ${flags.duration} s: ${flags.presencePerMinute} presence + ${flags.routingPerMinute} routing changes/min over ${agents.length} agents, ${flags.interactionsPerSecond} interactions/s, budget ${flags.requestsPerMinute} requests/min`,
  );
  const cpuBefore = process.cpuUsage();
  const startedAt = Date.now();
  let peakRss = 0;
  const pending: Promise<void>[] = [];
  const due = { presence: 0, routingStatus: 0, interactions: 0 };
  const tickMs = 100;
  for (let tick = 0; Date.now() - startedAt < flags.duration * 1_000; tick++) {
    due.presence += (flags.presencePerMinute / 60_000) * tickMs;
    due.routingStatus += (flags.routingPerMinute / 60_000) * tickMs;
    due.interactions += (flags.interactionsPerSecond / 1_000) * tickMs;
    for (; due.presence >= 1; due.presence--) {
      const userId = nextAgent();
      const presenceDefinitionId = definitions[tick % definitions.length];
      pending.push(
        inOrder(`presence/${userId}`, () =>
          tally.track('presence', () =>
            publisher.publishPresence({
              eventId: randomUUID(),
              eventDateTime: new Date().toISOString(),
              userId,
              sourceId,
              presenceDefinitionId,
            }),
          ),
        ),
      );
    }
    for (; due.routingStatus >= 1; due.routingStatus--) {
      const agentId = nextAgent();
      const status = (['Idle', 'Interacting', 'OffQueue'] as const)[tick % 3]!;
      pending.push(
        inOrder(`routing/${agentId}`, () =>
          tally.track('routingStatus', () =>
            publisher.publishRoutingStatus({
              eventId: randomUUID(),
              eventDateTime: new Date().toISOString(),
              agentId,
              sourceId,
              status,
            }),
          ),
        ),
      );
    }
    for (; due.interactions >= 1; due.interactions--) conversations.push(interaction());
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    if (tick % 100 === 0) {
      const backlog = publisher.backlog();
      console.log(
        `[bench] t=${Math.round((Date.now() - startedAt) / 1000)} s accepted presence ${accepted.presence}/${offered.presence}, routing ${accepted.routingStatus}/${offered.routingStatus}, conversation ${accepted.conversation}/${offered.conversation}; backlog ${backlog.presence}/${backlog.routingStatus}/${backlog.conversations}`,
      );
    }
    await sleep(startedAt + (tick + 1) * tickMs - Date.now());
  }
  await Promise.all([...pending, ...conversations]);
  const elapsedSeconds = (Date.now() - startedAt) / 1_000;
  const cpu = process.cpuUsage(cpuBefore);
  const stats = (
    await axios.get<SimulatorCounters & { busiestWindowRequests: number }>(
      `${simulator.url}/__simulator/stats`,
    )
  ).data;
  client.close();

  const endpointRequests = (endpoint: string) => stats.requestsByEndpoint[`POST ${endpoint}`] ?? 0;
  const kinds = {
    presence: endpointRequests('/api/v2/events/users/presence'),
    routingStatus: endpointRequests('/api/v2/events/users/routingstatus'),
    conversation: endpointRequests('/api/v2/events/conversations'),
  };
  const summary = tally.summary(kinds);
  const report = {
    benchmark: 'publisher',
    ranAt: new Date(startedAt).toISOString(),
    machine: machine(),
    settings: flags,
    elapsedSeconds,
    kinds: summary,
    simulator: {
      requests: stats.requests,
      rateLimited: stats.rateLimited,
      busiestWindowRequests: stats.busiestWindowRequests,
      eventsAccepted: stats.eventsAccepted,
      eventsRejected: stats.eventsRejected,
      rejectedByReason: stats.rejectedByReason,
      orderViolations: stats.orderViolations,
      duplicateEventIds: stats.duplicateEventIds,
    },
    publisher: publisher.stats(),
    process: {
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      cpuMsPerEvent:
        (cpu.user + cpu.system) /
        1e3 /
        Math.max(1, offered.presence + offered.routingStatus + offered.conversation),
      peakRssMiB: Math.round(peakRss / 2 ** 20),
    },
  };
  const folder = path.join(projectRoot, 'results');
  mkdirSync(folder, { recursive: true });
  const file = path.join(folder, 'publisher-bench.json');
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  for (const [kind, figures] of Object.entries(summary)) {
    console.log(
      `[bench] ${kind}: ${figures.accepted}/${figures.offered} accepted, p50 ${figures.latencyMs.p50?.toFixed(0)} ms, p99 ${figures.latencyMs.p99?.toFixed(0)} ms, ${figures.apiRequests} requests (${figures.apiRequestsPerEvent?.toFixed(3)} per event)`,
    );
  }
  console.log(
    `[bench] simulator: ${report.simulator.requests} requests, busiest 60 s window ${report.simulator.busiestWindowRequests} (limit ${flags.requestsPerMinute}), ${report.simulator.rateLimited} × 429, ${report.simulator.orderViolations} order violations, ${report.simulator.eventsRejected} rejected`,
  );
  console.log(
    `[bench] this process: ${report.process.cpuSeconds.toFixed(1)} CPU s, peak RSS ${report.process.peakRssMiB} MiB; report in ${path.relative(projectRoot, file)}`,
  );
}

main().catch((error: unknown) => {
  console.error(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
