import { z } from 'zod';
import type { Storage } from '../storage/index.js';
import { suppress } from './store.js';

/** The SES event (from a configuration set's SNS destination) fields we act on. */
const SesEvent = z.object({
  eventType: z.string().optional(),
  notificationType: z.string().optional(),
  bounce: z.object({ bounceType: z.string(), bouncedRecipients: z.array(z.object({ emailAddress: z.string() })) }).optional(),
  complaint: z.object({ complainedRecipients: z.array(z.object({ emailAddress: z.string() })) }).optional(),
});
const SnsEvent = z.object({ Records: z.array(z.object({ Sns: z.object({ Message: z.string() }) })) });

/**
 * Feeds the suppression list from SES bounces and complaints delivered via SNS: permanent bounces and
 * every complaint suppress the address; transient bounces do not. Returns the addresses suppressed.
 */
export async function handleSesNotifications(storage: Storage, event: unknown): Promise<string[]> {
  const suppressed: string[] = [];
  for (const record of SnsEvent.parse(event).Records) {
    let parsed: z.infer<typeof SesEvent>;
    try {
      parsed = SesEvent.parse(JSON.parse(record.Sns.Message));
    } catch {
      continue; // not an SES event we know: nothing to suppress
    }
    const type = parsed.eventType ?? parsed.notificationType;
    if (type === 'Bounce' && parsed.bounce?.bounceType === 'Permanent') {
      for (const r of parsed.bounce.bouncedRecipients) suppressed.push(r.emailAddress.toLowerCase());
    } else if (type === 'Complaint' && parsed.complaint) {
      for (const r of parsed.complaint.complainedRecipients) suppressed.push(r.emailAddress.toLowerCase());
    }
  }
  for (const email of suppressed) await suppress(storage, email, 'ses bounce or complaint');
  return suppressed;
}
