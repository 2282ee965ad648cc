// Sums every Jest run's --json report into the one line CI reads: "tests: N passed, M failed".
// A suite that could not run (syntax error, failed global setup) counts as a failure although
// it reports no test.
import { readFileSync } from 'node:fs';
import { findJestReports } from './jest-reports.mjs';

let passed = 0;
let failed = 0;
for (const file of findJestReports()) {
  const report = JSON.parse(readFileSync(file, 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests + report.numRuntimeErrorTestSuites;
}
console.log(`tests: ${passed} passed, ${failed} failed`);
