import fs from 'node:fs';
import path from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { ALIASES, BUNDLING, DATA_FILES, handlerEntry, PROJECT_ROOT } from '../lib/constructs/stage-function.js';

/** The target for every Lambda bundle: a cold-start proxy (issue 8). */
export const MAX_BUNDLE_BYTES = 1024 * 1024;

/** Packages that must never reach a runtime bundle. */
const FORBIDDEN = ['aws-cdk-lib', 'constructs', 'cdk-nag', 'aws-cdk'];

const HANDLERS_DIR = path.join(PROJECT_ROOT, 'lambdas', 'handlers');

export interface BundleFigure {
  handler: string;
  bytes: number;
  /** The largest packages inside, by their bytes in the output. */
  largest: Array<{ name: string; bytes: number }>;
  forbidden: string[];
}

/** The Lambda entries: the files in lambdas/handlers/ that export a `handler` (the rest is shared glue). */
export function handlerNames(): string[] {
  return fs.readdirSync(HANDLERS_DIR)
    .filter((f) => f.endsWith('.ts') && /^export (const|async function|function) handler\b/m.test(fs.readFileSync(path.join(HANDLERS_DIR, f), 'utf8')))
    .map((f) => f.slice(0, -3))
    .sort();
}

const packageOf = (input: string) => {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return m ? m[1] : '(project)';
};

/** esbuild options for an entry, the stack's (StageFunction's BUNDLING and ALIASES). */
export function bundleOptions(entry: string): BuildOptions {
  return {
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLING.target,
    minify: BUNDLING.minify,
    sourcemap: BUNDLING.sourceMap,
    mainFields: [...BUNDLING.mainFields],
    banner: { js: BUNDLING.banner },
    external: [...BUNDLING.externalModules],
    alias: ALIASES,
    logLevel: 'silent',
    absWorkingDir: PROJECT_ROOT,
  };
}

/** Bundles one handler exactly as the stack does and measures it. */
export async function measureBundle(handler: string): Promise<BundleFigure> {
  const result = await build({ ...bundleOptions(handlerEntry(handler)), write: false, metafile: true });
  const output = Object.values(result.metafile.outputs)[0];
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const name = packageOf(input);
    byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
  }
  const largest = [...byPackage].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes).slice(0, 5);
  return {
    handler,
    bytes: result.outputFiles[0].contents.length,
    largest,
    forbidden: [...byPackage.keys()].filter((name) => FORBIDDEN.includes(name)),
  };
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

/** `npm run bench -- bundles`: each Lambda bundle's size against the 1 MiB target. */
export async function run(): Promise<void> {
  console.log(`Lambda bundles (esbuild, ESM, minified, as the stack builds them); target < ${kib(MAX_BUNDLE_BYTES)} each, no CDK library inside`);
  for (const handler of handlerNames()) {
    const figure = await measureBundle(handler);
    const verdict = figure.forbidden.length ? `FAIL: contains ${figure.forbidden.join(', ')}` : figure.bytes < MAX_BUNDLE_BYTES ? 'ok' : 'OVER TARGET';
    console.log(`  ${handler.padEnd(16)} ${kib(figure.bytes).padStart(9)}  ${verdict}   largest: ${figure.largest.map((p) => `${p.name} ${kib(p.bytes)}`).join(', ')}`);
    for (const file of DATA_FILES[handler] ?? []) console.log(`  ${''.padEnd(16)} + ${path.basename(file)} ${kib(fs.statSync(file).size)} of data beside it, read when first needed`);
  }
}
