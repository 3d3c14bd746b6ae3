/**
 * The AWS SDK warns about Node 20 on every run (and prints a maintenance notice); the Lambda runtime
 * is Node 22, and locally it is noise a user would read as an error. Every other warning still shows.
 */
export function silenceSdkNodeVersionWarnings(): void {
  process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = '1';
  const emitWarning = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.name;
    if (/NodeVersionSupportWarning|AWS SDK for JavaScript/.test(text) || (typeof rest[0] === 'string' && rest[0].includes('NodeVersionSupport'))) return;
    emitWarning(warning, ...rest);
  }) as typeof process.emitWarning;
}
