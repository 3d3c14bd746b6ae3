import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient, TaskTimedOut, TaskDoesNotExist, InvalidToken } from '@aws-sdk/client-sfn';
import type { Table } from '../storage/ports.js';

/**
 * The approval wait: the AwaitApproval state hands its task token to a function that stores it with
 * the issue; the approve route later sends it back. Stored in the one table (docs/storage.md):
 * `ISSUE#<week>` / `APPROVAL`, with an expiry so tokens of abandoned runs go away.
 */
export interface ApprovalWait {
  week: string;
  taskToken: string;
  /** Seconds since the epoch; DynamoDB TTL removes the item after it. */
  expiresAt: number;
}

/** Step Functions' side of a task token; locally the e2e test resolves its waiting task instead. */
export interface TaskTokens {
  succeed(taskToken: string, output: unknown): Promise<void>;
  fail(taskToken: string, error: string, cause: string): Promise<void>;
}

export class SfnTaskTokens implements TaskTokens {
  constructor(private readonly client: SFNClient = new SFNClient({})) {}

  async succeed(taskToken: string, output: unknown): Promise<void> {
    await this.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }));
  }

  async fail(taskToken: string, error: string, cause: string): Promise<void> {
    await this.client.send(new SendTaskFailureCommand({ taskToken, error, cause }));
  }
}

const approvalKey = (week: string) => ({ pk: `ISSUE#${week}`, sk: 'APPROVAL' });

export async function saveApprovalWait(table: Table, wait: ApprovalWait): Promise<void> {
  await table.put({ ...approvalKey(wait.week), type: 'approval-wait', ...wait });
}

export type ResumeResult = 'resumed' | 'no-run-waiting' | 'run-gone';

/**
 * Called when the editor approves: sends the stored token back so the run goes on to delivery, then
 * forgets it. No waiting run (approved from the terminal, run timed out, approved twice) is not an
 * error: the approval itself is recorded by the review stage either way.
 */
export async function resumeApprovedRun(table: Table, tokens: TaskTokens, week: string, output: { week: string; approvedVersion: number }): Promise<ResumeResult> {
  const item = await table.get(approvalKey(week));
  if (!item || typeof item.taskToken !== 'string') return 'no-run-waiting';
  let result: ResumeResult = 'resumed';
  try {
    await tokens.succeed(item.taskToken, output);
  } catch (err) {
    // The run stopped waiting (timed out, stopped): re-running the week sends the approved issue.
    if (!(err instanceof TaskTimedOut || err instanceof TaskDoesNotExist || err instanceof InvalidToken)) throw err;
    result = 'run-gone';
  }
  await table.delete(approvalKey(week));
  return result;
}
