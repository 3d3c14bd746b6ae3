import path from 'node:path';
import { Command, Option } from 'commander';
import { progress, progressDone, withDataOption, withLocalAws, withOutOption } from './common.js';
import { sendIssue } from '../../lambdas/deliver/send.js';
import { OutboxMailer, SmtpMailer, type Mailer } from '../../lambdas/deliver/mailer.js';
import { UserError } from '../../lambdas/errors.js';
import { localSigningKey } from '../../lambdas/web/signing.js';
import { defaultSiteUrl, DEFAULT_PORT } from '../../lambdas/pipeline/local.js';

export const DEFAULT_FROM = 'Kernel News <newsletter@localhost>';

export function sendCommand(): Command {
  const command = new Command('send')
    .description('deliver an approved issue to every confirmed subscriber, exactly once each')
    .addOption(new Option('--issue <YYYY-Www>', 'the week of the issue').makeOptionMandatory())
    .option('--smtp <url>', 'send through this SMTP server (smtp://HOST:PORT); default: write .eml files to OUT/outbox/<week>/')
    .option('--from <address>', 'the From address', DEFAULT_FROM)
    .option('--base-url <url>', 'where the unsubscribe pages are served', defaultSiteUrl(DEFAULT_PORT))
    .option('--resend-in-doubt', 'also send to recipients an earlier run could not confirm (the mail server never answered their "."; they may get a second copy)')
    .action(async (options: { issue: string; smtp?: string; from: string; baseUrl: string; data: string; out: string; resendInDoubt?: boolean }) => {
      // Before anything touches the file system: the week names folders under --out and --data.
      if (!/^\d{4}-W\d{2}$/.test(options.issue)) throw new UserError(`--issue must look like 2026-W02, got "${options.issue}"`);
      if (options.smtp && !/^smtps?:\/\/[^/]+/.test(options.smtp)) throw new UserError(`--smtp must look like smtp://HOST:PORT, got "${options.smtp}"`);
      const outbox = path.join(options.out, 'outbox', options.issue);
      // The wire journal lets a re-run after a crash tell a delivered message from an unfinished one.
      const journal = path.join(options.data, 'send-journal', `${options.issue}.log`);
      const mailer: Mailer = options.smtp ? new SmtpMailer(options.smtp, { journal }) : new OutboxMailer(outbox);
      try {
        const report = await withLocalAws(options.data, async ({ storage }) => sendIssue(storage, mailer, {
          week: options.issue, from: options.from, resendInDoubt: options.resendInDoubt, baseUrl: options.baseUrl, signingKey: localSigningKey(path.resolve(options.data)),
          onProgress: (p) => progress(`send: ${p.sent} sent, ${p.skipped} already sent, of ${p.total}`),
        }));
        progressDone();
        process.stdout.write(`issue ${options.issue}: ${report.sent} sent now, ${report.alreadySent} had it already, ${report.failed.length} failed, of ${report.total} recipients${options.smtp ? '' : ` (outbox: ${outbox})`}\n`);
        for (const f of report.failed) process.stderr.write(`failed: ${f.email}: ${f.error}\n`);
        if (report.inDoubt.length) {
          // One line with the list (scripts take what follows its last ": "), then the next step.
          const again = ['kernel-news send --issue', options.issue, ...(options.smtp ? ['--smtp', options.smtp] : []), '--resend-in-doubt'].join(' ');
          process.stderr.write(`in doubt, ${report.inDoubt.length} recipient(s) (their message reached the mail server's end of data but its reply never came, so it may or may not have been stored; not sent again): ${report.inDoubt.join(', ')}\n`);
          process.stderr.write(`  next step: check the mail server's log for them, or send them the issue anyway (a second copy for any who got it): ${again}\n`);
        }
        // 1: some failed, run again; 3: nothing failed but some are in doubt and need a decision.
        if (report.failed.length) process.exitCode = 1;
        else if (report.inDoubt.length) process.exitCode = 3;
      } finally {
        await mailer.close();
      }
    });
  return withOutOption(withDataOption(command));
}
