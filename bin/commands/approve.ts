import path from 'node:path';
import { Command, Option } from 'commander';
import { positiveInt, withDataOption, withLocalAws, withOutOption } from './common.js';
import { UserError } from '../../lambdas/errors.js';
import { getIssueRecord, getIssueVersion, IssueConflictError } from '../../lambdas/review/store.js';
import { ApprovalBlockedError, approveIssue } from '../../lambdas/review/routes.js';
import type { IssueDocument } from '../../lambdas/model.js';
import { publishIssue } from '../../lambdas/archive/publish.js';
import { defaultSiteUrl, DEFAULT_PORT } from '../../lambdas/pipeline/local.js';

export function approveCommand(): Command {
  const command = new Command('approve')
    .description("approve the issue's current draft version from a terminal (same rules as the review link) and publish it")
    .addOption(new Option('--issue <YYYY-Www>', 'the week of the issue').makeOptionMandatory())
    .option('--port <n>', 'port `kernel-news serve` uses: the published pages link there', positiveInt('--port'), DEFAULT_PORT)
    .action(async (options: { issue: string; data: string; out: string; port: number }) => {
      if (!/^\d{4}-W\d{2}$/.test(options.issue)) throw new UserError(`--issue must look like 2026-W02, got "${options.issue}"`);
      await withLocalAws(options.data, async ({ storage }) => {
        const record = await getIssueRecord(storage, options.issue);
        if (!record) throw new UserError(`no issue for week ${options.issue}: run \`kernel-news run --mbox FILE --week ${options.issue}\` first`);
        if (record.status === 'approved') throw new UserError(`issue ${options.issue} was already approved (version ${record.approvedVersion}, ${record.approvedAt}); approval happens once`);
        const doc = await getIssueVersion(storage, options.issue, record.draftVersion);
        if (!doc) throw new UserError(`issue ${options.issue} has no version ${record.draftVersion} stored`);
        const siteDir = path.resolve(options.out, 'site');
        const onApproved = async (_week: string, published: IssueDocument) => {
          await publishIssue({ site: storage.site, table: storage.table, siteUrl: defaultSiteUrl(options.port), mirrorDir: siteDir }, published);
        };
        try {
          await approveIssue({ storage, onApproved }, options.issue, record.draftVersion, doc, 'terminal');
        } catch (err) {
          if (err instanceof ApprovalBlockedError) throw new UserError(`issue ${options.issue} has ${err.flagged} quote(s) that are no longer verbatim; fix them on the review page first`);
          if (err instanceof IssueConflictError) throw new UserError(`issue ${options.issue}: ${err.message}`);
          throw err;
        }
        process.stdout.write(`approved issue ${options.issue} (version ${record.draftVersion}); published to ${path.join(siteDir, 'issues', options.issue, 'index.html')}\n`);
      });
    });
  return withOutOption(withDataOption(command));
}
