/**
 * The chaos run's oracle in the bench (`--oracle`, on with `--cluster`): a log of what each ingress replica
 * acknowledged, then each acknowledged event looked for in Genesys (the simulator's read-back) or in its
 * workflow's ledger; nothing lost, doubled or reordered. Also how the load spread over the replicas: how
 * many agents and interactions had events acknowledged by more than one.
 */
import type { DataConverter } from '@temporalio/common';
import {
  startAcknowledgementLog,
  type AcknowledgedEvent,
  type AcknowledgementLog,
} from '../chaos/acknowledgements';
import { judge, type OracleVerdict } from '../chaos/oracle';
import { readBack } from '../chaos/read-back';
import { benchSource } from './options';
import { withTemporalClient, type TemporalTarget } from './temporal';

/** The logs in front of the ingress replicas. */
export interface BenchOracle {
  /** Where the driver sends: one log per replica, in the replicas' order. */
  urls: string[];
  logs: AcknowledgementLog[];
  close(): Promise<void>;
}

/** What the oracle found, and how the acknowledged events spread over the replicas. */
export interface BenchJudgement {
  verdict: OracleVerdict;
  spread: {
    ingresses: number;
    /** Events acknowledged by each replica (an event resent may be acknowledged by two). */
    acknowledgedByIngress: number[];
    agents: number;
    /** Agents with events acknowledged by more than one replica. */
    agentsOnSeveralIngresses: number;
    interactions: number;
    interactionsOnSeveralIngresses: number;
  };
}

/** Starts a log in front of each of `ingressUrls`. */
export async function startOracle(ingressUrls: readonly string[]): Promise<BenchOracle> {
  const logs = await Promise.all(ingressUrls.map((url) => startAcknowledgementLog(url)));
  return {
    urls: logs.map((log) => log.url),
    logs,
    close: async () => {
      await Promise.all(logs.map((log) => log.close()));
    },
  };
}

/** Where the oracle reads back from. */
export interface JudgeOptions {
  temporal: TemporalTarget;
  dataConverter: DataConverter;
  simulatorUrl: string;
  /** The simulator's upload directory. */
  uploadDir: string;
  /** MD5 of the recording every call serves. */
  recordingMd5: string;
  /** Events Genesys refused as out of order, since the simulator started. */
  orderViolations: number;
}

/** Reads back every acknowledged agent and interaction and judges them (the workers must still run). */
export async function judgeBench(oracle: BenchOracle, options: JudgeOptions): Promise<BenchJudgement> {
  // An event resent through another replica may be acknowledged by both: the first acknowledgement counts.
  const acknowledged = new Map<string, AcknowledgedEvent>();
  const replicasOf = new Map<string, Set<number>>();
  oracle.logs.forEach((log, index) => {
    for (const event of log.acknowledged.values()) {
      const known = acknowledged.get(event.eventId);
      if (!known || event.acknowledgedAt < known.acknowledgedAt) acknowledged.set(event.eventId, event);
      const entity = `${event.kind}/${event.entityId}`;
      replicasOf.set(entity, (replicasOf.get(entity) ?? new Set()).add(index));
    }
  });
  const events = [...acknowledged.values()];
  const read = await withTemporalClient(
    options.temporal,
    (client) =>
      readBack(
        { simulatorUrl: options.simulatorUrl, uploadDir: options.uploadDir, client, source: benchSource },
        events,
      ),
    options.dataConverter,
  );
  const verdict = judge(
    events,
    read.agents,
    read.conversations,
    options.recordingMd5,
    options.orderViolations,
  );
  const entities = (kind: string) => [...replicasOf].filter(([entity]) => entity.startsWith(`${kind}/`));
  const onSeveral = (kind: string) => entities(kind).filter(([, replicas]) => replicas.size > 1).length;
  return {
    verdict,
    spread: {
      ingresses: oracle.logs.length,
      acknowledgedByIngress: oracle.logs.map((log) => log.acknowledged.size),
      agents: entities('agent').length,
      agentsOnSeveralIngresses: onSeveral('agent'),
      interactions: entities('conversation').length,
      interactionsOnSeveralIngresses: onSeveral('conversation'),
    },
  };
}
