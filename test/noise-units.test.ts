import { test } from 'node:test';
import assert from 'node:assert/strict';
import { botReason, classifyNoise } from '../lambdas/noise/classify.js';
import { parseMessageHeaders } from '../lambdas/parse/message.js';
import { sampleRaw } from './sample-raw.js';

/**
 * Fast unit tests of lambdas/noise: real messages of the bundled sample (Jens Axboe's b4 "Applied,
 * thanks!" notes are noise; reviews and patches are not), and senders and subjects of the kinds of
 * automated traffic lore carries every week (the bots' real addresses, the stable team's subjects).
 */

const verdict = (raw: Buffer | string) => {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw;
  return classifyNoise(parseMessageHeaders(bytes), bytes)?.reason;
};
const mail = (from: string, subject: string, body = 'Some words.\n', extra = '') => `Message-ID: <m@x>\nFrom: ${from}\nSubject: ${subject}\n${extra}\n${body}`;

test("the sample's b4 thank-you notes are \"applied, thanks\" noise", () => {
  assert.equal(verdict(sampleRaw('176796707483.352942.3630670392140403614.b4-ty@kernel.dk')), '"applied, thanks" note');
  assert.equal(verdict(sampleRaw('176780463002.77199.18373913031463054048.b4-ty@kernel.dk')), '"applied, thanks" note');
});

test("the sample's patches, cover letters and reviews are not noise", () => {
  for (const id of [
    '20260105-of-for-each-compatible-scoped-v1-0-24e99c177164@oss.qualcomm.com', // cover letter
    '20260110143300.71048-4-gnoack3000@gmail.com', // patch
    '20260106100429.00001852@huawei.com', // review with a Reviewed-by
    '20260105105433.5b875ce3@mordecai', // review
    '20260105073621-mutt-send-email-mst@kernel.org', // discussion
  ]) assert.equal(verdict(sampleRaw(id)), undefined, id);
});

test('bots by address: the first matching rule names the bot', () => {
  const cases: [string, string][] = [
    ['lkp@intel.com', 'kernel test robot report'],
    ['syzbot+3f1e2a9c0b3d4e5f6a7b@syzkaller.appspotmail.com', 'syzbot report'],
    ['syzkaller@googlegroups.com', 'syzbot report'],
    ['patchwork-bot+netdevbpf@kernel.org', 'patchwork-bot notification'],
    ['pr-tracker-bot@kernel.org', 'pr-tracker-bot notification'],
    ['bot+bpf-ci@kernel.org', 'BPF CI bot report'],
    ['bot@kernelci.org', 'KernelCI report'],
    ['noreply@github.com', 'automated sender'],
    ['no-reply@example.org', 'automated sender'],
    ['do-not-reply@example.org', 'automated sender'],
    ['bugzilla-daemon@kernel.org', 'bug tracker notification'],
    ['ci@example.org', 'CI bot report'],
    ['ci-bot@example.org', 'CI bot report'],
    ['ci_notify@linaro.org', 'CI bot report'],
    ['intel-gfx-ci@example.org', 'CI bot report'],
    ['linux-kernel-bot@example.org', 'build bot report'],
    ['kbuild@example.org', 'build bot report'],
    ['kbuild-all@lists.01.org', 'build bot report'],
  ];
  for (const [email, reason] of cases) assert.equal(botReason(email, 'Some Name'), reason, email);
});

test('bots by name, and people who only look like one', () => {
  assert.equal(botReason('x@example.org', 'kernel test robot'), 'kernel test robot report');
  assert.equal(botReason('x@example.org', 'Kernel Test Robot'), 'kernel test robot report');
  assert.equal(botReason('x@example.org', 'syzbot'), 'syzbot report');
  assert.equal(botReason('x@example.org', 'Patchwork Integration'), 'patchwork-bot notification');
  assert.equal(botReason('x@example.org', 'Build Bot'), 'automated sender');
  for (const [email, name] of [
    ['axboe@kernel.dk', 'Jens Axboe'],
    ['abbot@example.org', 'Robert Abbot'], // "bot" inside a word
    ['pr-tracker@kernel.org', 'Tracker'], // no -bot
    ['lkp@intel.com.evil.org', 'X'], // not lkp@intel.com itself
    ['xlkp@intel.com', 'X'],
    ['mci@example.org', 'Marco'], // "ci@" must start the address
    ['cit@example.org', 'X'],
    ['my-patchwork-bot@example.org', 'X'], // patchwork-bot must start it
    ['bugzilla@kernel.org', 'X'],
    ['kbuilder@example.org', 'X'],
    ['noreply.person@example.org', 'X'],
    ['bot-fan@example.org', 'Nobot Person'],
  ]) assert.equal(botReason(email, name), undefined, `${name} <${email}>`);
});

test('a bot sender is noise whatever it says', () => {
  assert.equal(verdict(mail('kernel test robot <lkp@intel.com>', '[linux-next:master] BUILD REGRESSION 1234abcd')), 'kernel test robot report');
  assert.equal(verdict(mail('syzbot <syzbot+0123456789abcdef0123@syzkaller.appspotmail.com>', '[syzbot] [mm?] KASAN: use-after-free Read in foo')), 'syzbot report');
});

test('stable-tree traffic by subject', () => {
  const person = 'Greg Kroah-Hartman <gregkh@linuxfoundation.org>';
  assert.equal(verdict(mail('Sasha Levin <sashal@kernel.org>', '[PATCH AUTOSEL 6.18-6.1] block: fix x')), 'AUTOSEL stable backport');
  assert.equal(verdict(mail(person, '[PATCH 6.12 012/150] ext4: fix y')), 'stable review');
  assert.equal(verdict(mail(person, '  [PATCH 5.15 1/3] ext4: fix y')), 'stable review');
  assert.equal(verdict(mail(person, '[PATCH 6.18 000/312] 6.18.4-rc1 review')), 'stable review');
  assert.equal(verdict(mail('Tester <t@example.org>', 'Re: [PATCH 6.18 000/312] 6.18.4-rc1 review')), 'stable review');
  assert.equal(verdict(mail(person, 'FAILED: patch "[PATCH] mm: fix z" failed to apply to 6.1-stable tree')), 'stable tree notification');
  assert.equal(verdict(mail(person, 'Re: FAILED: patch "[PATCH] mm: fix z" failed to apply to 6.1-stable tree')), 'stable tree notification');
  assert.equal(verdict(mail(person, 'Patch "mm: fix z" has been added to the 6.6-stable tree')), 'stable tree notification');
  assert.equal(verdict(mail(person, 'Re: Patch "mm: fix z" has been added to the 6.6-stable tree')), 'stable tree notification');
  assert.equal(verdict(mail(person, 'Re: re: Patch "mm: fix z" has been added to the 6.6-stable tree')), 'stable tree notification');
  // Not stable traffic: a series patch, a version in a title, an "rc review" elsewhere in a word.
  assert.equal(verdict(mail(person, '[PATCH 1/3] ext4: fix y')), undefined);
  assert.equal(verdict(mail(person, '[PATCH v2 3/5] mm: 6.1 regression fix')), undefined);
  assert.equal(verdict(mail(person, 'AUTOSELECT is not a tag')), undefined);
  assert.equal(verdict(mail(person, '6.19-rc4 reviewers wanted')), undefined);
});

// Was a real bug (found by this file): the stable rule matched "FAILED" in any case at the start of any
// subject, so a person's report titled "Failed to boot ..." was hidden as stable-tree noise.
test('a person\'s bug report whose subject starts with "Failed" is not stable-tree noise', () => {
  assert.equal(verdict(mail('A User <user@example.org>', 'Failed to boot 6.19-rc4 on a ThinkPad')), undefined);
  assert.equal(verdict(mail('A User <user@example.org>', 'Re: failed to resume from suspend since 6.18')), undefined);
});

test('auto-replies by header or subject', () => {
  assert.equal(verdict(mail('A <a@example.org>', 'Re: x', 'Hi\n', 'Auto-Submitted: auto-replied\n')), 'out-of-office or auto-reply');
  assert.equal(verdict(mail('A <a@example.org>', 'x', 'Hi\n', 'Auto-Submitted: auto-generated\n')), 'out-of-office or auto-reply');
  assert.equal(verdict(mail('A <a@example.org>', 'x', 'Hi\n', 'X-Autoreply: yes\n')), 'out-of-office or auto-reply');
  assert.equal(verdict(mail('A <a@example.org>', 'Out of Office: back on Monday')), 'out-of-office or auto-reply');
  assert.equal(verdict(mail('A <a@example.org>', 'Out of the office')), 'out-of-office or auto-reply');
  assert.equal(verdict(mail('A <a@example.org>', 'Automatic reply: x')), 'out-of-office or auto-reply');
  assert.equal(verdict(mail('A <a@example.org>', 'Autoreply: x')), 'out-of-office or auto-reply');
  assert.equal(verdict(mail('A <a@example.org>', 'Auto-reply: x')), 'out-of-office or auto-reply');
  assert.equal(verdict(mail('A <a@example.org>', 'Abwesenheit')), 'out-of-office or auto-reply');
  // Every list copy carries Precedence: bulk, and Auto-Submitted: no is a person.
  assert.equal(verdict(mail('A <a@example.org>', 'x', 'Hi\n', 'Precedence: bulk\nAuto-Submitted: no\n')), undefined);
  assert.equal(verdict(mail('A <a@example.org>', 'Re: the office move')), undefined);
});

test('"applied, thanks" notes: short own text saying so; a long or quoting reply is not one', () => {
  const from = 'Maintainer <m@example.org>';
  const quoted = '> '.concat('quoted line\n> '.repeat(50));
  assert.equal(verdict(mail(from, 'Re: [PATCH] x', 'Applied, thanks!\n')), '"applied, thanks" note');
  assert.equal(verdict(mail(from, 'RE: [PATCH] x', 'Queued to for-next.\n')), '"applied, thanks" note');
  assert.equal(verdict(mail(from, 're: [PATCH] x', 'Pushed into the tree\n')), '"applied, thanks" note');
  assert.equal(verdict(mail(from, 'Re: [PATCH] x', 'Merged thank you\n')), '"applied, thanks" note');
  assert.equal(verdict(mail(from, 'Re: [PATCH] x', 'Picked up to fixes\n')), '"applied, thanks" note');
  assert.equal(verdict(mail(from, 'Re: [PATCH] x', `On Mon, A wrote:\n${quoted}\n\nApplied to block-6.19, thanks!\n\n-- \nM\n`)), '"applied, thanks" note', 'quote and attribution are not own text');
  assert.equal(verdict(mail(from, 'Re: [PATCH] x', 'Reviewed-by: Maintainer <m@example.org>\n\nApplied, thanks\n')), '"applied, thanks" note', 'a trailer is not own text');
  assert.equal(verdict(mail(from, 'Re: [PATCH] x', '   \t\nApplied, thanks   \n')), '"applied, thanks" note');
  // Not a note.
  assert.equal(verdict(mail(from, '[PATCH] x', 'Applied, thanks!\n')), undefined, 'only replies');
  assert.equal(verdict(mail(from, 'Re: [PATCH] x', 'Applied. But this breaks the build on arm64, thanks to the missing include.\n'.replace('Applied.', 'Applied.\n'))), undefined, 'the words must be in one sentence');
  assert.equal(verdict(mail(from, 'Re: [PATCH] x', `Applied, thanks. ${'But we still need to talk about the locking here. '.repeat(13)}\n`)), undefined, 'own text of 600 characters or more is a real reply');
  assert.equal(verdict(mail(from, 'Re: [PATCH] x', 'I disagree with this approach.\n')), undefined);
  assert.equal(verdict(mail(from, 'Re: [PATCH] x', '-- \nApplied, thanks\n')), undefined, 'a signature is not own text');
  assert.equal(verdict(mail(from, 'Re: [PATCH] x', 'diff --git a/x b/x\nApplied, thanks\n')), undefined, 'nor a diff');
  assert.equal(verdict(mail(from, 'Re: [PATCH] x', '> Applied, thanks\nNo.\n')), undefined, 'quoted words are not the author\'s');
  assert.equal(verdict(mail(from, 'Re: [PATCH] x', 'Applied, thanks wrote:\n')), undefined, 'an attribution line is not own text');
  assert.equal(verdict(mail(from, 'Re: [PATCH] x', 'Acked-by: Applied Thanks <a@example.org>\n')), undefined, 'a trailer is not own text');
  assert.equal(verdict(mail(from, 'Re: [PATCH] x', `${'x'.repeat(9000)}\nApplied, thanks\n`)), undefined, 'only the first 8 KiB are read');
});

// ---- survivors of the first full mutation run, killed ----

test('bot rules match at the start of the address', () => {
  for (const email of ['my-pr-tracker-bot@example.org', 'xbugzilla-daemon@example.org', 'xci_notify@example.org', 'my-linux-kernel-bot@example.org', 'mykbuild@example.org', 'xkbuild-all@example.org']) {
    assert.equal(botReason(email, 'A Person'), undefined, email);
  }
});

test('stable and auto-reply subjects: anchors and spellings', () => {
  const from = 'A <a@example.org>';
  const no = 'This breaks arm64 builds, please drop it.\n';
  assert.equal(verdict(mail(from, 'Re: [PATCH 6.12 012/150] ext4: fix y', no)), undefined, 'a reply to a stable patch may be a regression report');
  assert.equal(verdict(mail(from, 'Re: [PATCH 6.1 000/99] 6.1.160-rc12 review', no)), 'stable review');
  assert.equal(verdict(mail(from, 'selftests: fix FAILED count', no)), undefined);
  assert.equal(verdict(mail(from, 'Re: Re: FAILED: patch "[PATCH] mm: fix z" failed to apply to 6.1-stable tree', no)), 'stable tree notification');
  assert.equal(verdict(mail(from, 'AW: Patch "mm: fix z" has been added to the 6.6-stable tree', no)), 'stable tree notification');
  assert.equal(verdict(mail(from, 'ext4: care: applied', 'Applied, thanks!\n')), undefined, 'only a "Re:" at the start makes a reply');
});

test('"applied" notes: what counts as own text, read from the bytes', () => {
  const from = 'Maintainer <m@example.org>';
  const v = (body: string) => verdict(mail(from, 'Re: [PATCH] x', body));
  assert.equal(v('Update: applied to for-next, thanks\n'), '"applied, thanks" note', 'a "Word:" line is not a trailer unless the word ends in -by');
  assert.equal(v('FuZzed-by: applied to fuzz <f@example.org>\nI disagree.\n'), undefined, 'a trailer name may hold any letter');
  assert.equal(v('A-by: applied to tree, thanks\nNo.\n'), undefined, 'a four-letter trailer name');
  assert.equal(v('Stand-by applied to the tree, thanks\n'), '"applied, thanks" note', 'no colon, no trailer');
  assert.equal(v('Hi,\nApplied, thanks\n'), '"applied, thanks" note', 'a three-character line is no signature');
  assert.equal(v('-- not a signature\nApplied, thanks\n'), '"applied, thanks" note');
  assert.equal(v('  > Applied to foo, thanks\nNo.\n'), undefined, 'quoted after indentation');
  assert.equal(v('Applied to it, thanks wrote:   \n> q\nNo.\n'), undefined, 'an attribution line with trailing spaces');
  assert.equal(v(`${'\n'.repeat(700)}Applied, thanks\n`), '"applied, thanks" note', 'blank lines are not text');
  assert.equal(v('Applied\nthanks!\n'), '"applied, thanks" note', 'lines joined with a space');
  assert.equal(v('Queued\nto the tree\n'), '"applied, thanks" note');
  // The 600-character limit is on the own text joined: 599 is a note, 600 is not.
  const note = (n: number) => `Applied, thanks${'!'.repeat(n - 'Applied, thanks'.length)}\n`;
  assert.equal(v(note(599)), '"applied, thanks" note');
  assert.equal(v(note(600)), undefined);
  const twoLines = (n: number) => `Applied, thanks${'!'.repeat(n - 'Applied, thanks'.length - 4)}\nOK.\n`;
  assert.equal(v(twoLines(599)), '"applied, thanks" note', 'two lines of 594 and 3 characters joined: 599');
  assert.equal(v(twoLines(600)), undefined);
});
