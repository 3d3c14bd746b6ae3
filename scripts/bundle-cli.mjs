#!/usr/bin/env node
// Bundles the CLI after tsc: dist/bin/kernel-news.js becomes one module holding our code, commander
// and postal-mime, with each command's own code in a chunk under dist/bin/cli/ loaded when that
// command runs. Loading two dozen modules one by one was 6-7 ms of every command's start
// (npm run bench -- threads). The other packages (AWS SDK, MJML, emulators, model client) stay
// packages, loaded from node_modules by the commands that need them, as before.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const BUNDLED = new Set(['commander', 'postal-mime']);
const external = Object.keys(pkg.dependencies).filter((name) => !BUNDLED.has(name)).flatMap((name) => [name, `${name}/*`]);

const chunks = path.join(root, 'dist', 'bin', 'cli');
fs.rmSync(chunks, { recursive: true, force: true }); // chunks of an earlier build: their names change

await build({
  absWorkingDir: root,
  entryPoints: ['bin/kernel-news.ts'],
  outdir: 'dist/bin',
  chunkNames: 'cli/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  // commander is CommonJS: its require() calls need a require in an ES module.
  banner: { js: "import { createRequire as __kn_createRequire } from 'node:module'; const require = __kn_createRequire(import.meta.url);" },
  sourcemap: true,
  allowOverwrite: true,
  logLevel: 'warning',
});
