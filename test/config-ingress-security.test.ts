import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../config';

/** The problems `env` is refused with, or none. */
function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
}

describe('configuration of the ingress’s security', () => {
  it('serves plain HTTP, without a secrets file or rate limits, and refuses 30 authentications a minute per address by default', () => {
    const { ingress } = loadConfig({});
    assert.equal(ingress.tls, undefined);
    assert.equal(ingress.secretsFile, undefined);
    assert.equal(ingress.rateLimits, undefined);
    assert.deepEqual(ingress.refusalLimit, { count: 30, perMs: 60_000 });
  });

  it('reads the certificate, key and chain files, and names the missing half of a pair by its variable', () => {
    assert.deepEqual(
      loadConfig({ BYOI_INGRESS_TLS_CERT: '/etc/byoi/tls.crt', BYOI_INGRESS_TLS_KEY: '/etc/byoi/tls.key' })
        .ingress.tls,
      { certFile: '/etc/byoi/tls.crt', keyFile: '/etc/byoi/tls.key', chainFile: undefined },
    );
    assert.equal(
      loadConfig({
        BYOI_INGRESS_TLS_CERT: 'a.crt',
        BYOI_INGRESS_TLS_KEY: 'a.key',
        BYOI_INGRESS_TLS_CHAIN: 'chain.pem',
      }).ingress.tls?.chainFile,
      'chain.pem',
    );
    assert.deepEqual(problemsOf({ BYOI_INGRESS_TLS_CERT: 'a.crt' }), [
      'BYOI_INGRESS_TLS_KEY: required when BYOI_INGRESS_TLS_CERT is set',
    ]);
    assert.deepEqual(problemsOf({ BYOI_INGRESS_TLS_KEY: 'a.key' }), [
      'BYOI_INGRESS_TLS_CERT: required when BYOI_INGRESS_TLS_KEY is set',
    ]);
    assert.deepEqual(problemsOf({ BYOI_INGRESS_TLS_CHAIN: 'chain.pem' }), [
      'BYOI_INGRESS_TLS_CHAIN: needs BYOI_INGRESS_TLS_CERT and BYOI_INGRESS_TLS_KEY',
    ]);
  });

  it('takes the secrets file or the secrets lists, never both, naming each list that is set beside the file', () => {
    assert.equal(
      loadConfig({ BYOI_INGRESS_SECRETS_FILE: '/etc/byoi/secrets.json' }).ingress.secretsFile,
      '/etc/byoi/secrets.json',
    );
    const problems = problemsOf({
      BYOI_INGRESS_SECRETS_FILE: '/etc/byoi/secrets.json',
      BYOI_INGRESS_TOKENS: 'acd:t0k3n',
      BYOI_INGRESS_TWILIO_AUTH_TOKENS: 'acd:tw1l10',
    });
    assert.deepEqual(problems, [
      "BYOI_INGRESS_TOKENS: set the source's secrets in BYOI_INGRESS_SECRETS_FILE or in the tokens list, not both",
      "BYOI_INGRESS_TWILIO_AUTH_TOKENS: set the source's secrets in BYOI_INGRESS_SECRETS_FILE or in the twilio_auth_tokens list, not both",
    ]);
    assert.ok(!problems.join().includes('t0k3n') && !problems.join().includes('tw1l10'));
  });

  it('reads per-source rate limits with a rate for every other source, and off', () => {
    assert.deepEqual(
      loadConfig({ BYOI_INGRESS_RATE_LIMITS: 'acd:600/s, crm:50/m,*:100/s' }).ingress.rateLimits,
      {
        bySource: { acd: { count: 600, perMs: 1_000 }, crm: { count: 50, perMs: 60_000 } },
        others: { count: 100, perMs: 1_000 },
      },
    );
    assert.equal(loadConfig({ BYOI_INGRESS_RATE_LIMITS: 'off' }).ingress.rateLimits, undefined);
    assert.deepEqual(loadConfig({ BYOI_INGRESS_AUTH_FAILURE_LIMIT: '5/s' }).ingress.refusalLimit, {
      count: 5,
      perMs: 1_000,
    });
    assert.equal(loadConfig({ BYOI_INGRESS_AUTH_FAILURE_LIMIT: 'off' }).ingress.refusalLimit, undefined);
  });

  it('names a bad rate limit and why, by its variable', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [
        { BYOI_INGRESS_RATE_LIMITS: 'acd:600' },
        /^BYOI_INGRESS_RATE_LIMITS: "acd:600" is not source:<count>\/s or source:<count>\/m/,
      ],
      [{ BYOI_INGRESS_RATE_LIMITS: 'acd:0/s' }, /^BYOI_INGRESS_RATE_LIMITS: "acd:0\/s" is not/],
      [{ BYOI_INGRESS_RATE_LIMITS: 'acd:10/h' }, /^BYOI_INGRESS_RATE_LIMITS: "acd:10\/h" is not/],
      [{ BYOI_INGRESS_RATE_LIMITS: 'a c d:10/s' }, /^BYOI_INGRESS_RATE_LIMITS: "a c d:10\/s" is not/],
      [{ BYOI_INGRESS_RATE_LIMITS: '600/s' }, /^BYOI_INGRESS_RATE_LIMITS: "600\/s" is not/],
      [
        { BYOI_INGRESS_AUTH_FAILURE_LIMIT: 'lots' },
        /^BYOI_INGRESS_AUTH_FAILURE_LIMIT: must be <count>\/s or <count>\/m, e\.g\. 30\/m; or off$/,
      ],
    ];
    for (const [env, problem] of cases) {
      const problems = problemsOf(env);
      assert.equal(problems.length, 1, JSON.stringify(problems));
      assert.match(problems[0]!, problem);
    }
  });
});
