/**
 * `npm run fuzz -- HARNESS [flags]`: the reliability harnesses, run at volume. Each harness is a
 * module in this folder exporting `main(argv)` that prints one summary line and returns the exit
 * code (0: every check held). `npm run fuzz` alone runs every harness with its defaults.
 */
import { silenceSdkNodeVersionWarnings } from '../lambdas/local/sdk-warnings.js';

// As in the CLI: the AWS SDK's notice about Node versions is not a finding of any harness.
silenceSdkNodeVersionWarnings();

const HARNESSES = ['archives', 'send', 'links'] as const;

const [name, ...rest] = process.argv.slice(2);
const selected = name ? [name] : [...HARNESSES];
let status = 0;
for (const harness of selected) {
  if (!(HARNESSES as readonly string[]).includes(harness)) {
    console.error(`unknown harness "${harness}": use one of ${HARNESSES.join(', ')}`);
    process.exit(2);
  }
  const module = (await import(`./${harness}.js`)) as { main(argv: string[]): Promise<number> };
  status = Math.max(status, await module.main(name ? rest : []));
}
process.exit(status);
