import fs from 'node:fs';
import { Command } from 'commander';
import { printJson, withDataOption, withLocalAws } from './common.js';
import { UserError } from '../../lambdas/errors.js';
import { EmailSchema, importConfirmed, listSubscribers, unsubscribe, confirm } from '../../lambdas/subscribers/store.js';

function email(value: string): string {
  const parsed = EmailSchema.safeParse(value);
  if (!parsed.success) throw new UserError(`"${value}" is not an email address`);
  return parsed.data;
}

export function subscribersCommand(): Command {
  const command = new Command('subscribers').description('manage readers: add, remove, list, import');
  command.addCommand(withDataOption(new Command('add').description('subscribe an address as confirmed (you vouch for it)').argument('<email>')
    .action(async (address: string, options: { data: string }) => {
      const e = email(address);
      await withLocalAws(options.data, async ({ storage }) => confirm(storage, e));
      process.stdout.write(`subscribed ${e}\n`);
    })));
  command.addCommand(withDataOption(new Command('remove').description('unsubscribe an address').argument('<email>')
    .action(async (address: string, options: { data: string }) => {
      const e = email(address);
      await withLocalAws(options.data, async ({ storage }) => unsubscribe(storage, e));
      process.stdout.write(`unsubscribed ${e}\n`);
    })));
  command.addCommand(withDataOption(new Command('list').description('every subscriber with status').option('--json', 'print JSON')
    .action(async (options: { data: string; json?: boolean }) => {
      const subs = await withLocalAws(options.data, async ({ storage }) => listSubscribers(storage));
      if (options.json) printJson(subs);
      else process.stdout.write(subs.map((s) => `${s.status.padEnd(12)} ${s.email}`).join('\n') + (subs.length ? '\n' : '') + `${subs.length} subscribers, ${subs.filter((s) => s.status === 'confirmed').length} confirmed\n`);
    })));
  command.addCommand(withDataOption(new Command('import').description('subscribe every address in FILE (one a line) as confirmed').argument('<file>')
    .action(async (file: string, options: { data: string }) => {
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (err) {
        throw new UserError(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
      const good: string[] = [];
      const bad: string[] = [];
      text.split(/\r?\n/).forEach((line, i) => {
        const t = line.trim();
        if (!t || t.startsWith('#')) return;
        const parsed = EmailSchema.safeParse(t);
        if (parsed.success) good.push(parsed.data);
        else bad.push(`${file}:${i + 1}: not an email address: ${t.slice(0, 80)}`);
      });
      await withLocalAws(options.data, async ({ storage }) => importConfirmed(storage, [...new Set(good)]));
      for (const b of bad) process.stderr.write(`${b}\n`);
      process.stdout.write(`imported ${new Set(good).size} addresses as confirmed${bad.length ? `; ${bad.length} lines skipped (listed above)` : ''}\n`);
    })));
  return command;
}
