/**
 * Publisher benchmark (`npm run bench:publisher -- --duration 120`): the bridge's Genesys client and
 * publisher carrying the seed-scale event streams (4,000 agents, 2,000 presence and 2,000 routing
 * changes a minute, 5 voice interactions a second) to the simulator in its own process, under the real
 * 300 requests/min budget and 60 s window. Writes `results/publisher-bench.json` and prints a summary:
 * offered vs accepted per kind, latency from hand-over to acceptance, API requests per event, 429s,
 * the busiest 60 s window the simulator saw, and this process's CPU and memory.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import axios from 'axios';
import { Command, InvalidArgumentError } from 'commander';
import { GenesysClient } from '../activities/genesys/client';
import type { ConversationEventKey, ConversationEvent } from '../domain/genesys';
import { EventPublisher } from '../activities/genesys/publisher';
import { defaultSimulatorClient } from '../simulator/seed';
import type { SimulatorCounters } from '../simulator/state';
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

interface Organization {
  presenceSources: { id: string }[];
  presenceDefinitions: { id: string }[];
  queues: { id: string }[];
  wrapupCodes: { id: string }[];
  users: { id: string; primarySourceId?: string }[];
}

type Kind = 'presence' | 'routingStatus' | 'conversation';

function positive(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new InvalidArgumentError('expected a number > 0');
  return parsed;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(sorted: number[], share: number): number | null {
  if (sorted.length === 0) return null;
  const value = sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))];
  return value === undefined ? null : Math.round(value);
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
  const organization = (await axios.get<Organization>(`${simulator.url}/__simulator/organization`)).data;
  const agents = organization.users.filter((user) => user.primarySourceId !== undefined);
  const sourceId = organization.presenceSources[0]!.id;
  const definitions = organization.presenceDefinitions.map((definition) => definition.id);
  const queueId = organization.queues[0]!.id;
  const wrapupCode = organization.wrapupCodes[0]!.id;

  const offered: Record<Kind, number> = { presence: 0, routingStatus: 0, conversation: 0 };
  const accepted: Record<Kind, number> = { presence: 0, routingStatus: 0, conversation: 0 };
  const failed: Record<Kind, string[]> = { presence: [], routingStatus: [], conversation: [] };
  const latencies: Record<Kind, number[]> = { presence: [], routingStatus: [], conversation: [] };
  const tracked = async (kind: Kind, publish: () => Promise<unknown>) => {
    offered[kind]++;
    const started = performance.now();
    try {
      await publish();
      accepted[kind]++;
      latencies[kind].push(performance.now() - started);
    } catch (error) {
      failed[kind].push(error instanceof Error ? error.message : String(error));
    }
  };
  // One change in flight per agent stream, as the agent workflows guarantee.
  const streams = new Map<string, Promise<void>>();
  const inOrder = (key: string, work: () => Promise<void>) => {
    const next = (streams.get(key) ?? Promise.resolve()).then(work);
    streams.set(key, next);
    return next;
  };
  let agentCursor = 0;
  const nextAgent = () => agents[agentCursor++ % agents.length]!.id;

  const conversations: Promise<void>[] = [];
  const interaction = async () => {
    const conversationId = randomUUID();
    const customer = randomUUID();
    const queueLeg = randomUUID();
    const agentLeg = randomUUID();
    const agent = nextAgent();
    const source = { sourceId, interactionId: `bench-${conversationId.slice(0, 8)}` };
    const event =
      <Key extends ConversationEventKey>(key: Key, fields: object, gapMs: number) =>
      async () => {
        await sleep(gapMs);
        const body = {
          eventId: randomUUID(),
          eventDateTime: new Date().toISOString(),
          conversationId,
          ...fields,
        };
        await tracked('conversation', () =>
          publisher.publishConversationEvent(key, body as ConversationEvent<Key>),
        );
      };
    const steps = [
      event(
        'externalEstablishedEvents',
        {
          communicationId: customer,
          initialConfiguration: { inbound: true },
          sourceConfiguration: source,
          ani: 'tel:+15550100',
        },
        0,
      ),
      event(
        'routingEstablishedEvents',
        {
          communicationId: queueLeg,
          queueId,
          initialConfiguration: { inbound: true },
          sourceConfiguration: source,
        },
        500,
      ),
      event(
        'userEstablishedEvents',
        {
          communicationId: agentLeg,
          userId: agent,
          initialConfiguration: { inbound: true, alerting: true },
          sourceConfiguration: source,
        },
        2_000,
      ),
      event('communicationEndedEvents', { communicationId: queueLeg, disconnectType: 'Transfer' }, 1_000),
      event('communicationAnsweredEvents', { communicationId: agentLeg }, 0),
      event('holdUpdatedEvents', { communicationId: customer, held: true }, 10_000),
      event('holdUpdatedEvents', { communicationId: customer, held: false }, 5_000),
      event('communicationEndedEvents', { communicationId: customer, disconnectType: 'Peer' }, 10_000),
      event('communicationEndedEvents', { communicationId: agentLeg, disconnectType: 'Peer' }, 0),
      event('communicationDispositionAppliedEvents', { communicationId: agentLeg, code: wrapupCode }, 5_000),
    ];
    for (const step of steps) await step();
  };

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
          tracked('presence', () =>
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
          tracked('routingStatus', () =>
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
  const summary = Object.fromEntries(
    (Object.keys(offered) as Kind[]).map((kind) => {
      const sorted = [...latencies[kind]].sort((a, b) => a - b);
      return [
        kind,
        {
          offered: offered[kind],
          accepted: accepted[kind],
          failed: failed[kind].length,
          firstFailures: failed[kind].slice(0, 3),
          latencyMs: {
            p50: percentile(sorted, 0.5),
            p95: percentile(sorted, 0.95),
            p99: percentile(sorted, 0.99),
            max: percentile(sorted, 1),
          },
          apiRequests: kinds[kind],
          apiRequestsPerEvent: offered[kind] === 0 ? null : Number((kinds[kind] / offered[kind]).toFixed(4)),
        },
      ];
    }),
  );
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
