#!/usr/bin/env node
import { App, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AwsSolutionsPlugin } from '../lib/constructs/nag.js';
import { StatefulStack } from '../lib/stateful-stack.js';
import { StatelessStack } from '../lib/stateless-stack.js';

/**
 * The CDK app: data in one stack, code in another, wired here. Settings come from context
 * (`-c key=value` or cdk.json); synth needs no AWS account (no lookups).
 */
export function buildApp(app = new App()): { app: App; stateful: StatefulStack; stateless: StatelessStack } {
  const context = (key: string): string | undefined => {
    const value = app.node.tryGetContext(key);
    return value === undefined || value === '' ? undefined : String(value);
  };
  const numberFrom = (key: string): number | undefined => {
    const value = context(key);
    if (value === undefined) return undefined;
    if (!Number.isFinite(Number(value))) throw new Error(`context ${key} must be a number, got "${value}"`);
    return Number(value);
  };
  const env = {
    account: context('account') ?? process.env.CDK_DEFAULT_ACCOUNT,
    region: context('region') ?? process.env.CDK_DEFAULT_REGION,
  };
  const stateful = new StatefulStack(app, 'KernelNewsData', {
    env,
    description: 'kernel-news: buckets, table and secrets',
    removalPolicy: context('destroyData') === 'true' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
  });
  const stateless = new StatelessStack(app, 'KernelNewsApp', {
    env,
    description: 'kernel-news: stage functions, weekly schedule, state machine, web links',
    rawBucket: stateful.rawBucket,
    siteBucket: stateful.siteBucket,
    table: stateful.table,
    modelKeySecret: stateful.modelKeySecret,
    signingKeySecret: stateful.signingKeySecret,
    editorEmail: context('editorEmail') ?? 'editor@example.com',
    fromAddress: context('fromAddress') ?? 'newsletter@example.com',
    lists: context('lists')?.split(',').map((l) => l.trim()).filter(Boolean),
    timeZone: context('timeZone'),
    siteUrl: context('siteUrl'),
    model: context('model'),
    maxUsdPerIssue: numberFrom('maxUsdPerIssue'),
    sesMaxPerSecond: numberFrom('sesMaxPerSecond'),
    sendConcurrency: numberFrom('sendConcurrency'),
  });
  // Synthesis stops on any unacknowledged AwsSolutions finding.
  Validations.of(app).addPlugins(new AwsSolutionsPlugin(app, { verbose: true }));
  return { app, stateful, stateless };
}

// Run as the CDK app (cdk.json), not when a test imports buildApp.
if (process.argv[1] && /bin[/\\]app\.[jt]s$/.test(process.argv[1])) {
  buildApp().app.synth();
}
