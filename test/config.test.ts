import path from 'node:path';
import assert from 'node:assert/strict';
import { bridgeClientOptionsFrom } from '../client/library/bridge-client';
import { ConfigError, loadConfig } from '../config';
import { defaultAgentWorkflowSettings } from '../workflows/agent';

describe('configuration', () => {
  it('defaults to the embedded dev server on loopback', () => {
    const config = loadConfig({});
    assert.equal(config.temporal.connectionOptions.address, '127.0.0.1:7233');
    assert.equal(config.temporal.namespace, 'default');
    assert.equal(config.taskQueue, 'byoi-bridge');
    assert.equal(config.devServer.dbFile, '.data/temporal.sqlite');
  });

  it("follows Temporal's own TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE variables", () => {
    const config = loadConfig({
      TEMPORAL_ADDRESS: 'temporal.internal:7233',
      TEMPORAL_NAMESPACE: 'byoi-prod',
    });
    assert.equal(config.temporal.connectionOptions.address, 'temporal.internal:7233');
    assert.equal(config.temporal.namespace, 'byoi-prod');
  });

  it('lists every invalid setting at once, naming each variable', () => {
    assert.throws(
      () =>
        loadConfig({
          BYOI_DEV_SERVER_PORT: 'seven',
          BYOI_DEV_SERVER_UI_PORT: '70000',
          BYOI_LOG_LEVEL: 'loud',
        }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.problems.length, 3);
        assert.match(error.message, /BYOI_DEV_SERVER_PORT: must be a port number/);
        assert.match(error.message, /BYOI_DEV_SERVER_UI_PORT: must be a port number from 1 to 65535/);
        assert.match(error.message, /BYOI_LOG_LEVEL: .*"info"/);
        return true;
      },
    );
  });

  it('serves metrics only where BYOI_METRICS_ADDRESS says, and refuses an address without a port', () => {
    assert.equal(loadConfig({}).metricsAddress, undefined);
    assert.equal(loadConfig({ BYOI_METRICS_ADDRESS: '127.0.0.1:9464' }).metricsAddress, '127.0.0.1:9464');
    assert.throws(
      () => loadConfig({ BYOI_METRICS_ADDRESS: 'localhost' }),
      /BYOI_METRICS_ADDRESS: must be host:port/,
    );
  });

  it('counts workflows by status every minute unless told another interval or off, and names a bad one', () => {
    assert.equal(loadConfig({}).workflowStatusIntervalMs, 60_000);
    assert.equal(loadConfig({ BYOI_WORKFLOW_STATUS_INTERVAL: '30s' }).workflowStatusIntervalMs, 30_000);
    assert.equal(loadConfig({ BYOI_WORKFLOW_STATUS_INTERVAL: '2h' }).workflowStatusIntervalMs, 7_200_000);
    assert.equal(loadConfig({ BYOI_WORKFLOW_STATUS_INTERVAL: 'off' }).workflowStatusIntervalMs, undefined);
    for (const bad of ['0s', '1d', 'sometimes']) {
      assert.throws(
        () => loadConfig({ BYOI_WORKFLOW_STATUS_INTERVAL: bad }),
        /BYOI_WORKFLOW_STATUS_INTERVAL: must be off or a duration/,
        bad,
      );
    }
  });

  it('resolves a Genesys region to its API and login hosts and keeps the batching limits of the contract', () => {
    const config = loadConfig({
      GENESYS_REGION: 'eu-west-1',
      GENESYS_CLIENT_ID: 'id',
      GENESYS_CLIENT_SECRET: 's',
    });
    assert.deepEqual(config.genesys?.hosts, {
      apiBaseUrl: 'https://api.mypurecloud.ie',
      loginBaseUrl: 'https://login.mypurecloud.ie',
    });
    assert.equal(config.genesys?.requestsPerMinute, 300);
    assert.equal(config.genesys?.budgetSharedBy, 1);
    assert.equal(config.genesys?.maxEventsPerBatch, 100);
  });

  it("reads how many workers share the OAuth client's budget, and refuses none", () => {
    const genesys = { GENESYS_REGION: 'eu-west-1', GENESYS_CLIENT_ID: 'id', GENESYS_CLIENT_SECRET: 's' };
    assert.equal(loadConfig({ ...genesys, GENESYS_BUDGET_SHARED_BY: '3' }).genesys?.budgetSharedBy, 3);
    assert.throws(
      () => loadConfig({ ...genesys, GENESYS_BUDGET_SHARED_BY: '0' }),
      /GENESYS_BUDGET_SHARED_BY/,
    );
  });

  it('reads the reorder window and the publish interval in milliseconds (zero allowed, at most a minute) and the workflow cache size', () => {
    const defaults = loadConfig({
      GENESYS_REGION: 'eu-west-1',
      GENESYS_CLIENT_ID: 'id',
      GENESYS_CLIENT_SECRET: 's',
    });
    assert.equal(defaults.ingress.reorderWindowMs, 500);
    assert.equal(defaults.genesys?.publishIntervalMs, 400);
    const set = loadConfig({
      BYOI_REORDER_WINDOW_MS: '0',
      BYOI_PUBLISH_INTERVAL_MS: '1000',
      GENESYS_REGION: 'eu-west-1',
      GENESYS_CLIENT_ID: 'id',
      GENESYS_CLIENT_SECRET: 's',
    });
    assert.equal(set.ingress.reorderWindowMs, 0);
    assert.equal(set.genesys?.publishIntervalMs, 1_000);
    assert.equal(defaults.maxCachedWorkflows, 10_000, 'every agent of the seed and its live conversations');
    assert.equal(defaults.maxConcurrentWorkflowTasks, 500);
    assert.equal(loadConfig({ BYOI_MAX_CACHED_WORKFLOWS: '8000' }).maxCachedWorkflows, 8_000);
    assert.throws(
      () => loadConfig({ BYOI_REORDER_WINDOW_MS: '2s', BYOI_PUBLISH_INTERVAL_MS: '600000' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /BYOI_REORDER_WINDOW_MS: must be a whole number of milliseconds/);
        assert.match(error.message, /BYOI_PUBLISH_INTERVAL_MS: must be at most 60000/);
        return true;
      },
    );
  });

  it('bounds when an agent workflow continues as new, and names the setting when it is out of range', () => {
    assert.equal(
      loadConfig({}).ingress.agentHistoryEvents,
      defaultAgentWorkflowSettings.continueAsNewAfterHistoryEvents,
      'the agent workflow’s own default',
    );
    const set = loadConfig({ BYOI_AGENT_HISTORY_EVENTS: '150', BYOI_REORDER_WINDOW_MS: '250' });
    assert.equal(set.ingress.agentHistoryEvents, 150);
    // What the ingress and the demo start agent and conversation workflows with.
    const options = bridgeClientOptionsFrom(set);
    assert.deepEqual(options.agentSettings, { reorderWindowMs: 250, continueAsNewAfterHistoryEvents: 150 });
    assert.deepEqual(options.conversationSettings, { reorderWindowMs: 250 });
    for (const [value, why] of [
      ['10', /BYOI_AGENT_HISTORY_EVENTS: must be at least 20/],
      ['20000', /BYOI_AGENT_HISTORY_EVENTS: must be at most 10000/],
      ['1k', /BYOI_AGENT_HISTORY_EVENTS: must be a whole number/],
    ] as const) {
      assert.throws(
        () => loadConfig({ BYOI_AGENT_HISTORY_EVENTS: value }),
        (error: unknown) => error instanceof ConfigError && why.test(error.message),
        value,
      );
    }
  });

  it('points at the simulator through one base URL for both API and login', () => {
    const config = loadConfig({
      GENESYS_API_BASE_URL: 'http://127.0.0.1:9090/',
      GENESYS_CLIENT_ID: 'id',
      GENESYS_CLIENT_SECRET: 's',
    });
    assert.equal(config.genesys?.hosts.apiBaseUrl, 'http://127.0.0.1:9090');
    assert.equal(config.genesys?.hosts.loginBaseUrl, 'http://127.0.0.1:9090');
  });

  it('names every missing or contradictory Genesys setting', () => {
    assert.throws(
      () =>
        loadConfig({ GENESYS_REGION: 'mars-1', GENESYS_CLIENT_ID: 'id', BYOI_MAX_EVENTS_PER_BATCH: '500' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /BYOI_MAX_EVENTS_PER_BATCH/);
        return true;
      },
    );
    assert.throws(
      () => loadConfig({ GENESYS_REGION: 'mars-1', GENESYS_CLIENT_ID: 'id' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /GENESYS_REGION: unknown Genesys Cloud region "mars-1"/);
        assert.match(error.message, /GENESYS_CLIENT_SECRET: required/);
        return true;
      },
    );
  });

  it('reads the directory sync settings: source, snapshot location and interval', () => {
    const fromFile = loadConfig({
      BYOI_DIRECTORY_SNAPSHOT: 'directory.json',
      BYOI_DIRECTORY_SYNC_INTERVAL: '15m',
    });
    assert.deepEqual(fromFile.directory, {
      source: 'acd',
      snapshot: { kind: 'file', path: path.resolve('directory.json') },
      syncInterval: '15m',
    });
    const fromUrl = loadConfig({
      BYOI_SOURCE: 'connect',
      BYOI_DIRECTORY_SNAPSHOT: 'https://crm.example/directory',
    });
    assert.deepEqual(fromUrl.directory.snapshot, { kind: 'url', url: 'https://crm.example/directory' });
    assert.throws(
      () => loadConfig({ BYOI_SOURCE: 'a b', BYOI_DIRECTORY_SYNC_INTERVAL: 'hourly' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /BYOI_SOURCE: must be 1–64 letters/);
        assert.match(error.message, /BYOI_DIRECTORY_SYNC_INTERVAL: must be a duration/);
        return true;
      },
    );
  });

  it('reads each source’s ingress tokens and signing secrets, and refuses a list that is not source:secret pairs', () => {
    const config = loadConfig({
      BYOI_INGRESS_PORT: '9090',
      BYOI_INGRESS_TOKENS: 'acd:t1,acd:t2,crm:t3',
      BYOI_INGRESS_HMAC_SECRETS: 'crm:s:with:colons',
    });
    assert.equal(config.ingress.port, 9090);
    assert.equal(config.ingress.host, '127.0.0.1');
    assert.deepEqual(config.ingress.sources, {
      acd: { tokens: ['t1', 't2'], hmacSecrets: [], twilioAuthTokens: [] },
      crm: { tokens: ['t3'], hmacSecrets: ['s:with:colons'], twilioAuthTokens: [] },
    });
    assert.throws(
      () => loadConfig({ BYOI_INGRESS_TOKENS: 'just-a-token' }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.problems.some((problem) =>
          problem.startsWith('BYOI_INGRESS_TOKENS: must be source:secret pairs'),
        ) &&
        !error.message.includes('just-a-token'),
    );
  });

  it('reads the ingress’s public URL and the proxies it trusts, trusting none by default', () => {
    assert.deepEqual(
      [loadConfig({}).ingress.publicUrl, loadConfig({}).ingress.trustProxy],
      [undefined, false],
    );
    const config = loadConfig({
      BYOI_INGRESS_PUBLIC_URL: 'https://bridge.example.com/byoi/',
      BYOI_INGRESS_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,fd00::/8,loopback',
    });
    assert.equal(config.ingress.publicUrl, 'https://bridge.example.com/byoi');
    assert.deepEqual(config.ingress.trustProxy, ['127.0.0.1', '10.0.0.0/8', 'fd00::/8', 'loopback']);
    assert.equal(loadConfig({ BYOI_INGRESS_TRUST_PROXY: 'true' }).ingress.trustProxy, true);
    assert.equal(loadConfig({ BYOI_INGRESS_TRUST_PROXY: '2' }).ingress.trustProxy, 2);
  });

  it('names a bad public URL or proxy list, and why, each by its variable', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [
        { BYOI_INGRESS_PUBLIC_URL: 'bridge.example.com' },
        /^BYOI_INGRESS_PUBLIC_URL: must be an http\(s\) URL/,
      ],
      [
        { BYOI_INGRESS_PUBLIC_URL: 'ftp://bridge.example.com' },
        /^BYOI_INGRESS_PUBLIC_URL: must be an http\(s\) URL/,
      ],
      [
        { BYOI_INGRESS_PUBLIC_URL: 'https://bridge.example.com/?source=acd' },
        /^BYOI_INGRESS_PUBLIC_URL: must have no query or fragment/,
      ],
      [
        { BYOI_INGRESS_TRUST_PROXY: 'yes' },
        /^BYOI_INGRESS_TRUST_PROXY: "yes" is not an address, a CIDR range/,
      ],
      [
        { BYOI_INGRESS_TRUST_PROXY: '10.0.0.0/33' },
        /^BYOI_INGRESS_TRUST_PROXY: "10.0.0.0\/33" is not an address/,
      ],
      [
        { BYOI_INGRESS_TRUST_PROXY: '127.0.0.1,proxy.internal' },
        /^BYOI_INGRESS_TRUST_PROXY: "proxy.internal" is not an address/,
      ],
      [{ BYOI_INGRESS_TRUST_PROXY: '0' }, /^BYOI_INGRESS_TRUST_PROXY: a hop count must be at least 1/],
    ];
    for (const [env, problem] of cases) {
      assert.throws(
        () => loadConfig(env),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.equal(error.problems.length, 1, error.message);
          assert.match(error.problems[0]!, problem);
          return true;
        },
        JSON.stringify(env),
      );
    }
  });
});
