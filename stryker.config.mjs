// StrykerJS for the stages whose correctness is ours. `npm run mutate [-- STAGE...]` (scripts/mutate.mjs)
// runs one stage at a time with this base, naming the stage's source files and its fast test files.
// Mutants are switched inside one instrumented build (tsc in the sandbox); the tap runner runs each
// compiled test file with node's test runner (TAP reporter) and, from per-file coverage, only the files
// that reach a mutant. The TypeScript checker drops mutants that do not compile before any test runs.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'tap',
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  // The sandbox sits inside the work tree (.stryker-tmp/sandbox-*), so modules resolve from ../../node_modules.
  buildCommand: 'tsc -p tsconfig.json',
  coverageAnalysis: 'perTest',
  // The machine is small and shared; CI and people raise it with --concurrency when they can.
  concurrency: 1,
  timeoutMS: 60_000,
  timeoutFactor: 2,
  incremental: true,
  ignorePatterns: ['dist', '.kernel-news', 'out', 'cdk.out', 'reports', 'docs', 'sample/*.py'],
  reporters: ['clear-text', 'progress-append-only', 'json'],
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
