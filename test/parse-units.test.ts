import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentHash, listsOf, parseMessageHeaders } from '../lambdas/parse/message.js';
import { isListAddress, peopleIn, person } from '../lambdas/parse/people.js';
import { MAX_SPLIT_CHARS, splitBody } from '../lambdas/parse/body.js';
import { sampleRaw } from './sample-raw.js';

/**
 * Fast unit tests of lambdas/parse: real messages of the bundled sample (raw bytes found by id
 * without the project's reader) with every expected value read off the message by hand, and small
 * hand-written messages for the shapes the sample lacks.
 */

const parse = (raw: Buffer | string, options = {}) => parseMessageHeaders(typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw, options);

test("Krzysztof Kozlowski's of/treewide cover letter: ids, folded subject, date in UTC, change-id, lists, people", () => {
  const id = '20260105-of-for-each-compatible-scoped-v1-0-24e99c177164@oss.qualcomm.com';
  const h = parse(sampleRaw(id));
  const m = h.message;
  assert.equal(m.messageId, id);
  assert.equal(h.missingMessageId, false);
  assert.equal(m.subject, '[PATCH 00/11] of/treewide: Simplify with for_each_compatible_node_scoped()');
  assert.deepEqual(m.from, { name: 'Krzysztof Kozlowski', email: 'krzysztof.kozlowski@oss.qualcomm.com' });
  assert.equal(m.date, '2026-01-05T13:33:38.000Z', 'Mon, 05 Jan 2026 14:33:38 +0100');
  assert.equal(m.dateProblem, undefined);
  assert.equal(m.inReplyTo, undefined);
  assert.deepEqual(m.references, []);
  assert.equal(h.changeId, '20260105-of-for-each-compatible-scoped-285b3dbda253');
  assert.deepEqual(h.deliveryLists, ['linux-pm@vger.kernel.org']);
  assert.deepEqual(m.lists, [
    'devicetree@vger.kernel.org', 'dmaengine@vger.kernel.org', 'imx@lists.linux.dev', 'linux-arm-kernel@lists.infradead.org', 'linux-clk@vger.kernel.org',
    'linux-kernel@vger.kernel.org', 'linux-media@vger.kernel.org', 'linux-pm@vger.kernel.org', 'linux-samsung-soc@vger.kernel.org', 'linuxppc-dev@lists.ozlabs.org', 'llvm@lists.linux.dev',
  ]);
  assert.equal(m.to.length, 32);
  assert.deepEqual(m.to[0], { name: 'Miguel Ojeda', email: 'ojeda@kernel.org' });
  assert.ok(m.to.some((p) => p.name === 'Christophe Leroy (CS GROUP)' && p.email === 'chleroy@kernel.org'));
  assert.ok(m.to.some((p) => p.email === 'nick.desaulniers+lkml@gmail.com'));
  assert.deepEqual(m.to[31], { name: 'Viresh Kumar', email: 'viresh.kumar@linaro.org' });
  assert.equal(m.cc.length, 13);
  assert.deepEqual(m.cc[11], { name: 'Jonathan Cameron', email: 'jonathan.cameron@huawei.com' });
  assert.equal(m.url, `https://lore.kernel.org/r/${id}`);
  assert.ok(h.autoHeaders.includes('precedence: bulk'), 'the list adds Precedence: bulk');
  assert.deepEqual(h.reviewTrailers, []);
  // toJSON writes the lazily read fields as fields.
  const json = JSON.parse(JSON.stringify(m));
  assert.equal(json.to.length, 32);
  assert.equal(json.url, m.url);
  assert.deepEqual(json.lists, m.lists);
});

test("Jonathan Cameron's review: References and In-Reply-To, a folded Cc with quoted names, his Reviewed-by", () => {
  const h = parse(sampleRaw('20260106100429.00001852@huawei.com'));
  const m = h.message;
  assert.equal(m.subject, 'Re: [PATCH 02/11] ARM: at91: Simplify with scoped for each OF child loop');
  assert.equal(m.inReplyTo, '20260105-of-for-each-compatible-scoped-v1-2-24e99c177164@oss.qualcomm.com');
  assert.deepEqual(m.references, ['20260105-of-for-each-compatible-scoped-v1-0-24e99c177164@oss.qualcomm.com', '20260105-of-for-each-compatible-scoped-v1-2-24e99c177164@oss.qualcomm.com']);
  assert.equal(m.date, '2026-01-06T10:04:29.000Z');
  assert.deepEqual(m.to, [{ name: 'Krzysztof Kozlowski', email: 'krzysztof.kozlowski@oss.qualcomm.com' }]);
  assert.ok(m.cc.some((p) => p.name === 'Saravana Kannan' && p.email === 'saravanak@google.com'), 'a quoted name folded over two lines');
  assert.ok(m.cc.some((p) => p.name === 'Alim Akhtar' && p.email === 'alim.akhtar@samsung.com'));
  assert.ok(m.cc.some((p) => p.name === 'Rafael J. Wysocki' && p.email === 'rafael@kernel.org'));
  assert.deepEqual(h.reviewTrailers, [{ kind: 'reviewed-by', email: 'jonathan.cameron@huawei.com' }]);
  assert.equal(h.changeId, undefined);
});

test("Günther Noack's patch: encoded-word names decoded; a Signed-off-by is no review", () => {
  const h = parse(sampleRaw('20260110143300.71048-4-gnoack3000@gmail.com'));
  const m = h.message;
  assert.deepEqual(m.from, { name: 'Günther Noack', email: 'gnoack3000@gmail.com' });
  assert.deepEqual(m.to[0], { name: 'Mickaël Salaün', email: 'mic@digikod.net' });
  assert.deepEqual(m.to[3], { name: 'Serge E . Hallyn', email: 'serge@hallyn.com' });
  assert.ok(m.cc.some((p) => p.email === 'konstantin.meskhidze@huawei.com' && p.name === 'konstantin.meskhidze'), 'a bare address is named by its local part');
  assert.equal(m.date, '2026-01-10T14:32:57.000Z');
  assert.equal(m.subject, '[PATCH v2 1/5] lsm: Add hook unix_path_connect');
  assert.deepEqual(h.reviewTrailers, []);
  assert.deepEqual(m.lists, ['linux-security-module@vger.kernel.org', 'netdev@vger.kernel.org']);
});

test("Jens Axboe's b4 thank-you: Message-Id spelled so, Date in -0700", () => {
  const h = parse(sampleRaw('176796707483.352942.3630670392140403614.b4-ty@kernel.dk'));
  assert.equal(h.message.messageId, '176796707483.352942.3630670392140403614.b4-ty@kernel.dk');
  assert.equal(h.message.date, '2026-01-09T13:57:54.000Z');
  assert.equal(h.message.subject, 'Re: [PATCH v2 0/3] block: zero non-PI portion of auto integrity buffer');
  assert.deepEqual(h.message.references, ['20260108172212.1402119-1-csander@purestorage.com']);
});

test('hand-written headers: no Message-ID, a self-reference, a bad Date, auto headers, trailers quoted and not', () => {
  const text = [
    'From: "Doe, Jane" <Jane.Doe@Example.ORG>',
    'Subject: =?UTF-8?q?caf=C3=A9?= crash',
    'Date: not a date at all',
    'In-Reply-To: <self@x>',
    'References: <a@x> <self@x>',
    ' <b@x>',
    'Auto-Submitted: Auto-Replied',
    'X-Autoreply: yes',
    'X-Mailing-List: <linux-mm@kvack.org>, linux-kernel@vger.kernel.org',
    'List-Id: <ignored.vger.kernel.org>',
    '',
    'Hello.',
    '> Reviewed-by: Quoted Person <quoted@example.org>',
    'Reviewed-by: Jane Doe <jane.doe@example.org>',
    'Acked-by: Jane Doe <JANE.DOE@example.org>',
    'Tested-by: Jane Doe <jane.doe@example.org>',
    'NACKed-by: Jane Doe <jane.doe@example.org>',
    'Nacked-by: Jane Doe <jane.doe@example.org>',
    'Suggested-by: Jane Doe <jane.doe@example.org>',
    'change-id: 20260101-body-change-id-abc',
    '',
  ].join('\n');
  const h = parse(text);
  const m = h.message;
  assert.equal(h.missingMessageId, true);
  assert.equal(m.messageId, `sha256-${contentHash(Buffer.from(text, 'latin1'))}@kernel-news.invalid`);
  assert.equal(m.sha256, contentHash(Buffer.from(text, 'latin1')));
  assert.deepEqual(m.from, { name: 'Doe, Jane', email: 'jane.doe@example.org' });
  assert.equal(m.subject, 'café crash');
  assert.equal(m.date, undefined);
  assert.match(m.dateProblem!, /unreadable Date header "not a date at all"/);
  assert.equal(m.inReplyTo, 'self@x');
  assert.deepEqual(m.references, ['a@x', 'self@x', 'b@x']);
  assert.deepEqual(h.autoHeaders, ['auto-submitted: auto-replied', 'x-autoreply: yes']);
  assert.deepEqual(h.deliveryLists, ['linux-mm@kvack.org', 'linux-kernel@vger.kernel.org'], 'X-Mailing-List wins over List-Id');
  assert.deepEqual(h.reviewTrailers, [
    { kind: 'reviewed-by', email: 'jane.doe@example.org' },
    { kind: 'acked-by', email: 'jane.doe@example.org' },
    { kind: 'tested-by', email: 'jane.doe@example.org' },
    { kind: 'nacked-by', email: 'jane.doe@example.org' },
    { kind: 'nacked-by', email: 'jane.doe@example.org' },
  ]);
  assert.equal(h.changeId, '20260101-body-change-id-abc');
  assert.ok(h.bodyOffset > 0 && text.slice(h.bodyOffset).startsWith('Hello.'));
  // The message's own id is never its own parent or reference.
  const self = parse('Message-ID: <self@x>\nIn-Reply-To: <self@x>\nReferences: <a@x> <self@x>\nFrom: a@example.org\nSubject: s\n\nbody\n').message;
  assert.equal(self.inReplyTo, undefined);
  assert.deepEqual(self.references, ['a@x']);
});

test('hand-written headers: List-Id when there is no X-Mailing-List; no From; CRLF line ends; no recipients read', () => {
  const h = parse('Message-ID: <x@y>\r\nSubject: s\r\nList-Id: Linux MM <linux-mm.kvack.org>\r\nTo: a@example.org\r\nCc: Netdev <netdev@vger.kernel.org>, b@example.org\r\n\r\nbody\r\n');
  assert.deepEqual(h.deliveryLists, ['linux-mm.kvack.org']);
  assert.deepEqual(h.message.from, { name: 'unknown sender', email: 'unknown@invalid' });
  assert.equal(h.message.dateProblem, 'no Date header');
  assert.deepEqual(h.message.lists, ['linux-mm.kvack.org', 'netdev@vger.kernel.org']);
  assert.deepEqual(h.message.cc.map((p) => p.email), ['netdev@vger.kernel.org', 'b@example.org']);
  const bare = parse('Message-ID: <x@y>\nFrom: a@example.org\nTo: b@example.org, linux-kernel@vger.kernel.org\nList-Id: <l.vger.kernel.org>\n\nReviewed-by: A <a@example.org>\nchange-id: c1\n', { recipients: false });
  assert.deepEqual(bare.deliveryLists, []);
  assert.throws(() => bare.message.to, /"to" was not read/);
  assert.throws(() => bare.message.cc, /"cc" was not read/);
  assert.throws(() => bare.message.lists, /"lists" was not read/);
  assert.deepEqual(bare.reviewTrailers, [{ kind: 'reviewed-by', email: 'a@example.org' }]);
  assert.equal(bare.changeId, 'c1');
  // Assigned fields replace the lazily read ones.
  bare.message.to = [person('B', 'b@example.org')];
  bare.message.cc = [];
  bare.message.lists = ['l@vger.kernel.org'];
  bare.message.url = 'https://example.org/m';
  assert.deepEqual([bare.message.to, bare.message.cc, bare.message.lists, bare.message.url], [[{ name: 'B', email: 'b@example.org' }], [], ['l@vger.kernel.org'], 'https://example.org/m']);
  // A given hash is kept; an X-Change-ID header wins over the body's.
  const given = parse('Message-ID: <x@y>\nX-Change-ID: head-id\nFrom: a@example.org\n\nchange-id: body-id\n', { sha256: 'abc' });
  assert.equal(given.message.sha256, 'abc');
  assert.equal(given.changeId, 'head-id');
});

test('list addresses in To and Cc: only list hosts, in runs of address characters', () => {
  const m = parse('Message-ID: <x@y>\nFrom: a@example.org\nTo: "LKML" <LINUX-KERNEL@vger.kernel.org>, person@example.org\nCc: x@kvack.org.evil.com, linux-mm@kvack.org;foo@lists.linux.dev , dri-devel@lists.freedesktop.org, a@b@lists.linaro.org\n\nbody\n').message;
  assert.deepEqual(m.lists, ['b@lists.linaro.org', 'dri-devel@lists.freedesktop.org', 'foo@lists.linux.dev', 'linux-kernel@vger.kernel.org', 'linux-mm@kvack.org']);
});

test('trailers and change-id lines are read only where they are', () => {
  // A "-by:" word that is not a trailer, a change-id inside a line, trailers far down a long body.
  const long = `Message-ID: <x@y>\nFrom: a@example.org\n\nstand-by: mode\nnot a change-id: here\n${'x'.repeat(300 * 1024)}\nReviewed-by: Late <late@example.org>\n`;
  const h = parse(long);
  assert.deepEqual(h.reviewTrailers, [], 'the body scan reads the first 256 KiB only');
  assert.equal(h.changeId, undefined);
  const headerColons = parse('Message-ID: <x@y>\nFrom: a@example.org\nReviewed-by: In <header@example.org>\n\nbody\n');
  assert.deepEqual(headerColons.reviewTrailers, [], 'a header named like a trailer is not a trailer');
  const crlf = parse('Message-ID: <x@y>\r\nFrom: a@example.org\r\n\r\nAcked-by: A <a@example.org>\r\nchange-id: 20260101-crlf\r\n');
  assert.deepEqual(crlf.reviewTrailers, [{ kind: 'acked-by', email: 'a@example.org' }]);
  assert.equal(crlf.changeId, '20260101-crlf');
});

test('listsOf: X-Mailing-List addresses, else List-Id ids, lower-cased', () => {
  assert.deepEqual(listsOf(['Linux-Block@vger.kernel.org'], ['<other.vger.kernel.org>']), ['linux-block@vger.kernel.org']);
  assert.deepEqual(listsOf(undefined, ['Linux block <Linux-Block.vger.kernel.org>']), ['linux-block.vger.kernel.org']);
  assert.deepEqual(listsOf(['no address here'], ['no brackets']), []);
  assert.deepEqual(listsOf(undefined, undefined), []);
});

test('people: plain, quoted, encoded, grouped and odd address headers', () => {
  assert.deepEqual(peopleIn('Jens Axboe <axboe@kernel.dk>'), [{ name: 'Jens Axboe', email: 'axboe@kernel.dk' }]);
  assert.deepEqual(peopleIn('"Michael S. Tsirkin" <mst@redhat.com>'), [{ name: 'Michael S. Tsirkin', email: 'mst@redhat.com' }]);
  assert.deepEqual(peopleIn('Viresh.Kumar@Linaro.org'), [{ name: 'viresh.kumar', email: 'viresh.kumar@linaro.org' }]);
  assert.deepEqual(peopleIn('=?UTF-8?q?G=C3=BCnther=20Noack?= <gnoack3000@gmail.com>'), [{ name: 'Günther Noack', email: 'gnoack3000@gmail.com' }]);
  assert.deepEqual(peopleIn('Team: A <a@example.org>, b@example.org;, C <c@example.org>'), [
    { name: 'A', email: 'a@example.org' }, { name: 'b', email: 'b@example.org' }, { name: 'C', email: 'c@example.org' },
  ]);
  assert.deepEqual(peopleIn('  Odd   Spacing  <odd@example.org>  ,   undisclosed-recipients:;'), [{ name: 'Odd Spacing', email: 'odd@example.org' }]);
  assert.deepEqual(peopleIn("'Single Quoted' <sq@example.org>, Name With At a@b <na@example.org>"), [{ name: 'Single Quoted', email: 'sq@example.org' }, { name: 'na', email: 'na@example.org' }]);
  assert.deepEqual(peopleIn(''), []);
  assert.deepEqual(peopleIn(undefined), []);
  assert.deepEqual(peopleIn('not an address'), []);
  assert.deepEqual(person('=?bogus?x?zz?=', 'A@B.org'), { name: '=?bogus?x?zz?=', email: 'a@b.org' });
  assert.deepEqual(person('', ' X@Y.org '), { name: 'x', email: 'x@y.org' });
  assert.equal(isListAddress('linux-kernel@vger.kernel.org'), true);
  assert.equal(isListAddress('LINUX-MM@KVACK.ORG'), true);
  assert.equal(isListAddress('linux-arm-kernel@lists.infradead.org'), true);
  assert.equal(isListAddress('someone@kernel.org'), false);
  assert.equal(isListAddress('x@vger.kernel.org.example.com'), false);
  assert.equal(isListAddress('x@vgerXkernel.org'), false, 'dots are dots');
});

test('splitBody: a real review reply taken apart (own words, quote with its attribution, trailers, signature)', () => {
  const body = [
    'On Mon, 05 Jan 2026 14:33:38 +0100',
    'Krzysztof Kozlowski <krzysztof.kozlowski@oss.qualcomm.com> wrote:',
    '',
    '> Use scoped for-each loop when iterating over device nodes to make code',
    '> a bit simpler.',
    '> ',
    '> Signed-off-by: Krzysztof Kozlowski <krzysztof.kozlowski@oss.qualcomm.com>',
    'Reviewed-by: Jonathan Cameron <jonathan.cameron@huawei.com>',
    '',
    'NAK to the second hunk, though.',
    '',
    '',
    '-- ',
    'Jonathan',
  ].join('\r\n');
  const b = splitBody(body);
  assert.equal(b.own, 'NAK to the second hunk, though.');
  assert.equal(b.quoted.split('\n').length, 6, 'two attribution lines and four quoted');
  assert.equal(b.signature, 'Jonathan');
  assert.deepEqual(b.trailers, [{ kind: 'reviewed-by', value: 'Jonathan Cameron <jonathan.cameron@huawei.com>', person: { name: 'Jonathan Cameron', email: 'jonathan.cameron@huawei.com' } }]);
  assert.equal(b.naks, 1);
  assert.equal(b.patch, '');
});

test('splitBody: a patch with its diffstat, files and trailers; the diff is not own words', () => {
  const body = [
    'Add a helper for the scoped loop.',
    '',
    'Signed-off-by: A Developer <dev@example.org>',
    'Nak-by: Someone <s@example.org>',
    'Link: https://lore.kernel.org/r/x',
    '---',
    ' include/linux/of.h | 7 +++++++',
    ' drivers/foo.c      | 2 +-',
    ' 2 files changed, 8 insertions(+), 1 deletion(-)',
    '',
    'diff --git a/include/linux/of.h b/include/linux/of.h',
    '--- a/include/linux/of.h',
    '+++ b/include/linux/of.h',
    '@@ -1 +1,2 @@',
    '+#define x',
    '-- ',
    '2.43.0',
  ].join('\n');
  const b = splitBody(body);
  assert.equal(b.own, 'Add a helper for the scoped loop.');
  assert.deepEqual(b.files, ['include/linux/of.h', 'drivers/foo.c']);
  assert.equal(b.diffstat.split('\n').length, 3);
  assert.match(b.patch, /^diff --git a\/include\/linux\/of\.h/);
  assert.ok(b.patch.includes('+#define x'));
  assert.equal(b.signature, '2.43.0');
  assert.deepEqual(b.trailers.map((t) => [t.kind, t.person?.email]), [['signed-off-by', 'dev@example.org'], ['nacked-by', 's@example.org'], ['link', undefined]]);
  assert.equal(b.naks, 1);
  // A unified diff without "diff --git" (quilt): "--- a/" followed by "+++ ".
  const quilt = splitBody('Text.\n--- a/x.c\n+++ b/x.c\n@@ -1 +1 @@\n-a\n+b\n');
  assert.equal(quilt.own, 'Text.');
  assert.deepEqual(quilt.files, ['x.c']);
  // "--- a/" not followed by "+++ " is prose.
  assert.equal(splitBody('--- a/b is a path\nmore').own, '--- a/b is a path\nmore');
});

test('splitBody: Outlook-style original message, one-line attributions, blank runs, very long bodies', () => {
  const outlook = splitBody('Thanks, will fix.\n\n-----Original Message-----\nFrom: x\nSubject: y\nbody of the original\n');
  assert.equal(outlook.own, 'Thanks, will fix.');
  assert.ok(outlook.quoted.includes('body of the original'));
  const oneLine = splitBody('On Tue, Jan 6, 2026 at 10:00 AM Jan Kara <jack@suse.cz> wrote:\n> quoted\nAgreed.\n\n\n\nSecond paragraph.\n\n');
  assert.equal(oneLine.own, 'Agreed.\n\nSecond paragraph.');
  const notAttribution = splitBody('He wrote: nothing quoted follows\nplain');
  assert.equal(notAttribution.own, 'He wrote: nothing quoted follows\nplain');
  const huge = splitBody(`${'a'.repeat(MAX_SPLIT_CHARS)}TAIL`);
  assert.equal(huge.own.length, MAX_SPLIT_CHARS, 'cut at MAX_SPLIT_CHARS');
  assert.equal(splitBody('line\n--\nsig').signature, 'sig', 'a "--" line without the space starts a signature too');
  assert.equal(splitBody('Nacked, this breaks x.').naks, 1);
  assert.equal(splitBody('This is a NAK-free zone: re-NAKed-by nobody').naks, 0);
});

test('a Date far in the future is implausible: no date, and the problem said', () => {
  const h = parse('Message-ID: <x@y>\nFrom: a@example.org\nDate: Mon, 5 Jan 2099 10:00:00 +0000\n\nbody\n');
  assert.equal(h.message.date, undefined);
  assert.match(h.message.dateProblem!, /implausible Date header "Mon, 5 Jan 2099 10:00:00 \+0000"/);
});
