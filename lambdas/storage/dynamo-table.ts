import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand, BatchWriteCommand, DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Item, Key, Table } from './ports.js';

/** DynamoDB's limits per batch call. */
const BATCH_GET_MAX = 100;
const BATCH_WRITE_MAX = 25;
const MAX_UNPROCESSED_ROUNDS = 8;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class DynamoTable implements Table {
  constructor(private readonly client: DynamoDBDocumentClient, readonly tableName: string) {}

  async get(key: Key): Promise<Item | undefined> {
    const out = await this.client.send(new GetCommand({ TableName: this.tableName, Key: key }));
    return out.Item as Item | undefined;
  }

  async put(item: Item, options: { ifAbsent?: boolean; ifEquals?: Record<string, string | number> } = {}): Promise<boolean> {
    const equals = Object.entries(options.ifEquals ?? {});
    const condition = options.ifAbsent
      ? { ConditionExpression: 'attribute_not_exists(pk)' }
      : equals.length
        ? {
          ConditionExpression: equals.map((_, i) => `#c${i} = :c${i}`).join(' AND '),
          ExpressionAttributeNames: Object.fromEntries(equals.map(([name], i) => [`#c${i}`, name])),
          ExpressionAttributeValues: Object.fromEntries(equals.map(([, value], i) => [`:c${i}`, value])),
        }
        : {};
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: item, ...condition }));
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException || (err as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw err;
    }
  }

  async batchGet(keys: Key[]): Promise<Item[]> {
    const found: Item[] = [];
    for (let i = 0; i < keys.length; i += BATCH_GET_MAX) {
      let request: Record<string, { Keys: Key[] }> | undefined = { [this.tableName]: { Keys: keys.slice(i, i + BATCH_GET_MAX) } };
      for (let round = 0; request && Object.keys(request).length > 0; round++) {
        if (round > MAX_UNPROCESSED_ROUNDS) throw new Error(`DynamoDB kept ${this.tableName} keys unprocessed`);
        if (round > 0) await sleep(50 * 2 ** round);
        const out = await this.client.send(new BatchGetCommand({ RequestItems: request }));
        found.push(...((out.Responses?.[this.tableName] ?? []) as Item[]));
        request = out.UnprocessedKeys as typeof request;
      }
    }
    return found;
  }

  async batchPut(items: Item[]): Promise<void> {
    for (let i = 0; i < items.length; i += BATCH_WRITE_MAX) {
      let request: Record<string, unknown[]> | undefined = {
        [this.tableName]: items.slice(i, i + BATCH_WRITE_MAX).map((item) => ({ PutRequest: { Item: item } })),
      };
      for (let round = 0; request && Object.keys(request).length > 0; round++) {
        if (round > MAX_UNPROCESSED_ROUNDS) throw new Error(`DynamoDB kept ${this.tableName} writes unprocessed`);
        if (round > 0) await sleep(50 * 2 ** round);
        const out = await this.client.send(new BatchWriteCommand({ RequestItems: request as never }));
        request = out.UnprocessedItems as typeof request;
      }
    }
  }

  async *query(pk: string, skPrefix?: string): AsyncIterable<Item> {
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.client.send(new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: skPrefix ? 'pk = :pk AND begins_with(sk, :sk)' : 'pk = :pk',
        ExpressionAttributeValues: skPrefix ? { ':pk': pk, ':sk': skPrefix } : { ':pk': pk },
        ExclusiveStartKey: start,
      }));
      for (const item of out.Items ?? []) yield item as Item;
      start = out.LastEvaluatedKey;
    } while (start);
  }

  async delete(key: Key): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: key }));
  }
}
