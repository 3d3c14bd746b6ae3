import { SESv2Client } from '@aws-sdk/client-sesv2';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { SesMailer, type Mailer } from '../deliver/mailer.js';
import { subscriptionRoutes } from '../subscribers/routes.js';
import { getIssueRecord } from '../review/store.js';
import { reviewRoutes } from '../review/routes.js';
import { editVerifier } from '../review/verify-edit.js';
import type { Storage } from '../storage/index.js';
import { handleApiGatewayEvent } from '../web/apigw.js';
import type { Route } from '../web/http.js';
import { resumeApprovedRun, SfnTaskTokens, type TaskTokens } from './approval.js';
import { depsFromEnv, logger, signingKeyFromEnv } from './runtime.js';

export interface WebDeps {
  storage: Storage;
  signingKey: Buffer;
  /** Where approval sends the waiting run's task token: Step Functions in AWS. */
  tokens: TaskTokens;
  /** Sends the subscription confirmations. */
  mailer: Mailer;
  from: string;
}

/**
 * The routes behind the HTTP API: subscribe, confirm and unsubscribe, and the editor's review page. Approving there resumes the weekly
 * run waiting in AwaitApproval (rendering for mail and publishing are later states of that run). An edited story is checked as
 * under `kernel-news serve` (review/verify-edit.ts), against its topic's messages only: the week does not load in 29 s.
 */
export function webRoutes(deps: WebDeps): Route[] {
  return [
    ...subscriptionRoutes({ storage: deps.storage, signingKey: deps.signingKey, mailer: deps.mailer, from: deps.from }),
    ...reviewRoutes({
      storage: deps.storage,
      signingKey: deps.signingKey,
      verify: editVerifier(deps.storage),
      onApproved: async (week) => {
        const record = await getIssueRecord(deps.storage, week);
        const result = await resumeApprovedRun(deps.storage.table, deps.tokens, week, { week, approvedVersion: record?.approvedVersion ?? 0 });
        logger.info('approved', { week, approvedVersion: record?.approvedVersion, run: result });
      },
    }),
  ];
}

const Env = z.object({ FROM_ADDRESS: z.string().email(), SES_CONFIGURATION_SET: z.string().min(1) });

let routes: Promise<Route[]> | undefined;

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  routes ??= signingKeyFromEnv().then((signingKey) => {
    const env = Env.parse(process.env);
    return webRoutes({
      storage: depsFromEnv().storage, signingKey, tokens: new SfnTaskTokens(), from: env.FROM_ADDRESS,
      mailer: new SesMailer(new SESv2Client({ maxAttempts: 1 }), 1, env.SES_CONFIGURATION_SET),
    });
  });
  routes.catch(() => { routes = undefined; });
  return handleApiGatewayEvent(await routes, event);
}
