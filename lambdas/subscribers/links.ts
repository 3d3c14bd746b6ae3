import { sign, verify } from '../web/signing.js';

/** A confirmation link is good for three days; an unsubscribe link for as long as mail is kept. */
export const CONFIRM_TTL_SECONDS = 3 * 24 * 3600;
export const UNSUBSCRIBE_TTL_SECONDS = 10 * 365 * 24 * 3600;

export type LinkPurpose = 'confirm' | 'unsubscribe';

export function subscriptionUrl(baseUrl: string, key: Buffer, purpose: LinkPurpose, email: string, now = Date.now()): string {
  const expires = Math.floor(now / 1000) + (purpose === 'confirm' ? CONFIRM_TTL_SECONDS : UNSUBSCRIBE_TTL_SECONDS);
  const sig = sign(key, { purpose, fields: [email], expires });
  return `${baseUrl.replace(/\/+$/, '')}/${purpose}?e=${encodeURIComponent(email)}&exp=${expires}&sig=${sig}`;
}

export function checkSubscriptionLink(key: Buffer, purpose: LinkPurpose, query: URLSearchParams) {
  const email = query.get('e') ?? '';
  const expires = Number(query.get('exp'));
  const sig = query.get('sig') ?? '';
  if (!email || !Number.isInteger(expires) || !sig) return { ok: false as const, reason: 'forged' as const, email };
  return { ...verify(key, { purpose, fields: [email], expires }, sig), email };
}
