// Mocha's spec reporter, plus the run's counts written as JSON to $DBT_RECOVERY_COUNTS (read by scripts/test.mjs
// to print the suite's one summary line).
'use strict';
const fs = require('node:fs');
const Mocha = require('mocha');

class CountingReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const failures = [];
    runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, (test, err) => {
      failures.push({ title: test.fullTitle(), error: String((err && err.message) || err) });
    });
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const out = process.env.DBT_RECOVERY_COUNTS;
      if (!out) return;
      const s = runner.stats;
      // A hook failure (before/after) fails tests that then never run: count it as a failure too.
      fs.writeFileSync(out, JSON.stringify({ passed: s.passes, failed: Math.max(s.failures, failures.length), pending: s.pending, failures }));
    });
  }
}
module.exports = CountingReporter;
