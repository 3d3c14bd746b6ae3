/**
 * `npm run eval -- NAME [flags]`: quality evaluations that call outside services, printing figures.
 * Each is a module exporting `main(argv)` that returns the exit code.
 */
const EVALS: Record<string, () => Promise<{ main(argv: string[]): Promise<number> }>> = {
  drafts: () => import('./eval-drafts.js'),
};

const [name, ...rest] = process.argv.slice(2);
if (!name || !EVALS[name]) {
  console.error(`usage: npm run eval -- ${Object.keys(EVALS).join('|')} [flags]  (drafts: --base-url URL --model M [--mbox FILE] [--top N] [--json])`);
  process.exit(2);
}
process.exit(await (await EVALS[name]()).main(rest));
