import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TaskTimedOut } from '@aws-sdk/client-sfn';
import { resumeApprovedRun, saveApprovalWait, type TaskTokens } from '../lambdas/handlers/approval.js';
import { freshAws } from './helpers.js';

let aws: Awaited<ReturnType<typeof freshAws>>;
before(async () => { aws = await freshAws(); });
after(async () => { await aws.close(); });

function recordingTokens(fail?: Error) {
  const sent: Array<{ token: string; output: unknown }> = [];
  const tokens: TaskTokens = {
    async succeed(token, output) {
      if (fail) throw fail;
      sent.push({ token, output });
    },
    async fail() { throw new Error('not expected'); },
  };
  return { tokens, sent };
}

test('approving sends the stored task token back once, then forgets it', async () => {
  await saveApprovalWait(aws.storage.table, { week: '2026-W02', taskToken: 'token-1', expiresAt: 2_000_000_000 });
  const { tokens, sent } = recordingTokens();
  assert.equal(await resumeApprovedRun(aws.storage.table, tokens, '2026-W02', { week: '2026-W02', approvedVersion: 3 }), 'resumed');
  assert.deepEqual(sent, [{ token: 'token-1', output: { week: '2026-W02', approvedVersion: 3 } }]);
  assert.equal(await resumeApprovedRun(aws.storage.table, tokens, '2026-W02', { week: '2026-W02', approvedVersion: 3 }), 'no-run-waiting');
  assert.equal(sent.length, 1);
});

test('a run that stopped waiting is reported, not an error', async () => {
  await saveApprovalWait(aws.storage.table, { week: '2026-W03', taskToken: 'token-2', expiresAt: 2_000_000_000 });
  const { tokens } = recordingTokens(new TaskTimedOut({ message: 'timed out', $metadata: {} }));
  assert.equal(await resumeApprovedRun(aws.storage.table, tokens, '2026-W03', { week: '2026-W03', approvedVersion: 1 }), 'run-gone');
  assert.equal(await aws.storage.table.get({ pk: 'ISSUE#2026-W03', sk: 'APPROVAL' }), undefined);
});
