/** Root hooks: one real Temporal dev server for the whole mocha run, torn down at the end. */
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startSharedServers, stopSharedServers } from './harness';

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(120_000);
    // Worker lifecycle chatter would bury the test report; warnings and errors still show.
    Runtime.install({
      logger: new DefaultLogger('WARN', ({ level, message }) => {
        if (!/^No (activities|workflows|Nexus services) registered/.test(message))
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
