/** Root hooks: one real Temporal dev server for the whole mocha run, torn down at the end. */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startSharedServers, stopSharedServers } from './harness';

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(120_000);
    // Worker lifecycle chatter, and the failed attempts that fault-injection tests cause on purpose (their
    // outcome is what the tests assert), would bury the test report; other warnings and errors still show.
    Runtime.install({
      logger: new DefaultLogger('WARN', ({ level, message }) => {
        if (!/^(No (activities|workflows|Nexus services) registered|Activity failed)/.test(message))
          console.warn(`[${level}] ${message}`);
      }),
    });
    await startSharedServers();
  },
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(60_000);
    await stopSharedServers();
  },
};
