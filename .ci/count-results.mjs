// Adds up the unit (vitest) and e2e (Playwright, every engine) JSON reports: a line per engine, then the one line
// CI is read by, `N passed, N failed`.
import { existsSync, readFileSync } from 'node:fs';

const read = (path) => (existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : null);
let passed = 0;
let failed = 0;

const unit = read('reports/unit.json');
if (unit) {
  passed += unit.numPassedTests;
  failed += unit.numFailedTests;
  console.log(`unit: ${unit.numPassedTests} passed, ${unit.numFailedTests} failed`);
}

const e2e = read('reports/e2e.json');
if (e2e) {
  passed += e2e.stats.expected + e2e.stats.flaky;
  failed += e2e.stats.unexpected;
  const byProject = new Map();
  const walk = (suite) => {
    for (const child of suite.suites ?? []) walk(child);
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests) {
        const counts = byProject.get(test.projectName) ?? { passed: 0, failed: 0, skipped: 0 };
        if (test.status === 'skipped') counts.skipped++;
        else if (test.status === 'expected' || test.status === 'flaky') counts.passed++;
        else counts.failed++;
        byProject.set(test.projectName, counts);
      }
    }
  };
  for (const suite of e2e.suites) walk(suite);
  for (const [project, counts] of byProject)
    console.log(
      `e2e ${project}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`,
    );
}

// A step before the tests (build, typecheck, format) that fails leaves no report: count it as the failure it is.
const status = Number(process.argv[2] ?? 0);
if (status !== 0 && failed === 0) {
  console.log(`npm test exited with ${status} and no test failed: a step before or between the tests failed`);
  failed = 1;
}
console.log(`${passed} passed, ${failed} failed`);
