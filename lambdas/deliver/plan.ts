/** One SendBatch task should finish well inside Lambda's 15 minutes at its share of the send rate. */
const BATCH_SECONDS = 600;
const MAX_BATCH = 5_000;

export interface DeliveryPlan {
  week: string;
  recipients: number;
  batchCount: number;
  /** "<index>/<count>": the recipients whose address hashes to index of count. */
  batchIds: string[];
  /** The same ids as a JSON array in the site bucket, for the Distributed Map's item reader. */
  batchesKey: string;
}

/** Enough batches that each, sending at `perSecondPerBatch`, is done in about ten minutes. */
export function batchesFor(week: string, recipients: number, perSecondPerBatch: number): DeliveryPlan {
  const size = Math.max(1, Math.min(MAX_BATCH, Math.floor(perSecondPerBatch * BATCH_SECONDS)));
  const batchCount = Math.max(1, Math.ceil(recipients / size));
  return {
    week, recipients, batchCount,
    batchIds: Array.from({ length: batchCount }, (_, i) => `${i}/${batchCount}`),
    batchesKey: `deliveries/${week}/batches.json`,
  };
}

/** The batch an id names, checked: `index` of `of`. */
export function parseBatchId(id: string): { index: number; of: number } | undefined {
  const m = /^(\d{1,6})\/(\d{1,6})$/.exec(id);
  if (!m) return undefined;
  const [index, of] = [Number(m[1]), Number(m[2])];
  return index < of ? { index, of } : undefined;
}
