import path from 'node:path';
import { Command, Option } from 'commander';
import { positiveInt, withDataOption, withLocalAws, withOutOption } from './common.js';
import { UserError } from '../../lambdas/errors.js';
import { approveVersion, getIssueRecord, getIssueVersion, IssueConflictError, publishedDocument } from '../../lambdas/review/store.js';
import { quoteFlags } from '../../lambdas/review/routes.js';
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
        const flagged = [...quoteFlags(doc).values()].flat();
        if (flagged.length) throw new UserError(`issue ${options.issue} has ${flagged.length} quote(s) that are no longer verbatim; fix them on the review page first`);
        try {
          await approveVersion(storage, options.issue, record.draftVersion, 'terminal');
        } catch (err) {
          if (err instanceof IssueConflictError) throw new UserError(`issue ${options.issue}: ${err.message}`);
          throw err;
        }
        const siteDir = path.resolve(options.out, 'site');
        await publishIssue({ site: storage.site, table: storage.table, siteUrl: defaultSiteUrl(options.port), mirrorDir: siteDir }, publishedDocument(doc));
        process.stdout.write(`approved issue ${options.issue} (version ${record.draftVersion}); published to ${path.join(siteDir, 'issues', options.issue, 'index.html')}\n`);
      });
    });
  return withOutOption(withDataOption(command));
}
