import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../workers/config';

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
});
