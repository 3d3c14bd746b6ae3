import { z } from 'zod';
import type { Item, Storage } from '../storage/index.js';

/** All subscribers in one partition: a newsletter's list is read whole at each send. */
const PK = 'SUBSCRIBERS';
const SUPPRESSED = 'SUPPRESSED';

export const EmailSchema = z.string().trim().toLowerCase().max(254).email();

export type SubscriberStatus = 'pending' | 'confirmed' | 'unsubscribed';
export interface Subscriber {
  email: string;
  status: SubscriberStatus;
  createdAt: string;
  confirmedAt?: string;
  unsubscribedAt?: string;
}

const SubscriberItem = z.object({ sk: z.string(), status: z.enum(['pending', 'confirmed', 'unsubscribed']), createdAt: z.string(), confirmedAt: z.string().optional(), unsubscribedAt: z.string().optional() });

function toSubscriber(item: Item): Subscriber {
  const s = SubscriberItem.parse(item);
  return { email: s.sk, status: s.status, createdAt: s.createdAt, confirmedAt: s.confirmedAt, unsubscribedAt: s.unsubscribedAt };
}

export async function getSubscriber(storage: Storage, email: string): Promise<Subscriber | undefined> {
  const item = await storage.table.get({ pk: PK, sk: email });
  return item ? toSubscriber(item) : undefined;
}

/** Marks an address as wanting the newsletter; a confirmed subscriber stays confirmed. */
export async function addPending(storage: Storage, email: string): Promise<Subscriber> {
  const existing = await getSubscriber(storage, email);
  if (existing?.status === 'confirmed') return existing;
  const s: Subscriber = { email, status: 'pending', createdAt: existing?.createdAt ?? new Date().toISOString() };
  await storage.table.put({ pk: PK, sk: email, type: 'subscriber', ...s });
  return s;
}

/** Subscribes an address as confirmed, whatever its state (the editor vouches for it: `subscribers add`). */
export async function confirm(storage: Storage, email: string): Promise<void> {
  const existing = await getSubscriber(storage, email);
  const now = new Date().toISOString();
  await storage.table.put({ pk: PK, sk: email, type: 'subscriber', email, status: 'confirmed', createdAt: existing?.createdAt ?? now, confirmedAt: now });
}

/**
 * Confirms a pending subscription (the reader's confirmation link). A confirmation link outlives its
 * use: replayed after the reader unsubscribed, or for an address with no request, it must not
 * subscribe anyone, so only "pending" turns "confirmed"; a confirmed reader is left as is.
 * Returns whether the reader is now confirmed.
 */
export async function confirmPending(storage: Storage, email: string): Promise<boolean> {
  const existing = await getSubscriber(storage, email);
  if (existing?.status === 'confirmed') return true;
  if (existing?.status !== 'pending') return false;
  const now = new Date().toISOString();
  // Conditional: an unsubscribe racing this confirmation wins.
  return storage.table.put({ pk: PK, sk: email, type: 'subscriber', email, status: 'confirmed', createdAt: existing.createdAt ?? now, confirmedAt: now }, { ifEquals: { status: 'pending' } });
}

/** Unsubscribes; an address already unsubscribed, or unknown, is left as it is. */
export async function unsubscribe(storage: Storage, email: string): Promise<void> {
  const existing = await getSubscriber(storage, email);
  if (!existing || existing.status === 'unsubscribed') return;
  await storage.table.put({ pk: PK, sk: email, type: 'subscriber', ...existing, status: 'unsubscribed', unsubscribedAt: new Date().toISOString() });
}

/** Subscribes addresses as confirmed (migrating an existing list), 25 writes a request. */
export async function importConfirmed(storage: Storage, emails: string[]): Promise<void> {
  const now = new Date().toISOString();
  await storage.table.batchPut(emails.map((email) => ({ pk: PK, sk: email, type: 'subscriber', email, status: 'confirmed', createdAt: now, confirmedAt: now })));
}

export async function listSubscribers(storage: Storage): Promise<Subscriber[]> {
  const out: Subscriber[] = [];
  for await (const item of storage.table.query(PK)) out.push(toSubscriber(item));
  return out;
}

/** Bounces and complaints: never mailed again, whatever their subscription says. */
export async function suppress(storage: Storage, email: string, reason: string): Promise<void> {
  await storage.table.put({ pk: SUPPRESSED, sk: email, type: 'suppression', reason, at: new Date().toISOString() });
}

export async function suppressedSet(storage: Storage): Promise<Set<string>> {
  const out = new Set<string>();
  for await (const item of storage.table.query(SUPPRESSED)) out.add(String(item.sk));
  return out;
}

/** Who gets an issue: confirmed and not suppressed. */
export async function recipients(storage: Storage): Promise<string[]> {
  const [subs, suppressed] = await Promise.all([listSubscribers(storage), suppressedSet(storage)]);
  return subs.filter((s) => s.status === 'confirmed' && !suppressed.has(s.email)).map((s) => s.email).sort();
}
