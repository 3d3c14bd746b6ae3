import { Validations, type IPolicyValidationContext, type IPolicyValidationPlugin, type PolicyValidationPluginReport } from 'aws-cdk-lib';
import { AwsSolutionsChecks, type NagPackProps } from 'cdk-nag';
import type { IConstruct } from 'constructs';

const ACKNOWLEDGED = Validations.ACKNOWLEDGED_RULES_METADATA_KEY;

/**
 * Acknowledges cdk-nag findings on a construct and everything under it, with one reason for all.
 * A finding of a rule that reports several (IAM5) is named `RuleId[Finding]`; name a resource of
 * another stack as `<LogicalId.Arn>`, as it appears within the app before synthesis.
 */
export function acknowledge(scope: IConstruct, reason: string, ...ids: string[]): void {
  if (reason.trim().length < 20) throw new Error(`acknowledge(${ids.join(', ')}): give a real reason, got "${reason}"`);
  Validations.of(scope).acknowledge(...ids.map((id) => ({ id, reason })));
}

/**
 * During synthesis a reference to another stack's resource is rendered as its export name
 * ("KernelNewsData:ExportsOutputFnGetAttRawBucket0C3EE094ArnD2F95F99"), which carries a hash; this
 * maps it back to the `<RawBucket0C3EE094.Arn>` (or, for a Ref, `<RawBucket0C3EE094>`) the finding
 * had before synthesis, so one acknowledgement holds for both.
 */
export function normalizeFinding(ruleName: string): string {
  return ruleName
    .replace(/[\w-]+:ExportsOutputFnGetAtt([A-Za-z0-9]+?[0-9A-F]{8})(Arn)[0-9A-F]{8}/g, '<$1.$2>')
    .replace(/[\w-]+:ExportsOutputRef([A-Za-z0-9]+?[0-9A-F]{8})[0-9A-F]{8}/g, '<$1>');
}

function acknowledgedOn(construct: IConstruct | undefined, id: string): boolean {
  for (let c = construct; c; c = c.node.scope) {
    for (const entry of c.node.metadata) {
      if (entry.type !== ACKNOWLEDGED || !entry.data) continue;
      if (Object.keys(entry.data as object).some((k) => k.replace(/^annotation::/i, '') === id)) return true;
    }
  }
  return false;
}

/** AwsSolutions checks that honour acknowledgements of cross-stack resources (see normalizeFinding). */
export class AwsSolutionsPlugin implements IPolicyValidationPlugin {
  readonly name = 'AwsSolutions';
  private readonly checks: AwsSolutionsChecks;

  constructor(private readonly app: IConstruct, props: NagPackProps = {}) {
    this.checks = new AwsSolutionsChecks(app, props);
  }

  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    return withoutAcknowledged(this.app, this.checks.validate(context));
  }
}

/** The AwsSolutions findings of an app that no acknowledgement covers (what the tests assert empty). */
export function unacknowledgedFindings(app: IConstruct): PolicyValidationPluginReport['violations'] {
  return withoutAcknowledged(app, new AwsSolutionsChecks(undefined, {}).validateScope(app)).violations;
}

function withoutAcknowledged(app: IConstruct, report: PolicyValidationPluginReport): PolicyValidationPluginReport {
  const byPath = new Map(app.node.findAll().map((c) => [c.node.path, c]));
  const violations = report.violations
    .map((v) => ({ ...v, violatingResources: v.violatingResources.filter((r) => !acknowledgedOn(byPath.get(r.constructPath ?? ''), normalizeFinding(v.ruleName))) }))
    .filter((v) => v.violatingResources.length > 0);
  return { ...report, violations, success: violations.length === 0 };
}
