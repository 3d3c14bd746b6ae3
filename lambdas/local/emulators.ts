import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import S3rver from 's3rver';
import { CreateTableCommand, DescribeTableCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { parseConfig, type Config } from '../config.js';
import { createClients, createStorage, type Storage } from '../storage/index.js';
import { UserError } from '../errors.js';

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
  const releaseLock = lockDataDir(dataDir);

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
    releaseLock();
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
    releaseLock();
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

/**
 * One process at a time per data folder: the DynamoDB emulator's LevelDB cannot be shared, and a
 * second process would otherwise die with "Database is closed". A lock left by a killed process
 * (its pid is gone) is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, 'kernel-news.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(fs.readFileSync(file, 'utf8'));
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new UserError(`the data folder ${dataDir} is in use by another kernel-news process (pid ${pid}, e.g. \`kernel-news serve\`); stop it first, or pass a different --data`);
      }
      fs.rmSync(file, { force: true }); // stale: its process is gone
    }
  }
  throw new UserError(`could not lock the data folder ${dataDir}; remove ${file} if no kernel-news process is running`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
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
