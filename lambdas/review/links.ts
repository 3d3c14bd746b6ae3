import { createHmac, timingSafeEqual } from 'node:crypto';
import { sign, verify } from '../web/signing.js';

/** How long a review link stays valid. */
export const REVIEW_LINK_TTL_SECONDS = 14 * 24 * 3600;
const PURPOSE = 'review';

export interface ReviewLink {
  week: string;
  version: number;
  expires: number;
  sig: string;
}

export function makeReviewLink(key: Buffer, week: string, version: number, now = Date.now()): ReviewLink {
  const expires = Math.floor(now / 1000) + REVIEW_LINK_TTL_SECONDS;
  return { week, version, expires, sig: sign(key, { purpose: PURPOSE, fields: [week, String(version)], expires }) };
}

export function reviewUrl(baseUrl: string, link: ReviewLink): string {
  return `${baseUrl.replace(/\/+$/, '')}/review/${encodeURIComponent(link.week)}?v=${link.version}&exp=${link.expires}&sig=${link.sig}`;
}

export function checkReviewLink(key: Buffer, link: ReviewLink, nowSeconds?: number) {
  return verify(key, { purpose: PURPOSE, fields: [link.week, String(link.version)], expires: link.expires }, link.sig, nowSeconds);
}

/** The form token for POSTs from a review page: bound to the link, so a page elsewhere cannot forge it. */
export function csrfToken(key: Buffer, link: ReviewLink): string {
  return createHmac('sha256', key).update(`csrf\u001f${link.week}\u001f${link.version}\u001f${link.expires}\u001f${link.sig}`).digest('base64url');
}

export function checkCsrf(key: Buffer, link: ReviewLink, token: string | undefined): boolean {
  if (!token) return false;
  const a = Buffer.from(csrfToken(key, link));
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
