/**
 * Mocha's spec reporter plus one closing line in the plain `N passed, N failed, N skipped` form that CI
 * and other tools read without knowing mocha.
 */
import Mocha from 'mocha';

const { EVENT_RUN_END } = Mocha.Runner.constants;

class SpecWithSummary extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const { passes, failures, pending } = runner.stats ?? { passes: 0, failures: 0, pending: 0 };
      // After the spec reporter's own epilogue, which it prints on the same event.
      process.nextTick(() => console.log(`mocha: ${passes} passed, ${failures} failed, ${pending} skipped`));
    });
  }
}

export = SpecWithSummary;
