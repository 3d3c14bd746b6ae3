/**
 * The state machine definition as the CDK app synthesizes it, made runnable outside AWS (by
 * aws-local-stepfunctions in test/e2e-*.test.ts): CloudFormation references inside the definition
 * become placeholder ARNs that name the resource, and every Task is then bound by state name.
 */
export interface StatesDefinition {
  StartAt: string;
  States: Record<string, Record<string, unknown>>;
  [field: string]: unknown;
}

type CfnTemplate = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

/** Pseudo parameters, as a local run fills them in. */
const PSEUDO: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': 'us-east-1', 'AWS::AccountId': '123456789012', 'AWS::URLSuffix': 'amazonaws.com' };

function placeholder(ref: unknown): string {
  const r = ref as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  if (r.Ref && PSEUDO[r.Ref]) return PSEUDO[r.Ref];
  const name = r.Ref ?? r['Fn::GetAtt']?.[0] ?? 'Unknown';
  // A valid Lambda ARN, so the definition passes validation; the function is never called by ARN.
  return `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
}

/** The definition of the template's one state machine, references replaced. */
export function localDefinition(template: CfnTemplate): StatesDefinition {
  const machines = Object.values(template.Resources).filter((r) => r.Type === 'AWS::StepFunctions::StateMachine');
  if (machines.length !== 1) throw new Error(`expected one state machine in the template, found ${machines.length}`);
  const body = machines[0].Properties?.DefinitionString as string | { 'Fn::Join': [string, unknown[]] };
  const text = typeof body === 'string' ? body : body['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : placeholder(p))).join(body['Fn::Join'][0]);
  return JSON.parse(text) as StatesDefinition;
}

/** The names of every Task state, nested Map processors included. */
export function taskStateNames(definition: { States: Record<string, Record<string, unknown>> }): string[] {
  const names: string[] = [];
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type === 'Task') names.push(name);
    const inner = (state.ItemProcessor ?? state.Iterator) as { States: Record<string, Record<string, unknown>> } | undefined;
    if (inner) names.push(...taskStateNames(inner));
  }
  return names;
}

/**
 * Task tokens for a local run: a `.waitForTaskToken` Task bound locally returns `wait(token)`, and
 * whatever would call SendTaskSuccess in AWS (the approve route) calls `succeed` here instead.
 * Structurally the TaskTokens port of lambdas/handlers/approval.ts.
 */
export class LocalTaskTokens {
  private readonly waiting = new Map<string, { resolve(output: unknown): void; reject(error: Error): void }>();
  private readonly settled = new Map<string, { output?: unknown; error?: Error }>();

  wait(taskToken: string): Promise<unknown> {
    const early = this.settled.get(taskToken);
    if (early) return early.error ? Promise.reject(early.error) : Promise.resolve(early.output);
    return new Promise((resolve, reject) => this.waiting.set(taskToken, { resolve, reject }));
  }

  async succeed(taskToken: string, output: unknown): Promise<void> {
    this.settle(taskToken, { output });
  }

  async fail(taskToken: string, error: string, cause: string): Promise<void> {
    this.settle(taskToken, { error: Object.assign(new Error(cause), { name: error }) });
  }

  private settle(taskToken: string, result: { output?: unknown; error?: Error }) {
    const waiter = this.waiting.get(taskToken);
    if (!waiter) {
      this.settled.set(taskToken, result);
      return;
    }
    this.waiting.delete(taskToken);
    if (result.error) waiter.reject(result.error);
    else waiter.resolve(result.output);
  }
}
