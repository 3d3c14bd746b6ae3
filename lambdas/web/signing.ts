import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Signed, expiring tokens for links in mail (review, confirm, unsubscribe): HMAC-SHA256 over a
 * purpose, the payload fields and the expiry. The purpose keeps a token for one link type from being
 * replayed as another.
 */
export interface SignedToken {
  purpose: string;
  fields: string[];
  /** Expiry, seconds since the epoch. */
  expires: number;
}

const SEPARATOR = '\u001f';

function mac(key: Buffer, purpose: string, fields: string[], expires: number): string {
  return createHmac('sha256', key).update([purpose, ...fields, String(expires)].join(SEPARATOR)).digest('base64url');
}

export function sign(key: Buffer, token: SignedToken): string {
  return mac(key, token.purpose, token.fields, token.expires);
}

export type VerifyResult = { ok: true } | { ok: false; reason: 'forged' | 'expired' };

export function verify(key: Buffer, token: SignedToken, signature: string, nowSeconds = Math.floor(Date.now() / 1000)): VerifyResult {
  const expected = Buffer.from(mac(key, token.purpose, token.fields, token.expires));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'forged' };
  if (token.expires < nowSeconds) return { ok: false, reason: 'expired' };
  return { ok: true };
}

/** The local link-signing key: made once per data folder (in AWS it comes from Secrets Manager). */
export function localSigningKey(dataDir: string): Buffer {
  const file = path.join(dataDir, 'link-signing.key');
  try {
    return Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  } catch {
    const key = randomBytes(32);
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, key.toString('base64'), { mode: 0o600 });
    return key;
  }
}
