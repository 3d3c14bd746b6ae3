import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { CreateTableCommand, DescribeTableCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { parseConfig, type Config } from '../config.js';
import { createClients, createStorage, type Storage } from '../storage/index.js';

/** The emulators accept any credentials; these are s3rver's defaults. */
const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface LocalAws {
  config: Config;
  storage: Storage;
  close(): Promise<void>;
}

/**
 * Starts S3 (s3rver) and DynamoDB (dynalite) in this process on 127.0.0.1, with data kept under
 * `dataDir`, and creates the bucket and table when missing, so a later run sees this run's data.
 */
export async function startLocalAws(dataDir: string, overrides: Partial<Config> = {}): Promise<LocalAws> {
  const s3Dir = path.join(dataDir, 's3');
  const dynamoDir = path.join(dataDir, 'dynamodb');
  fs.mkdirSync(s3Dir, { recursive: true });
  fs.mkdirSync(dynamoDir, { recursive: true });

  const dynamoServer = dynalite({ path: dynamoDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    dynamoServer.once('error', reject);
    dynamoServer.listen(0, '127.0.0.1', () => resolve());
  });
  const s3Server = new S3rver({ port: 0, address: '127.0.0.1', directory: s3Dir, silent: true });
  let s3Port: number;
  try {
    s3Port = (await s3Server.run()).port;
  } catch (err) {
    dynamoServer.close();
    throw err;
  }

  const config = parseConfig({
    ...overrides,
    s3Endpoint: `http://127.0.0.1:${s3Port}`,
    dynamoEndpoint: `http://127.0.0.1:${(dynamoServer.address() as AddressInfo).port}`,
    localCredentials: LOCAL_CREDENTIALS,
  });
  const clients = createClients(config);
  const close = async () => {
    clients.s3.destroy();
    clients.dynamo.destroy();
    await s3Server.close();
    await new Promise<void>((resolve) => dynamoServer.close(() => resolve()));
  };
  try {
    await ensureBucket(clients.s3, config.rawBucket);
    await ensureBucket(clients.s3, config.siteBucket);
    await ensureTable(clients.dynamo, config.table);
  } catch (err) {
    await close();
    throw err;
  }
  return { config, storage: createStorage(config), close };
}

async function ensureBucket(s3: ReturnType<typeof createClients>['s3'], bucket: string) {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  }
}

/** The table's key schema; it matches lib/ (the CDK stack) and docs/storage.md. */
async function ensureTable(dynamo: ReturnType<typeof createClients>['dynamo'], table: string) {
  try {
    await dynamo.send(new DescribeTableCommand({ TableName: table }));
    return;
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException) && (err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
  }
  await dynamo.send(new CreateTableCommand({
    TableName: table,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
  }));
  // dynalite answers "resource not found" until the new table turns ACTIVE, which a busy machine can delay.
  for (let i = 0; i < 100; i++) {
    const out = await dynamo.send(new DescribeTableCommand({ TableName: table }));
    if (out.Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
