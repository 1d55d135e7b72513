/**
 * The main job's contact centre: its generated traffic played through the ingress with live progress,
 * then what became of it, in Temporal and in Genesys.
 */
import { statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { Client } from '@temporalio/client';
import { conversationWorkflowId } from '../../client/library/conversation-events';
import type { BridgeConfig } from '../../config';
import { formatConsistency, simulatorConsistency } from '../../simulator/consistency-client';
import { percentile } from '../../simulator/latency';
import type { conversationWorkflow } from '../../workflows/conversation';
import { contactCentreDirectory, loadParties } from '../load/contact-centre';
import { driveLoad } from '../load/driver';
import {
  contactCentreLoad,
  seedScale,
  shiftOpening,
  type LoadShape,
  type TimedEvent,
} from '../load/generator';
import { requestsBetween, simulatorCounters, simulatorLatency, sumWhere } from '../stack/stack';
import type { AgentStates } from './agent-states';
import { demoRecordingFile } from './first-act';
import type { DemoIngress } from './stack';
import { step } from './step';

/**
 * Plays the generated contact centre through the ingress for `--seconds`: the shift's opening (every agent
 * logs in On Queue), then its realistic load (calls and emails with their whole lifecycles, routed to
 * free agents on queue, and breaks between them; minutes played in seconds), showing progress every 5 s,
 * then reports: events by outcome, request latency, conversations by status, and — when Genesys is the
 * simulator, which can be asked — what Genesys saw and whether it saw anything inconsistent. Answers the
 * last events it sent, for the duplicate burst that follows.
 */
export async function playContactCentre(
  client: Client,
  config: BridgeConfig,
  ingress: DemoIngress,
  flags: { seconds: number; agents: number },
  simulatorUrl: string | undefined,
  agentStates: AgentStates,
): Promise<TimedEvent['event'][]> {
  const source = config.directory.source;
  const directory = contactCentreDirectory({ agents: flags.agents, source });
  const recording = demoRecordingFile(config);
  const genesysBefore = simulatorUrl ? await simulatorCounters(simulatorUrl) : undefined;
  const interactions = new Set<string>();
  const recent: TimedEvent['event'][] = [];
  const runId = `demo-${Date.now().toString(36)}`;
  const startedAt = Date.now();
  // Published and in flight are read from Genesys and Temporal every 5 s, off the driver's path.
  const runningQuery = `ByoiKind = 'conversation' AND ExecutionStatus = 'Running' AND ByoiSource = '${source}'`;
  const runningBefore = (await client.workflow.count(runningQuery)).count;
  const live = { published: 0, inFlight: 0 };
  const refresh = async () => {
    if (simulatorUrl && genesysBefore) {
      live.published = (await simulatorCounters(simulatorUrl)).eventsAccepted - genesysBefore.eventsAccepted;
    }
    live.inFlight = (await client.workflow.count(runningQuery)).count - runningBefore;
  };
  let lastShown = 0;
  step(
    `playing ${flags.seconds} s of a ${flags.agents}-agent contact centre through the ingress (run ${runId}; ` +
      `progress: events sent, accepted by the bridge, ${simulatorUrl ? 'Genesys events published, ' : ''}conversations in flight, driver lag)`,
  );
  const shape: LoadShape = {
    ...seedScale,
    source,
    ...loadParties(directory),
    presenceChangesPerMinute: 6 * flags.agents,
    interactionsPerSecond: flags.agents / 40,
    timeScale: 0.1,
    recordingUrl: () => pathToFileURL(recording).href,
    recordingBytes: statSync(recording).size,
    runId,
    seed: Date.now() % 2 ** 31,
  };
  const openedAt = Math.max(Date.now(), agentStates.lastMs + 1);
  const stats = await driveLoad({
    ingressUrl: ingress.url,
    token: ingress.token,
    events: tap(
      (function* () {
        yield* shiftOpening(shape, openedAt);
        yield* contactCentreLoad(shape, openedAt, flags.seconds * 1_000);
      })(),
      (timed) => {
        agentStates.see(timed.event);
        if (timed.event.kind === 'conversation') interactions.add(timed.event.interactionId as string);
        recent.push(timed.event);
        if (recent.length > 100) recent.shift();
      },
    ),
    onProgress: (progress) => {
      if (Date.now() - lastShown < 5_000) return;
      lastShown = Date.now();
      step(
        `  ${Math.round((Date.now() - startedAt) / 1_000)} s: sent ${progress.sent}, accepted ${progress.accepted}, ` +
          (simulatorUrl ? `published ${live.published}, ` : '') +
          `in flight ${live.inFlight}, lag ${progress.lagMs} ms` +
          (progress.refused + progress.resent > 0
            ? ` (refused ${progress.refused}, resent ${progress.resent})`
            : ''),
      );
      refresh().catch(() => undefined);
    },
  });
  step(
    `played: ${stats.sent} events sent, ${stats.accepted} accepted, ${stats.duplicate} duplicates, ${stats.refused} refused, ` +
      `${stats.resent} resent; ${stats.requests} requests, p50 ${percentile(stats.requestMs, 50)} ms, p99 ${percentile(stats.requestMs, 99)} ms`,
  );
  for (const refusal of stats.refusals.slice(0, 5)) step(`  refused ${refusal}`);
  // Every interaction of this run settles within seconds of its last event (wrap-ups and recordings included).
  const byStatus = new Map<string, number>();
  for (const interactionId of interactions) {
    const outcome = await client.workflow
      .getHandle<typeof conversationWorkflow>(conversationWorkflowId(source, interactionId))
      .result();
    byStatus.set(outcome.status, (byStatus.get(outcome.status) ?? 0) + 1);
  }
  step(`conversations: ${[...byStatus].map(([status, count]) => `${count} ${status}`).join(', ') || 'none'}`);
  if (!simulatorUrl || !genesysBefore) {
    step(
      `Genesys at ${config.genesys?.hosts.apiBaseUrl ?? 'the configured URL'} is not the embedded simulator: no ` +
        'Genesys-side counts, latency or consistency check here (only the simulator can be asked); the workflows above say what became of each event',
    );
    return recent;
  }
  const after = await simulatorCounters(simulatorUrl);
  const accepted = after.eventsAccepted - genesysBefore.eventsAccepted;
  const eventRequests = sumWhere(requestsBetween(genesysBefore, after), (endpoint) =>
    endpoint.includes('/api/v2/events/'),
  );
  step(
    `Genesys (simulator): ${accepted} events accepted in ${eventRequests} event requests (${(eventRequests / Math.max(1, accepted)).toFixed(2)} per event), ` +
      `${after.orderViolations - genesysBefore.orderViolations} order violations, ${after.duplicateEventIds - genesysBefore.duplicateEventIds} duplicate event ids, ` +
      `${after.rateLimited - genesysBefore.rateLimited} 429s, ${after.recordingsUploaded - genesysBefore.recordingsUploaded} recordings uploaded`,
  );
  const latency = await simulatorLatency(simulatorUrl, startedAt);
  step(
    `latency from the event to Genesys accepting it (p50/p99): ${Object.entries(latency.events)
      .map(([kind, summary]) => `${kind} ${summary.p50}/${summary.p99} ms`)
      .join(
        ', ',
      )}; recordings playable ${(latency.recordingPlayableAfterCallEnd.p50 / 1_000).toFixed(1)}/${(latency.recordingPlayableAfterCallEnd.p99 / 1_000).toFixed(1)} s after the call ended`,
  );
  await reportConsistency(simulatorUrl, 'after the load');
  return recent;
}

/** Prints what the simulator found inconsistent in the agents' states against their interactions. */
export async function reportConsistency(simulatorUrl: string, when: string): Promise<void> {
  const lines = formatConsistency(await simulatorConsistency(simulatorUrl));
  step(`${lines[0]!} — ${when}`);
  for (const line of lines.slice(1)) step(line);
}

/** Passes every item of `items` to `see` on its way through. */
export function* tap<T>(items: Iterable<T>, see: (item: T) => void): Generator<T> {
  for (const item of items) {
    see(item);
    yield item;
  }
}
