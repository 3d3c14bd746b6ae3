import type { DraftConfig } from './config.js';

/**
 * Bounds one issue's model drafting in time and in failures, shared by every story of the issue:
 * 1. a deadline for the whole issue: past it no call starts, and a call under way is cut at it;
 * 2. a circuit breaker: after `maxConsecutiveFailures` calls failing in a row (each after the SDK's
 *    own retries), or one refusal that retrying cannot mend (4xx), the endpoint is not called again;
 * the stories left are written offline at once, with the reason this gives.
 */
export class ModelGuard {
  readonly deadlineAt: number;
  private failuresInARow = 0;
  private openReason?: string;

  constructor(
    private readonly config: Pick<DraftConfig, 'issueDeadlineMs' | 'maxConsecutiveFailures'>,
    private readonly now: () => number = Date.now,
  ) {
    this.deadlineAt = now() + config.issueDeadlineMs;
  }

  /** Why no call may start now, or undefined when one may. */
  blocked(): string | undefined {
    if (this.openReason) return this.openReason;
    if (this.remainingMs() <= 0) return `the issue's drafting deadline (${Math.round(this.config.issueDeadlineMs / 1000)} s) has passed`;
    return undefined;
  }

  remainingMs(): number {
    return this.deadlineAt - this.now();
  }

  succeeded(): void {
    this.failuresInARow = 0;
  }

  /** Records a failed call; `permanent` (a refusal, not an outage) opens the breaker at once. */
  failed(reason: string, permanent = false): void {
    this.failuresInARow++;
    if (this.openReason) return;
    if (permanent || this.failuresInARow >= this.config.maxConsecutiveFailures) {
      this.openReason = `the model endpoint was not called again after ${permanent ? 'it refused a request' : `${this.failuresInARow} failed calls in a row`} (${reason})`;
    }
  }
}
