import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { processMetrics, serviceMetrics, workflowMetrics, type MetricDefinition } from '../config/metrics';
import { projectRoot } from '../tools/stack/toolchain';
import { statusCounts } from '../workers/workflow-status';

const prometheusFolder = path.join(projectRoot, 'ops', 'prometheus');
const rulesFile = path.join(prometheusFolder, 'byoi-bridge.rules.yml');
const dashboardFile = path.join(projectRoot, 'ops', 'grafana', 'byoi-bridge.json');

/** Runs promtool; answers its exit status and output, or undefined when it is not installed. */
function promtool(args: string[], cwd = prometheusFolder): { status: number; output: string } | undefined {
  const run = spawnSync('promtool', args, { cwd, encoding: 'utf8' });
  if (run.error && 'code' in run.error && run.error.code === 'ENOENT') return undefined;
  return { status: run.status ?? -1, output: `${run.stdout}${run.stderr}` };
}

/** Skips the calling test, saying what to install, when promtool is missing. */
function requirePromtool(context: Mocha.Context): void {
  if (promtool(['--version']) === undefined) {
    console.warn(
      "    promtool is not installed: install Debian's prometheus package (scripts/setup.sh does)",
    );
    context.skip();
  }
}

/** The series names a definition shows on `/metrics`. */
function exposedNames(definition: MetricDefinition): string[] {
  return definition.type === 'histogram'
    ? ['_bucket', '_sum', '_count'].map((suffix) => `${definition.name}${suffix}`)
    : [definition.name];
}

/** Every `byoi_…` series the bridge's processes serve. */
const exported = new Set(
  [
    ...Object.values(serviceMetrics),
    ...Object.values(workflowMetrics),
    ...Object.values(processMetrics),
  ].flatMap(exposedNames),
);

/** The label names each exported series may carry: its own, the two Prometheus adds, `le` on buckets. */
const labelsOf = new Map(
  [
    ...Object.values(serviceMetrics),
    ...Object.values(workflowMetrics),
    ...Object.values(processMetrics),
  ].flatMap((definition) =>
    exposedNames(definition).map(
      (name) =>
        [
          name,
          new Set([...definition.labels, 'instance', 'job', ...(name.endsWith('_bucket') ? ['le'] : [])]),
        ] as const,
    ),
  ),
);

/** Every ByoiStatus value the workflows can be counted in. */
const statuses = new Set(statusCounts().map((count) => count.status));

/**
 * What is wrong with the `byoi_…{…}` selectors of `text`: a label the series does not have, or a status no
 * workflow is ever in (either would make a query silently match nothing).
 */
function selectorProblems(text: string): string[] {
  const problems: string[] = [];
  for (const [, name, matchers] of text.matchAll(/\b(byoi_[a-z0-9_]+)\{([^}]*)\}/g)) {
    for (const [, label, value] of matchers!.matchAll(/([a-z_]+)\s*(?:=~|!~|!=|=)\s*"([^"]*)"/g)) {
      if (!labelsOf.get(name!)?.has(label!)) problems.push(`${name} has no label ${label}`);
      if (label === 'status' && name!.startsWith('byoi_workflows')) {
        for (const status of value!.split('|')) {
          if (!statuses.has(status)) problems.push(`${name}: no workflow is ever ${status}`);
        }
      }
    }
  }
  return problems;
}

function byoiNamesIn(text: string): string[] {
  return [...new Set(text.match(/\bbyoi_[a-z0-9_]+\b/g) ?? [])];
}

/** The alerts of the rules file, each with the text of its rule. */
function alertsIn(rules: string): { name: string; text: string }[] {
  return rules
    .split(/\n(?=\s+- alert: )/)
    .slice(1)
    .map((text) => ({ name: /- alert: (\w+)/.exec(text)![1]!, text }));
}

interface Target {
  refId: string;
  expr: string;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: Target[];
}
interface Dashboard {
  title: string;
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; query: unknown }[] };
}

describe('the alert rules', () => {
  it('are valid for promtool, and so is the example Prometheus configuration that loads them', function () {
    requirePromtool(this);
    const rules = promtool(['check', 'rules', rulesFile])!;
    assert.equal(rules.status, 0, rules.output);
    assert.match(rules.output, /SUCCESS: \d+ rules found/);
    const config = promtool(['check', 'config', 'prometheus.yml'])!;
    assert.equal(config.status, 0, config.output);
  });

  it('fire on synthetic series, only after their time, and stay quiet on a healthy bridge (promtool test rules)', function () {
    requirePromtool(this);
    const run = promtool(['test', 'rules', 'byoi-bridge.rules.test.yml'])!;
    assert.equal(run.status, 0, run.output);
    assert.match(run.output, /SUCCESS/);
  });

  it('each carry a severity, a summary and a description that says where to read on, and each is proved to fire', async () => {
    const rules = await readFile(rulesFile, 'utf8');
    const unitTests = await readFile(path.join(prometheusFolder, 'byoi-bridge.rules.test.yml'), 'utf8');
    const alerts = alertsIn(rules);
    assert.ok(alerts.length >= 15, `${alerts.length} alerts`);
    assert.equal(new Set(alerts.map((alert) => alert.name)).size, alerts.length, 'alert names are unique');
    const fired = new Set(
      [...unitTests.matchAll(/alertname: (\w+)\n\s+exp_alerts:\n\s+- exp_labels/g)].map((match) => match[1]),
    );
    for (const { name, text } of alerts) {
      assert.match(text, /severity: (critical|warning|info)\n/, `${name}: severity`);
      assert.match(text, /summary: /, `${name}: summary`);
      assert.match(
        text,
        /description: [\s\S]*docs\/[a-z-]+\.md/,
        `${name}: the description points at the docs`,
      );
      assert.ok(fired.has(name), `${name} is never shown to fire in byoi-bridge.rules.test.yml`);
    }
  });

  it('name only metrics the bridge exports, with labels and statuses they have', async () => {
    const rules = await readFile(rulesFile, 'utf8');
    assert.deepEqual(
      byoiNamesIn(rules).filter((name) => !exported.has(name)),
      [],
    );
    assert.ok(rules.includes('byoi_workflows{'), 'the selectors were found');
    assert.deepEqual(selectorProblems(rules), []);
  });
});

describe('the Grafana dashboard', () => {
  let dashboard: Dashboard;
  let panels: Panel[];
  before(async () => {
    dashboard = JSON.parse(await readFile(dashboardFile, 'utf8')) as Dashboard;
    panels = dashboard.panels.filter((panel) => panel.type !== 'row');
  });

  it('is importable anywhere: its Prometheus is a variable every panel and query uses', () => {
    assert.ok(dashboard.title && dashboard.uid);
    const variable = dashboard.templating.list.find((each) => each.type === 'datasource');
    assert.deepEqual(
      { name: variable?.name, query: variable?.query },
      { name: 'datasource', query: 'prometheus' },
    );
    for (const panel of panels) {
      assert.deepEqual(panel.datasource, { type: 'prometheus', uid: '${datasource}' }, panel.title);
    }
    assert.doesNotMatch(JSON.stringify(dashboard), /"uid":\s*"(?!\$\{datasource\}|byoi-bridge")/);
  });

  it('has unique panel ids, panels that do not overlap on its 24-column grid, and queries with unique refIds', () => {
    const ids = dashboard.panels.map((panel) => panel.id);
    assert.equal(new Set(ids).size, ids.length, 'unique panel ids');
    const cells = new Set<string>();
    for (const panel of dashboard.panels) {
      const { h, w, x, y } = panel.gridPos;
      assert.ok(x >= 0 && w > 0 && x + w <= 24, `${panel.title}: within the grid`);
      for (let row = y; row < y + h; row++) {
        for (let column = x; column < x + w; column++) {
          assert.ok(!cells.has(`${row}:${column}`), `${panel.title} overlaps another panel`);
          cells.add(`${row}:${column}`);
        }
      }
    }
    for (const panel of panels) {
      const targets = panel.targets ?? [];
      assert.ok(targets.length > 0, `${panel.title} has a query`);
      assert.equal(new Set(targets.map((target) => target.refId)).size, targets.length, panel.title);
    }
  });

  it('shows every service-level metric, and names only metrics the bridge exports, with labels they have', () => {
    const expressions = panels.flatMap((panel) => panel.targets ?? []).map((target) => target.expr);
    const named = byoiNamesIn(expressions.join('\n'));
    assert.deepEqual(
      named.filter((name) => !exported.has(name)),
      [],
    );
    assert.deepEqual(selectorProblems(expressions.join('\n')), []);
    for (const definition of [...Object.values(serviceMetrics), ...Object.values(workflowMetrics)]) {
      assert.ok(
        exposedNames(definition).some((name) => named.includes(name)),
        `no panel shows ${definition.name}`,
      );
    }
  });

  it('has only queries that parse as PromQL (checked by promtool as recording rules)', async function () {
    requirePromtool(this);
    const expressions = panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
    // Grafana's variables, as Grafana substitutes them before the query reaches Prometheus.
    const substituted = expressions.map((expr) =>
      expr.replaceAll('$__rate_interval', '1m').replaceAll('$source', '.*'),
    );
    const folder = await mkdtemp(path.join(tmpdir(), 'byoi-dashboard-'));
    try {
      // JSON is YAML: the queries as one group of recording rules.
      const rules = {
        groups: [
          {
            name: 'dashboard',
            rules: substituted.map((expr, index) => ({ record: `byoi_dashboard:query_${index}`, expr })),
          },
        ],
      };
      const file = path.join(folder, 'dashboard.rules.yml');
      await writeFile(file, JSON.stringify(rules));
      const run = promtool(['check', 'rules', file], folder)!;
      assert.equal(run.status, 0, run.output);
      assert.match(run.output, new RegExp(`SUCCESS: ${expressions.length} rules found`));
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
