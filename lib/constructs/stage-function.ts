import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { acknowledge } from './nag.js';
import { TOKENIZER_RANKS } from '../../lambdas/draft/pack.js';

/**
 * The repository root, for entries and the lock file: the nearest folder up with a package.json
 * (this file runs from lib/constructs/ under tsx, and from dist/lib/constructs/ once compiled).
 */
export const PROJECT_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));

function findRoot(dir: string): string {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, 'package.json'))) return d;
    if (path.dirname(d) === d) throw new Error(`no package.json above ${dir}`);
  }
}

/** Where the Lambda entry files live: one thin file per function. */
export const handlerEntry = (name: string) => path.join(PROJECT_ROOT, 'lambdas', 'handlers', `${name}.ts`);

/**
 * Packages swapped at bundling time. cheerio's slim build (htmlparser2 only): MJML loads cheerio
 * only in XML mode, which the slim build parses the same way, and the full build drags in undici,
 * parse5 and encoding tables (~1.7 MiB). The others MJML calls only for options we never pass
 * (lib/bundling/unbundled.cjs throws if one ever is). Together: PublishArchive 3.6 MiB -> under 1.
 */
export const ALIASES: Record<string, string> = {
  cheerio: 'cheerio/slim',
  ...Object.fromEntries(['juice', 'htmlnano', 'cssnano-preset-lite', 'js-beautify'].map((name) => [name, path.join(PROJECT_ROOT, 'lib', 'bundling', 'unbundled.cjs')])),
};

/**
 * Data files copied next to a handler's bundle (index.mjs): data read only when needed rather than
 * parsed at every cold start. The drafting tokenizer's ranks (2.3 MB) are read on the first token
 * count, from where lambdas/draft/pack.ts looks for them.
 */
export const DATA_FILES: Record<string, string[]> = {
  draft: [createRequire(import.meta.url).resolve(TOKENIZER_RANKS.module)],
};

/**
 * The esbuild options every function is bundled with; bench/bundles.ts builds with the same ones.
 * ESM output needs a `require` for the CommonJS packages some dependencies still pull in.
 */
export const BUNDLING = {
  format: nodejs.OutputFormat.ESM,
  target: 'node22',
  minify: true,
  sourceMap: false,
  mainFields: ['module', 'main'],
  banner: "import { createRequire as __kn_createRequire } from 'node:module'; const require = __kn_createRequire(import.meta.url);",
  // The Node.js 22 runtime ships AWS SDK v3; bundling the clients too (S3 + DynamoDB ~ 350 KiB) would
  // put the Fetch bundle over the 1 MiB cold-start target (bench/bundles.ts has the figures).
  // `typescript` (3.5 MiB) is reached only through mjml's config loader (cosmiconfig), which
  // requires it lazily for .ts config files, which we never have.
  externalModules: ['@aws-sdk/*', 'typescript'] as string[],
  esbuildArgs: Object.fromEntries(Object.entries(ALIASES).map(([name, to]) => [`--alias:${name}`, to])),
} as const;

/** Why X-Ray's wildcard is fine; shared with the state machine, which traces too. */
export const TRACING_REASON = 'X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) takes no resource; only the tracing statement uses "*".';

export interface StageFunctionProps {
  /** Entry file name under lambdas/handlers/, without `.ts` (e.g. "topics"). */
  readonly handler: string;
  /** What the function does, for the console. */
  readonly description: string;
  /**
   * @default 512
   */
  readonly memorySizeMb?: number;
  /**
   * @default Duration.minutes(1)
   */
  readonly timeout?: Duration;
  /**
   * Environment beyond the shared names (RAW_BUCKET, ...), which the caller adds with addEnvironment.
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Days the function's logs are kept.
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * One pipeline stage as a Lambda function: Node.js 22 on arm64, bundled by esbuild as ESM, logging
 * JSON through Powertools into its own log group.
 */
export class StageFunction extends Construct {
  readonly function: nodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props: StageFunctionProps) {
    super(scope, id);
    const memorySize = props.memorySizeMb ?? 512;
    if (!Number.isInteger(memorySize) || memorySize < 128 || memorySize > 10240) {
      throw new Error(`${id}: memorySizeMb must be a whole number from 128 to 10240, got ${memorySize}`);
    }
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS });
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: handlerEntry(props.handler),
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize,
      timeout: props.timeout ?? Duration.minutes(1),
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      bundling: {
        ...BUNDLING, mainFields: [...BUNDLING.mainFields], externalModules: [...BUNDLING.externalModules],
        commandHooks: DATA_FILES[props.handler] ? {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (_input: string, output: string) => DATA_FILES[props.handler].map((file) => `cp "${file}" "${output}/${path.basename(file)}"`),
        } : undefined,
      },
      environment: {
        POWERTOOLS_SERVICE_NAME: 'kernel-news',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...props.environment,
      },
    });
    acknowledge(this.function, 'Node.js 22 is the runtime this project targets and tests against (issue 8); a newer runtime is a deliberate upgrade.', 'AwsSolutions-L1');
    acknowledge(this.function, 'AWSLambdaBasicExecutionRole only lets the function write its own logs; it is the AWS-maintained minimum for that.',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]');
    acknowledge(this.function, TRACING_REASON, 'AwsSolutions-IAM5[Resource::*]');
  }
}
