#!/usr/bin/env node
// `npm run mutate [-- STAGE...] [-- --full]`: mutation testing (StrykerJS, stryker.config.mjs), one stage
// at a time, each with its own incremental file (with the tap runner Stryker takes the test files for
// changed in every new sandbox, so in practice nothing is reused: a run costs its full time). Prints
// the mutation score of every stage it ran, and writes reports/mutation/STAGE.json.
//   --full         forget the incremental file (every mutant again)
//   --sample N     CI: only N mutants per stage, picked spread over its files (a smoke check of the set-up
//                  and of the tests' strength, within CI's time); the score is the sample's
//   --concurrency N  test runners in parallel (default 1: the machine is shared)
//   --break-below N  exit 1 when a stage scores below N
//   --slow         also run the stage's slow test files (`slow` in STAGES: they load the whole sample week or
//                  start emulators, 10-25 s a file, so a mutant they reach costs that much each)
//   --no-check     without the TypeScript checker: on a busy 2-core machine it, not the fast unit tests,
//                  takes most of the time (about 10 s a mutant against 1-2 s). Mutants that would not
//                  compile then run as JavaScript and count as killed or survived; say so with the score.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Each stage: the sources to mutate and the test files that exercise them, fastest first (the runner
 * stops at the first failing file). `tests` run in a second or two; `slow` ones (whole sample week,
 * emulators, real-time pacing) only with --slow. `npm test` runs them all.
 */
export const STAGES = {
  verify: { mutate: ['lambdas/verify/**/*.ts'], tests: ['verify-units'], slow: ['verify-quotes', 'verify-oracle', 'verify-property'] },
  // The loaders in thread/ fetch stored messages for a week or one topic (I/O glue, tested through the
  // emulators by review-web-verify and the pipeline tests); the stage's own work is the threading.
  thread: { mutate: ['lambdas/thread/**/*.ts', '!lambdas/thread/*-loader.ts', '!lambdas/thread/people-store.ts'], tests: ['thread-units'] },
  series: { mutate: ['lambdas/series/**/*.ts'], tests: ['series-units'] },
  noise: { mutate: ['lambdas/noise/**/*.ts'], tests: ['noise-units'] },
  topics: { mutate: ['lambdas/topics/**/*.ts', '!lambdas/topics/vendor.d.ts'], tests: ['topics-units'], slow: ['topics-followup', 'topics-rank'] },
  deliver: { mutate: ['lambdas/deliver/**/*.ts'], tests: ['deliver-units'], slow: ['deliver-ses'] },
  ingest: { mutate: ['lambdas/ingest/**/*.ts'], tests: ['mbox-reader', 'ingest-bytes', 'ingest-sources'] },
  parse: { mutate: ['lambdas/parse/**/*.ts'], tests: ['parse-units'] },
};

const args = process.argv.slice(2);
const flag = (name) => { const i = args.indexOf(name); return i < 0 ? undefined : args.splice(i, 2)[1]; };
const full = args.includes('--full') ? (args.splice(args.indexOf('--full'), 1), true) : false;
const sample = flag('--sample');
const concurrency = flag('--concurrency') ?? '1';
const breakBelow = flag('--break-below');
const withSlow = args.includes('--slow') ? (args.splice(args.indexOf('--slow'), 1), true) : false;
const noCheck = args.includes('--no-check') ? (args.splice(args.indexOf('--no-check'), 1), true) : false;
const unknown = args.filter((a) => !(a in STAGES));
if (unknown.length) {
  console.error(`unknown stage ${unknown.join(', ')}: choose from ${Object.keys(STAGES).join(', ')}`);
  process.exit(2);
}
const stages = args.length ? args : Object.keys(STAGES);
const reportDir = path.join('reports', 'mutation');
fs.mkdirSync(reportDir, { recursive: true });

/** Test files of the stage that exist (a planned file not written yet is named, not silently dropped). */
function testFiles(stage) {
  const files = [];
  for (const name of [...STAGES[stage].tests, ...(withSlow ? STAGES[stage].slow ?? [] : [])]) {
    if (fs.existsSync(path.join('test', `${name}.test.ts`))) files.push(`dist/test/${name}.test.js`);
    else console.error(`mutate ${stage}: no test/${name}.test.ts, left out`);
  }
  return files;
}

/** N source lines spread over the stage's files, as Stryker's file:line ranges (CI's sample). */
function sampled(stage, n) {
  // The stage's own exclusions ("!lambdas/thread/*-loader.ts") hold for the sample too.
  const excluded = STAGES[stage].mutate.filter((g) => g.startsWith('!')).map((g) => new RegExp(`^${g.slice(1).replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`));
  const files = fs.readdirSync(path.join('lambdas', stage)).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => `lambdas/${stage}/${f}`)
    .filter((f) => !excluded.some((re) => re.test(f)));
  const lines = files.flatMap((f) => fs.readFileSync(f, 'utf8').split('\n').map((text, i) => ({ f, line: i + 1, text })))
    .filter((l) => /[=<>!+\-*&|?]|return|if \(/.test(l.text) && !/^\s*(\/\/|\*|\/\*|import |export (type|interface))/.test(l.text));
  // Evenly over the whole list: every k-th line cut at N left the last files of a stage out (deliver's
  // send.ts never drawn: 60 lines of 3 files all came from mailer.ts and plan.ts).
  const count = Math.min(n, lines.length);
  return Array.from({ length: count }, (_, k) => lines[Math.floor((k * lines.length) / count)]).map((l) => `${l.f}:${l.line}-${l.line}`);
}

const scores = [];
let failed = false;
for (const stage of stages) {
  const incrementalFile = path.join(reportDir, `${stage}.incremental.json`);
  const mutate = sample ? sampled(stage, Number(sample)) : STAGES[stage].mutate;
  const strykerArgs = [
    'node_modules/@stryker-mutator/core/bin/stryker.js', 'run', 'stryker.config.mjs',
    '--mutate', mutate.join(','),
    '--concurrency', concurrency,
    '--incrementalFile', incrementalFile,
    ...(full ? ['--force'] : []),
  ];
  const tapTests = testFiles(stage);
  // tap.testFiles has no command-line flag: it goes through an environment-chosen config.
  const config = path.join(reportDir, `.${stage}.config.mjs`);
  fs.writeFileSync(config, `import base from '../../stryker.config.mjs';\nexport default { ...base, ${noCheck ? 'checkers: [], ' : ''}incremental: ${!sample}, tap: { testFiles: ${JSON.stringify(tapTests)}, forceBail: true }, jsonReporter: { fileName: ${JSON.stringify(path.join(reportDir, `${stage}.json`))} } };\n`);
  strykerArgs[2] = config;
  console.error(`mutate ${stage}: ${mutate.length} pattern(s), tests ${tapTests.map((t) => path.basename(t, '.test.js')).join(', ')}`);
  const r = spawnSync(process.execPath, strykerArgs, { stdio: 'inherit', env: { ...process.env, AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1', NODE_NO_WARNINGS: '1' } });
  fs.rmSync(config, { force: true });
  if (r.status !== 0) { console.error(`mutate ${stage}: stryker exited with ${r.status}`); failed = true; continue; }
  const report = JSON.parse(fs.readFileSync(path.join(reportDir, `${stage}.json`), 'utf8'));
  const count = { killed: 0, survived: 0, noCoverage: 0, timeout: 0, other: 0 };
  for (const file of Object.values(report.files)) for (const m of file.mutants) {
    const key = { Killed: 'killed', Survived: 'survived', NoCoverage: 'noCoverage', Timeout: 'timeout' }[m.status] ?? 'other';
    count[key]++;
  }
  const detected = count.killed + count.timeout;
  const valid = detected + count.survived + count.noCoverage;
  const score = valid ? (100 * detected) / valid : 100;
  scores.push({ stage, score, ...count });
  if (breakBelow && score < Number(breakBelow)) failed = true;
}
console.log(`\nmutation score per stage (killed + timed out, of ${noCheck ? 'all mutants: no type check' : 'mutants that compile'})`);
for (const s of scores) console.log(`${s.stage.padEnd(8)} ${s.score.toFixed(1).padStart(5)}%  killed ${s.killed}, timeout ${s.timeout}, survived ${s.survived}, no coverage ${s.noCoverage}, compile errors/ignored ${s.other}`);
process.exit(failed ? 1 : 0);
