import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { getIssueRecord } from '../review/store.js';
import { reviewRoutes } from '../review/routes.js';
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
}

/**
 * The routes behind the HTTP API: the editor's review page. Approving there resumes the weekly
 * run waiting in AwaitApproval (rendering for mail and publishing are later states of that run).
 */
export function webRoutes(deps: WebDeps): Route[] {
  return [
    ...reviewRoutes({
      storage: deps.storage,
      signingKey: deps.signingKey,
      onApproved: async (week) => {
        const record = await getIssueRecord(deps.storage, week);
        const result = await resumeApprovedRun(deps.storage.table, deps.tokens, week, { week, approvedVersion: record?.approvedVersion ?? 0 });
        logger.info('approved', { week, approvedVersion: record?.approvedVersion, run: result });
      },
    }),
  ];
}

let routes: Promise<Route[]> | undefined;

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  routes ??= signingKeyFromEnv().then((signingKey) => webRoutes({ storage: depsFromEnv().storage, signingKey, tokens: new SfnTaskTokens() }));
  routes.catch(() => { routes = undefined; });
  return handleApiGatewayEvent(await routes, event);
}
