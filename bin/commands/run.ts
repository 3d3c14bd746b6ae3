import { Command, Option } from 'commander';
import { ingestFromOptions } from './ingest.js';
import { withDataOption, withLocalAws, withOutOption } from './common.js';

export function runCommand(): Command {
  const command = new Command('run')
    .description('the whole local pipeline on an archive: ingest, then the later stages as they exist')
    .addOption(new Option('--mbox <file>', 'an mbox, mboxrd or mboxcl2 archive, plain or .gz').makeOptionMandatory())
    .action(async (options: { mbox: string; data: string; out: string }) => {
      await withLocalAws(options.data, async ({ storage }) => {
        await ingestFromOptions(options, storage);
      });
    });
  return withOutOption(withDataOption(command));
}
