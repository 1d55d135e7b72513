/**
 * A real Prometheus server (Debian's `prometheus` package) for tests: it scrapes the given targets every
 * second under the job names the alert rules expect, evaluates the rules every second, and answers
 * queries over its HTTP API. Its data lives in a temporary folder that goes with it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import axios from 'axios';
import { stopProcess, untilReady } from '../tools/stack/stack';
import { freePort } from './harness';

/** Whether the `prometheus` server is installed. */
export function prometheusInstalled(): boolean {
  const run = spawnSync('prometheus', ['--version'], { encoding: 'utf8' });
  return run.error === undefined && run.status === 0;
}

/** One rule as `/api/v1/rules` reports it. */
export interface RuleState {
  name: string;
  type: 'alerting' | 'recording';
  health: string;
  lastError?: string;
  lastEvaluation: string;
  alerts?: { labels: Record<string, string>; state: string }[];
}

/** A running Prometheus. */
export interface PrometheusServer {
  url: string;
  /** An instant query's result, or its error. */
  query(expr: string): Promise<{
    status: string;
    error?: string;
    result: { metric: Record<string, string>; value: [number, string] }[];
  }>;
  /** Every rule with its health and, for alerts, their active alerts. */
  rules(): Promise<RuleState[]>;
  /** Health of every scrape target by job. */
  targets(): Promise<{ job: string; health: string }[]>;
  stop(): Promise<void>;
}

/** Starts Prometheus scraping `jobs` (job name → `host:port`) with `ruleFile` loaded. */
export async function startPrometheus(
  jobs: Record<string, string>,
  ruleFile: string,
): Promise<PrometheusServer> {
  const folder = await mkdtemp(path.join(tmpdir(), 'byoi-prometheus-'));
  const port = await freePort();
  // JSON is YAML.
  const config = {
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: [ruleFile],
    scrape_configs: Object.entries(jobs).map(([job, target]) => ({
      job_name: job,
      static_configs: [{ targets: [target] }],
    })),
  };
  await writeFile(path.join(folder, 'prometheus.yml'), JSON.stringify(config));
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${path.join(folder, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(folder, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const url = `http://127.0.0.1:${port}`;
  try {
    await untilReady(`${url}/-/ready`, child);
  } catch (error) {
    await stopProcess(child);
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
  const api = async <T>(route: string, params: Record<string, string> = {}) =>
    (
      await axios.get<{ status: string; error?: string; data: T }>(`${url}/api/v1/${route}`, {
        params,
        validateStatus: () => true,
      })
    ).data;
  return {
    url,
    async query(expr) {
      const answer = await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
        'query',
        { query: expr },
      );
      return { status: answer.status, error: answer.error, result: answer.data?.result ?? [] };
    },
    async rules() {
      const answer = await api<{ groups: { rules: RuleState[] }[] }>('rules');
      return answer.data.groups.flatMap((group) => group.rules);
    },
    async targets() {
      const answer = await api<{ activeTargets: { labels: { job: string }; health: string }[] }>('targets');
      return answer.data.activeTargets.map((target) => ({ job: target.labels.job, health: target.health }));
    },
    async stop() {
      await stopProcess(child);
      await rm(folder, { recursive: true, force: true });
    },
  };
}
