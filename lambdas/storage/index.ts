import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Config } from '../config.js';
import { S3BlobStore } from './s3-blob-store.js';
import { DynamoTable } from './dynamo-table.js';
import type { Storage } from './ports.js';

export type { BlobStore, Item, Key, Storage, Table } from './ports.js';

/** The SDK clients for a config: the emulators' endpoints locally, the default chain in AWS. */
export function createClients(config: Config) {
  const common = { region: config.region, ...(config.localCredentials ? { credentials: config.localCredentials } : {}) };
  const s3 = new S3Client({ ...common, ...(config.s3Endpoint ? { endpoint: config.s3Endpoint, forcePathStyle: true } : {}) });
  const dynamo = new DynamoDBClient({ ...common, ...(config.dynamoEndpoint ? { endpoint: config.dynamoEndpoint } : {}) });
  const documents = DynamoDBDocumentClient.from(dynamo, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return { s3, dynamo, documents };
}

export function createStorage(config: Config): Storage {
  const { s3, documents } = createClients(config);
  return {
    raw: new S3BlobStore(s3, config.rawBucket),
    site: new S3BlobStore(s3, config.siteBucket),
    table: new DynamoTable(documents, config.table),
  };
}
