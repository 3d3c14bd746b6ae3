import { z } from 'zod';
import { recipients } from '../subscribers/store.js';
import { fromEnv, logger, parseEvent, WeekSchema, type StageDeps } from './runtime.js';
import { batchesFor, type DeliveryPlan } from '../deliver/plan.js';

const PlanEvent = z.object({ week: WeekSchema });

/**
 * The PlanDelivery state: how many SendBatch tasks the week's list needs. Batches are shares of the
 * address hash (lambdas/deliver/send.ts batchOf), so a subscriber who joins after the plan still
 * falls in exactly one. The ids go into the state for the inline Map and to the site bucket for the
 * Distributed Map, whose items may outgrow the state.
 */
export function createPlanDeliveryHandler(deps: StageDeps & { perSecond: number; concurrency: number }) {
  return async (event: unknown): Promise<DeliveryPlan> => {
    const { week } = parseEvent(PlanEvent, event, 'plan-delivery');
    const count = (await recipients(deps.storage)).length;
    const plan = batchesFor(week, count, deps.perSecond / deps.concurrency);
    await deps.storage.site.put(plan.batchesKey, JSON.stringify(plan.batchIds), 'application/json');
    logger.info('delivery planned', { week, recipients: count, batches: plan.batchCount });
    return plan;
  };
}

const Env = z.object({
  SES_MAX_PER_SECOND: z.coerce.number().positive().default(10),
  SEND_CONCURRENCY: z.coerce.number().int().positive().default(8),
});

export const handler = fromEnv((deps) => {
  const env = Env.parse(process.env);
  return createPlanDeliveryHandler({ ...deps, perSecond: env.SES_MAX_PER_SECOND, concurrency: env.SEND_CONCURRENCY });
});
