import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { positiveInt, withDataOption, withLocalAws, withOutOption } from './common.js';
import { DEFAULT_PORT, defaultSiteUrl, localReviewDeps } from '../../lambdas/pipeline/local.js';
import { reviewRoutes } from '../../lambdas/review/routes.js';
import { startLocalServer } from '../../lambdas/web/local-server.js';
import { localSigningKey } from '../../lambdas/web/signing.js';
import { messagePage, type Route } from '../../lambdas/web/http.js';
import { subscriptionRoutes } from '../../lambdas/subscribers/routes.js';
import { OutboxMailer, SmtpMailer } from '../../lambdas/deliver/mailer.js';
import { DEFAULT_FROM } from './send.js';

const STATIC_TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.atom': 'application/atom+xml; charset=utf-8', '.txt': 'text/plain; charset=utf-8', '.json': 'application/json', '.mjml': 'text/plain; charset=utf-8' };

/** The published archive (OUT/site), read-only. */
export function staticSiteRoutes(root: string): Route[] {
  return [{
    method: 'GET',
    path: /^\/(?<file>(index\.html|feed\.atom|issues\/\d{4}-W\d{2}\/[a-z]+\.(html|txt|json|mjml))?)$/,
    async handle(_request, params) {
      const file = path.join(root, params.file || 'index.html');
      if (!fs.existsSync(file)) return messagePage(404, 'Not published yet', 'No issue has been approved yet.');
      return { status: 200, headers: { 'content-type': STATIC_TYPES[path.extname(file)] ?? 'application/octet-stream' }, body: fs.readFileSync(file, 'utf8') };
    },
  }];
}

/**
 * Everything `kernel-news serve` answers, in match order. To add pages, append a route list here
 * (routes are tried in order; the static archive goes last since it matches "/").
 */
export function siteRoutes(parts: { review: Route[]; subscriptions?: Route[]; siteDir: string }): Route[] {
  return [...parts.review, ...(parts.subscriptions ?? []), ...staticSiteRoutes(parts.siteDir)];
}

export function serveCommand(): Command {
  const command = new Command('serve')
    .description('serve the review pages and the published archive on 127.0.0.1')
    .option('--port <n>', 'port to listen on', positiveInt('--port'), DEFAULT_PORT)
    .option('--smtp <url>', 'send confirmation mail through this SMTP server; default: OUT/outbox/confirmations/')
    .action(async (options: { port: number; data: string; out: string; smtp?: string }) => {
      await withLocalAws(options.data, async ({ storage }) => {
        const siteDir = path.resolve(options.out, 'site');
        const signingKey = localSigningKey(path.resolve(options.data));
        const deps = localReviewDeps(storage, signingKey, defaultSiteUrl(options.port), siteDir);
        const mailer = options.smtp ? new SmtpMailer(options.smtp) : new OutboxMailer(path.join(options.out, 'outbox', 'confirmations'));
        const routes = siteRoutes({ review: reviewRoutes(deps), subscriptions: subscriptionRoutes({ storage, signingKey, mailer, from: DEFAULT_FROM }), siteDir });
        const server = await startLocalServer(routes, options.port);
        process.stderr.write(`serving on ${server.url} (review links from \`kernel-news run\`; archive at ${server.url}/index.html); Ctrl-C stops\n`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await server.close();
        await mailer.close();
      });
    });
  return withOutOption(withDataOption(command));
}
