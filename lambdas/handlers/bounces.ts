import type { SNSEvent } from 'aws-lambda';
import { handleSesNotifications } from '../subscribers/bounces.js';
import { fromEnv, logger } from './runtime.js';

/** SES bounces and complaints (configuration set -> SNS): permanent bounces and complaints suppress the address. */
export const handler = fromEnv(({ storage }) => async (event: SNSEvent) => {
  const suppressed = await handleSesNotifications(storage, event);
  logger.info('mail events', { records: event.Records?.length ?? 0, suppressed: suppressed.length });
  return { suppressed: suppressed.length };
});
