/**
 * `npm run bench`: every area's figures, each side by side with its baseline. Each part is a module
 * in this folder exporting `run()`; add yours to PARTS. `npm run bench -- threads` runs one part.
 */
const PARTS: string[] = ['ingest', 'threads', 'deliver', 'draft', 'bundles', 'topics', 'claims', 'stories', 'review'];

const only = process.argv.slice(2);
const selected = only.length ? PARTS.filter((p) => only.includes(p)) : PARTS;
if (selected.length === 0) {
  console.error(`no bench parts selected (have: ${PARTS.join(', ') || 'none yet'})`);
  process.exit(1);
}
for (const part of selected) {
  console.log(`\n=== ${part} ===`);
  const module = (await import(`./${part}.js`)) as { run(): Promise<void> };
  await module.run();
}
