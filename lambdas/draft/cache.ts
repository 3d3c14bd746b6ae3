import { createHash } from 'node:crypto';
import type { Table } from '../storage/ports.js';

/** A model answer kept by the hash of everything that went into the call. */
export interface CachedResponse {
  content: string;
  inputTokens: number;
  outputTokens: number;
  model: string;
}

/** Re-running a week asks the cache first, so unchanged topics cost no tokens. */
export interface ResponseCache {
  get(key: string): Promise<CachedResponse | undefined>;
  put(key: string, value: CachedResponse): Promise<void>;
}

/** The content hash of a call: model, prompt version and every message sent. */
export function cacheKey(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** DynamoDB `DRAFTCACHE#<sha256>` / `RESPONSE` (docs/storage.md). */
export class TableResponseCache implements ResponseCache {
  constructor(private readonly table: Table) {}

  async get(key: string): Promise<CachedResponse | undefined> {
    const item = await this.table.get({ pk: `DRAFTCACHE#${key}`, sk: 'RESPONSE' });
    if (!item || typeof item.content !== 'string') return undefined;
    return { content: item.content, inputTokens: Number(item.inputTokens) || 0, outputTokens: Number(item.outputTokens) || 0, model: String(item.model ?? '') };
  }

  async put(key: string, value: CachedResponse): Promise<void> {
    await this.table.put({ pk: `DRAFTCACHE#${key}`, sk: 'RESPONSE', ...value, storedAt: new Date().toISOString() });
  }
}

export class MemoryResponseCache implements ResponseCache {
  private readonly items = new Map<string, CachedResponse>();
  async get(key: string) {
    return this.items.get(key);
  }
  async put(key: string, value: CachedResponse) {
    this.items.set(key, value);
  }
}
