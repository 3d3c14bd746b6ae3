/** Object storage: raw messages, manifests, rendered issues. One real implementation: S3. */
export interface BlobStore {
  put(key: string, body: Uint8Array | string, contentType?: string): Promise<void>;
  /** The object's bytes, or undefined when there is none. */
  get(key: string): Promise<Buffer | undefined>;
  has(key: string): Promise<boolean>;
  list(prefix: string): AsyncIterable<string>;
}

/** Every item in the single table has a partition key and a sort key; see docs/storage.md. */
export interface Item {
  pk: string;
  sk: string;
  [attribute: string]: unknown;
}

export type Key = { pk: string; sk: string };

/** The one DynamoDB table. One real implementation over the SDK's document client. */
export interface Table {
  get(key: Key): Promise<Item | undefined>;
  /**
   * Returns false (and writes nothing) when a condition fails: `ifAbsent`, the item exists;
   * `ifEquals`, the stored item's attributes do not all have these values.
   */
  put(item: Item, options?: { ifAbsent?: boolean; ifEquals?: Record<string, string | number> }): Promise<boolean>;
  /** Items that exist among `keys`, in any order. */
  batchGet(keys: Key[]): Promise<Item[]>;
  batchPut(items: Item[]): Promise<void>;
  /** Items of one partition, in sort-key order, optionally only those whose sort key starts with `skPrefix`. */
  query(pk: string, skPrefix?: string): AsyncIterable<Item>;
  delete(key: Key): Promise<void>;
}

export interface Storage {
  raw: BlobStore;
  site: BlobStore;
  table: Table;
}
