/**
 * Probes for the three kinds of story the ranker missed on a held-out week, each made from real mail
 * and put into the bundled sample week (real traffic, mostly the stories two editors chose): each
 * must reach the week's top 10. The mail is real; what is changed is written out below, and the
 * expectations are an editor's, not the ranking code's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { analyseMboxFile } from '../lambdas/thread/analyse.js';
import type { Topic } from '../lambdas/model.js';
import { buildTopics } from '../lambdas/topics/build.js';
import { mboxrd, message, repoRoot, sampleMbox, tempDir } from './helpers.js';

const TOP = 10;

/** The sample's messages as raw texts (split on the archive's separator lines, not by the code under test). */
function sampleMessages(): string[] {
  const text = zlib.gunzipSync(fs.readFileSync(sampleMbox)).toString('latin1');
  return text.split(/^From MAILER-DAEMON .*\n/m).filter((m) => m.trim()).map((m) => m.replace(/\n$/, '').replace(/^>(>*From )/gm, '$1'));
}

const idOf = (raw: string) => /^Message-I[dD]:\s*<([^>]+)>/im.exec(raw.slice(0, raw.indexOf('\n\n')))?.[1];

/** A raw message with these headers replaced (folded continuation lines of a replaced header go too). */
function withHeaders(raw: string, headers: Record<string, string>): string {
  const end = raw.indexOf('\n\n');
  const names = new Set(Object.keys(headers).map((h) => h.toLowerCase()));
  const kept: string[] = [];
  let dropping = false;
  for (const line of raw.slice(0, end).split('\n')) {
    if (/^[ \t]/.test(line)) {
      if (!dropping) kept.push(line);
      continue;
    }
    dropping = names.has(line.slice(0, line.indexOf(':')).toLowerCase());
    if (!dropping) kept.push(line);
  }
  return `${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\n')}\n${kept.join('\n')}${raw.slice(end)}`;
}

/** The sample without some of its messages, plus others, ranked. */
async function rank(drop: Set<string>, add: string[]): Promise<Topic[]> {
  const file = path.join(tempDir(), 'week.mbox');
  fs.writeFileSync(file, mboxrd([...sampleMessages().filter((m) => !drop.has(idOf(m) ?? '')), ...add]));
  return buildTopics(await analyseMboxFile(file), { week: '2026-W02' });
}

const rankOf = (topics: Topic[], id: string) => topics.findIndex((t) => t.messageIds.includes(id)) + 1;

test('a revert under a "fix" subject that turned into a long exchange between two senior developers reaches the top 10', async () => {
  // The real exchange between Borislav Petkov and Andrew Morton in the sample ("linux-next: build
  // failure after merge of the tip tree", seven messages from Borislav's long answer on), moved under
  // a revert posting written by hand whose reverted commit says "fix". Stephen Rothwell's report and
  // first note, and Borislav's patch, are left out, as is the original thread.
  const exchange = [
    '20260109172955.GDaWE7E2xNc9WJlsNt@fat_crate.local',
    '20260109111744.07e51bf5c0bde0e419d09b34@linux-foundation.org',
    '20260109192404.GEaWFV1MUzYGNjq2eK@fat_crate.local',
    '20260109113921.5769acfa1d0c08628aeb7217@linux-foundation.org',
    '20260109195410.GGaWFc4o-TL_jhOTxF@fat_crate.local',
    '20260109140026.efda2135377239ba8964d139@linux-foundation.org',
    '20260111110231.GAaWODR6gOvIp6KzD6@fat_crate.local',
  ];
  const original = ['20260107134710.15363555@canb.auug.org.au', '20260107144753.7071f5f2@canb.auug.org.au', '20260107105222.GAaV465o3HUxGxBXGe@fat_crate.local', ...exchange];
  const subject = 'Revert "x86/mm: fix the build with the new mm helpers"';
  const revert = message('probe-revert@example.org', `This reverts commit 0123456789ab ("x86/mm: fix the build with the new mm helpers").

The fix went in through the tip tree while the helpers it fixes up are still in the mm tree,
so linux-next fails to build whenever the two are merged in the other order.

Signed-off-by: Jane Dev <jane@example.org>
---
 arch/x86/mm/init.c | 2 +-
 1 file changed, 1 insertion(+), 1 deletion(-)

diff --git a/arch/x86/mm/init.c b/arch/x86/mm/init.c
--- a/arch/x86/mm/init.c
+++ b/arch/x86/mm/init.c
@@ -1,3 +1,3 @@
-#include <linux/mm_helpers.h>
+#include <linux/mm.h>
 #include <asm/init.h>
`, { From: 'Jane Dev <jane@example.org>', To: 'linux-kernel@vger.kernel.org, linux-next@vger.kernel.org', Subject: `[PATCH] ${subject}`, Date: 'Fri, 9 Jan 2026 08:00:00 +0000' });
  const raws = new Map(sampleMessages().map((m) => [idOf(m), m]));
  const moved = exchange.map((id, i) => {
    const chain = ['probe-revert@example.org', ...exchange.slice(0, i).map((x) => `probe-${x}`)];
    return withHeaders(raws.get(id)!, { 'Message-ID': `<probe-${id}>`, Subject: `Re: [PATCH] ${subject}`, 'In-Reply-To': `<${chain[chain.length - 1]}>`, References: chain.map((x) => `<${x}>`).join(' ') });
  });
  const topics = await rank(new Set(original), [revert, ...moved]);
  const at = rankOf(topics, 'probe-revert@example.org');
  const story = topics[at - 1];
  assert.ok(at >= 1 && at <= TOP, `ranked ${at}: ${story?.title} | ${story?.reasons.join('; ')}`);
  assert.ok(!(story.features.routine as string[]).includes('bug fix'), 'an argued revert is not a routine fix');
  assert.ok(story.reasons.includes('revert'), story.reasons.join('; '));
});

test('a pull request whose only answer is the mainline maintainer asking why something is in it reaches the top 10', async () => {
  // Jens Axboe's real "[GIT PULL] io_uring fix for 6.19-rc5" of the shared week (not in the sample),
  // and a question written by hand in the shape of Linus Torvalds' answers to pulls.
  const pull = fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'pull-io_uring-fix-6.19-rc5.eml'), 'latin1');
  const question = message('probe-pull-question@example.org', `On Fri, Jan 9, 2026 at 10:12 AM Jens Axboe <axboe@kernel.dk> wrote:
>
> On top of that, just a basic cleanup as well.

Why is a cleanup in an -rc5 pull at all? The second commit doesn't fix
anything as far as I can tell, and it was committed four days ago. Is
there a reason it couldn't wait for the merge window like everything else?

              Linus
`, { From: 'Linus Torvalds <torvalds@linux-foundation.org>', To: 'Jens Axboe <axboe@kernel.dk>', Cc: 'io-uring <io-uring@vger.kernel.org>', Subject: 'Re: [GIT PULL] io_uring fix for 6.19-rc5', Date: 'Fri, 9 Jan 2026 19:40:00 +0000', 'In-Reply-To': '<107197ad-1de3-4773-89ad-a3c1977dd7eb@kernel.dk>', References: '<107197ad-1de3-4773-89ad-a3c1977dd7eb@kernel.dk>' });
  const topics = await rank(new Set(), [pull, question]);
  const at = rankOf(topics, 'probe-pull-question@example.org');
  const story = topics[at - 1];
  assert.ok(at >= 1 && at <= TOP, `ranked ${at}: ${story?.title} | ${story?.reasons.join('; ')}`);
  assert.ok(story.reasons.includes('pull request questioned'), story.reasons.join('; '));
  assert.match(story.title, /Linus Torvalds questions the pull/);
  // The same pull unanswered: no angle, and lower than when it was questioned.
  const quiet = await rank(new Set(), [pull]);
  const quietAt = rankOf(quiet, '107197ad-1de3-4773-89ad-a3c1977dd7eb@kernel.dk');
  assert.ok(!quiet[quietAt - 1].reasons.includes('pull request questioned'));
  assert.ok(quietAt > at, `unanswered ${quietAt}, questioned ${at}`);
});

test('a question from the mainline maintainer on a pull is pushback; the same question from someone else is not', async () => {
  const pull = fs.readFileSync(path.join(repoRoot, 'test', 'fixtures', 'pull-io_uring-fix-6.19-rc5.eml'), 'latin1');
  const question = message('probe-pull-other@example.org', '> On top of that, just a basic cleanup as well.\n\nWhy is a cleanup in an -rc5 pull at all? Is there a reason it could not wait for the merge window?\n', { From: 'Pat Reader <pat@example.org>', To: 'io-uring@vger.kernel.org', Subject: 'Re: [GIT PULL] io_uring fix for 6.19-rc5', Date: 'Fri, 9 Jan 2026 19:40:00 +0000', 'In-Reply-To': '<107197ad-1de3-4773-89ad-a3c1977dd7eb@kernel.dk>', References: '<107197ad-1de3-4773-89ad-a3c1977dd7eb@kernel.dk>' });
  const topics = await rank(new Set(), [pull, question]);
  const story = topics[rankOf(topics, 'probe-pull-other@example.org') - 1];
  assert.ok(!story.reasons.includes('pull request questioned'), story.reasons.join('; '));
});
