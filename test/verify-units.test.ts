import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findPiece, fold, normaliseSpace, onWordBoundaries, quotedSegments, quotePieces, sentenceSpans, shownCuts, words } from '../lambdas/verify/text.js';
import { addCounts, checkQuote, hasRemovals, isOwnWords, unknownPeople, verifyStory } from '../lambdas/verify/verify.js';
import { isBotSender, ownWords, topicMaterial, weekSenders, type MaterialMessage, type TopicMaterial } from '../lambdas/verify/material.js';
import type { MessageBody, ParsedMessage, Person, Story, Topic, WeekAnalysis } from '../lambdas/model.js';

/**
 * Fast unit tests of lambdas/verify/text.ts: the whole-words rule of the CONTRACT's quote check,
 * stated from outside (a quote that starts or ends inside a word changes what was said, unless it
 * shows the cut with "..."), on a sentence of the sample (Stephen Rothwell's linux-next report).
 */
const source = 'Clearly, arch/x86/include/asm/sev.h and arch/x86/coco/sev/internal.h assume some header files are included before them';

test('a quote cut inside a word is not on word boundaries, unless the cut is shown', () => {
  const at = (piece: string) => source.indexOf(piece);
  const span = (piece: string) => [at(piece), at(piece) + piece.length] as const;
  assert.equal(onWordBoundaries(source, ...span('assume some header')), true);
  assert.equal(onWordBoundaries(source, ...span('assume some head')), false, 'ends inside "header"');
  assert.equal(onWordBoundaries(source, ...span('ssume some header')), false, 'starts inside "assume"');
  assert.equal(onWordBoundaries(source, ...span('assume some head'), { end: true }), true, 'the cut at the end is shown');
  assert.equal(onWordBoundaries(source, ...span('ssume some header'), { start: true }), true, 'the cut at the start is shown');
  assert.equal(onWordBoundaries(source, ...span('ssume some head'), { start: true }), false, 'only the start cut is shown');
  assert.equal(onWordBoundaries(source, ...span('ssume some head'), { end: true }), false, 'only the end cut is shown');
  assert.equal(onWordBoundaries(source, 0, source.length), true, 'the whole text');
  assert.equal(onWordBoundaries(source, ...span('Clearly')), true);
});

test('findPiece with whole words skips an occurrence inside a word for a later whole one', () => {
  const text = 'the buffers are full; the buf is empty';
  assert.deepEqual(findPiece(text, 'the buf', 0, {}), { text: 'the buf', start: 22, end: 29, exact: true });
  assert.equal(findPiece('the buffers are full', 'the buf', 0, {}), undefined);
  assert.equal(findPiece('the buffers are full', 'the buf', 0, { end: true })?.start, 0);
  assert.deepEqual(shownCuts('...the buffer'), { start: true, end: false });
  assert.deepEqual(shownCuts('"the buffer\u2026"'), { start: false, end: true });
});

test('text helpers: folding keeps length, pieces split on every ellipsis form, sentences do not end at initials or abbreviations', () => {
  const typographic = '\u201cDon\u2019t\u201d \u2014 it\u2013s ALL\u00a0fine `x\u00b4';
  assert.equal(fold(typographic), '"don\'t" - it-s all fine \'x\'');
  assert.equal(fold(typographic).length, typographic.length, 'one unit in, one out');
  assert.equal(fold('\u0130'), '\u0130', 'a letter whose lower case is longer stays as it is');
  assert.equal(normaliseSpace('  a \t\n b  '), 'a b');
  assert.deepEqual(quotePieces('one two ... three [...] four\u2026 five [ \u2026 ] six'), ['one two', 'three', 'four', 'five', 'six']);
  assert.deepEqual(quotePieces(' ... '), []);
  assert.deepEqual(shownCuts('[...] the buffer'), { start: true, end: false });
  assert.deepEqual(shownCuts('the buffer [\u2026]'), { start: false, end: true });
  assert.deepEqual(shownCuts('the ... buffer'), { start: false, end: false }, 'an inner ellipsis joins pieces, it is no cut at an edge');
  assert.deepEqual(words('a -- b, 42 !'), ['a', 'b,', '42']);
  const prose = 'Michael S. Tsirkin replied, e.g. with a patch. Then Jens applied it. Done';
  const spans = sentenceSpans(prose).map(([a, b]) => prose.slice(a, b).trim());
  assert.deepEqual(spans, ['Michael S. Tsirkin replied, e.g. with a patch.', 'Then Jens applied it.', 'Done']);
  const quoted = 'He said "it works. Ship it." and left.';
  assert.deepEqual(sentenceSpans(quoted, [[8, 28]]).length, 1, 'no break inside a protected quote');
  assert.deepEqual(quotedSegments('a \u201cone\u201d b "two" c ""'), [{ start: 2, end: 7, inner: 'one' }, { start: 10, end: 15, inner: 'two' }, { start: 18, end: 20, inner: '' }]);
});

/** A hand-built topic: two messages of the sample's linux-next report thread, words as written. */
const stephen: Person = { name: 'Stephen Rothwell', email: 'sfr@canb.auug.org.au' };
const boris: Person = { name: 'Borislav Petkov', email: 'bp@alien8.de' };
const stranger: Person = { name: 'Walter Unrelated', email: 'walter@example.org' };
function message(ref: string, from: Person, own: string): MaterialMessage {
  return { messageId: `${ref}@kernel-news.test`, ref, from, subject: 'linux-next: build failure', url: `https://lore.kernel.org/r/${ref}@kernel-news.test`, own, trailers: [], diffstat: '', files: [], hasPatch: false, naks: 0 };
}
const report = message('m1', stephen, `${source}. I have reverted that commit for today.`);
const reply = message('m2', boris, 'Thanks, I will fix the include order in the tip tree tomorrow.');
const topic = { id: 't-1', title: 'linux-next: build failure after merge of the tip tree', score: 1, reasons: [], threadIds: [], messageIds: [report.messageId, reply.messageId], participants: [stephen, boris], followUpOf: null } as unknown as Topic;
const material: TopicMaterial = { topic, messages: [report, reply], byId: new Map([[report.messageId, report], [reply.messageId, reply]]), participants: [stephen, boris], weekPeople: [stephen, boris, stranger] };
const quoteOf = (text: string, author: Person, m: MaterialMessage) => ({ text, author, messageId: m.messageId, url: m.url });

test('checkQuote: verbatim passes; case and typography are repaired to the source; wrong ids and authors are settled from the material', () => {
  const exact = checkQuote(quoteOf('I have reverted that commit for today.', stephen, report), material);
  assert.deepEqual(exact, { ok: true, repaired: false, why: undefined, quote: quoteOf('I have reverted that commit for today.', stephen, report) });
  const cased = checkQuote(quoteOf('i HAVE reverted that commit', stephen, report), material);
  assert.ok(cased.ok && cased.repaired && cased.quote.text === 'I have reverted that commit', JSON.stringify(cased));
  const wrongId = checkQuote({ ...quoteOf('I will fix the include order', boris, reply), messageId: 'elsewhere@x' }, material);
  assert.ok(wrongId.ok && wrongId.repaired && wrongId.quote.messageId === reply.messageId, JSON.stringify(wrongId));
  const unknownId = checkQuote({ ...quoteOf('I will fix the include order', stephen, reply), messageId: 'elsewhere@x' }, material);
  assert.ok(!unknownId.ok && unknownId.kind === 'unknown-message', 'the words are not that author\'s anywhere');
  const otherMouth = checkQuote(quoteOf('I will fix the include order', stephen, reply), material);
  assert.ok(!otherMouth.ok && otherMouth.kind === 'wrong-author', JSON.stringify(otherMouth));
  const oldAddress = checkQuote(quoteOf('I will fix the include order', { name: 'Borislav Petkov', email: 'bp@suse.de' }, reply), material);
  assert.ok(oldAddress.ok && oldAddress.repaired && oldAddress.quote.author.email === 'bp@alien8.de', 'same name, the message\'s address');
  const midWord = checkQuote(quoteOf('fix the include ord', boris, reply), material);
  assert.ok(!midWord.ok && midWord.kind === 'cut-word', JSON.stringify(midWord));
  const shown = checkQuote(quoteOf('fix the include ord...', boris, reply), material);
  assert.ok(shown.ok && shown.quote.text === 'fix the include ord...', 'a shown cut stays shown');
  const joined = checkQuote(quoteOf('Thanks ... tomorrow', boris, reply), material);
  assert.ok(joined.ok && !joined.repaired, 'pieces in order');
  const reversed = checkQuote(quoteOf('tomorrow ... Thanks', boris, reply), material);
  assert.ok(!reversed.ok && reversed.kind === 'not-verbatim', 'pieces out of order');
  const invented = checkQuote(quoteOf('this header mess must never happen again', stephen, report), material);
  assert.ok(!invented.ok && invented.kind === 'not-verbatim' && !invented.reportable, JSON.stringify(invented));
  const empty = checkQuote(quoteOf(' ... ', stephen, report), material);
  assert.ok(!empty.ok && empty.kind === 'not-verbatim');
});

test('verifyStory: a true quote is kept and counted, a false one goes with its sentence, strangers and empty headlines are replaced', () => {
  const story: Story = {
    topicId: 't-1',
    headline: 'Walter Unrelated Breaks the Build',
    paragraphs: [
      { text: 'Stephen Rothwell said, "I have reverted that commit for today." Borislav Petkov wrote, "this header mess must never happen again." He promised a fix.', quotes: [quoteOf('I have reverted that commit for today.', stephen, report), quoteOf('this header mess must never happen again.', boris, reply)] },
      { text: 'Walter Unrelated said the tree was fine.', quotes: [] },
    ],
  };
  const result = verifyStory(story, material);
  assert.deepEqual(result.counts, { quotes: 2, verified: 1, repaired: 0, removed: 1 });
  assert.equal(result.story.paragraphs.length, 1, 'the paragraph naming only a stranger is gone');
  const kept = result.story.paragraphs[0];
  assert.match(kept.text, /I have reverted that commit for today\./);
  assert.doesNotMatch(kept.text, /header mess/);
  assert.match(kept.text, /He promised a fix\./);
  assert.deepEqual(kept.quotes.map((q) => q.messageId), [report.messageId]);
  assert.equal(result.story.headline, topic.title);
  assert.deepEqual(result.problems.map((p) => p.kind).sort(), ['headline', 'not-verbatim', 'unknown-person']);
  const nothing = verifyStory({ topicId: 't-1', headline: '', paragraphs: [{ text: 'Walter Unrelated said so.', quotes: [] }] }, material);
  assert.deepEqual(nothing.problems.map((p) => p.kind).sort(), ['empty-story', 'headline', 'unknown-person']);
  assert.deepEqual(nothing.story.paragraphs, []);
});

test('sentences: an abbreviation or an initial before a capitalised word does not end the sentence', () => {
  // Common English abbreviations (written by hand), each followed by a capitalised word.
  for (const abbr of ['e.g.', 'i.e.', 'etc.', 'vs.', 'cf.', 'Mr.', 'Mrs.', 'Ms.', 'Dr.', 'Prof.', 'St.', 'Jr.', 'Sr.', 'approx.', 'Fig.', 'et al.', 'resp.', 'incl.', 'ca.']) {
    const prose = `Compare ${abbr} Linux on arm64 with this. Next one.`;
    assert.deepEqual(sentenceSpans(prose).map(([a, b]) => prose.slice(a, b).trim()), [`Compare ${abbr} Linux on arm64 with this.`, 'Next one.'], abbr);
  }
  const initial = 'Reviewed by J. Smith today. Done.';
  assert.equal(sentenceSpans(initial).length, 2);
  const closing = 'He wrote "it is done." Then he left. Really!';
  assert.deepEqual(sentenceSpans(closing).map(([a, b]) => closing.slice(a, b).trim()), ['He wrote "it is done."', 'Then he left.', 'Really!']);
});

test('findPiece: folding repairs only pieces of three characters or more', () => {
  assert.deepEqual(findPiece('The ABC rule', 'abc'), { text: 'ABC', start: 4, end: 7, exact: false });
  assert.equal(findPiece('The AB rule', 'ab'), undefined);
  assert.deepEqual(findPiece('I said: Fine, apply it.', '"fine, apply it"'), { text: 'Fine, apply it', start: 8, end: 22, exact: false });
});

test('ownWords: a forwarded message and a pasted automated report are not the sender\'s words', () => {
  assert.equal(ownWords('My fix.\n\n---------- Forwarded message ---------\nFrom: someone\nTheir text.'), 'My fix.');
  assert.equal(ownWords('Before.\n-----Original Message-----\nold'), 'Before.');
  const pasted = 'I looked at this.\n\nsyzbot found the following issue on:\n\nBUG: KASAN: use-after-free in foo\nline two\n\nMy answer follows.\nSecond line.';
  assert.equal(ownWords(pasted), 'I looked at this.\n\nMy answer follows.\nSecond line.');
  assert.equal(ownWords('Plain\n\n\n\ntext.'), 'Plain\n\ntext.');
});

test('verifyStory: a repaired quote is reported and counted, an unlisted quotation of a named participant is attributed, links must be the topic\'s', () => {
  const story: Story = {
    topicId: 't-1', headline: 'Include Order Breaks linux-next',
    paragraphs: [
      { text: 'Stephen Rothwell wrote, "i have reverted that commit for today." Borislav Petkov replied, "Thanks, I will fix the include order in the tip tree tomorrow."', quotes: [quoteOf('i have reverted that commit for today.', stephen, report)] },
      { text: `The report is at ${report.url} and elsewhere at https://lore.kernel.org/all/unrelated@example.org/ for now.`, quotes: [] },
    ],
  };
  const result = verifyStory(story, material);
  assert.deepEqual(result.counts, { quotes: 2, verified: 0, repaired: 2, removed: 0 });
  const [first] = result.story.paragraphs;
  assert.match(first.text, /"I have reverted that commit for today\.?"/, 'the source\'s exact case');
  assert.deepEqual(first.quotes.map((q) => q.messageId).sort(), [report.messageId, reply.messageId].sort());
  assert.deepEqual(result.problems.filter((p) => p.action === 'repaired').map((p) => p.kind).sort(), ['not-verbatim', 'unlisted-quotation']);
  const links = result.story.paragraphs[1]?.text ?? '';
  assert.ok(links.includes(report.url) || !links, 'the topic\'s own message link stays');
  assert.doesNotMatch(links, /unrelated@example\.org/);
  assert.ok(result.problems.some((p) => p.kind === 'foreign-link'));
  const near = checkQuote(quoteOf('I have reverted this commit for today.', stephen, report), material);
  assert.ok(!near.ok && near.reportable, 'one word off, right author: may stay as reported speech');
  const noAuthor = checkQuote({ text: 'I will fix the include order', messageId: reply.messageId, url: reply.url } as unknown as Parameters<typeof checkQuote>[0], material);
  assert.ok(!noAuthor.ok && noAuthor.kind === 'wrong-author', 'a quote without an author is nobody\'s');
});

test('verifyStory: the sentence around a quote decides whom the prose credits; any lore link form of a topic message stays', () => {
  const misattributed = verifyStory({ topicId: 't-1', headline: 'Reverted', paragraphs: [{
    text: 'Stephen Rothwell reported the failure. Borislav Petkov said, "I have reverted that commit for today." It was fixed later.',
    quotes: [quoteOf('I have reverted that commit for today.', stephen, report)],
  }] }, material);
  assert.equal(misattributed.counts.removed, 1, 'the second sentence gives Stephen\'s words to Borislav');
  assert.ok(misattributed.problems.some((p) => p.kind === 'wrong-author'));
  const credited = verifyStory({ topicId: 't-1', headline: 'Reverted', paragraphs: [{
    text: 'Borislav Petkov answered later. Stephen Rothwell said, "I have reverted that commit for today."',
    quotes: [quoteOf('I have reverted that commit for today.', stephen, report)],
  }] }, material);
  assert.deepEqual(credited.counts, { quotes: 1, verified: 1, repaired: 0, removed: 0 });
  const links = verifyStory({ topicId: 't-1', headline: 'Links', paragraphs: [{
    text: 'The report is at https://lore.kernel.org/all/m1@kernel-news.test/. The reply is at http://lore.kernel.org/m2%40kernel-news.test today. See https://lore.kernel.org/all/unrelated@example.org/ too. Or https://example.org/lore.kernel.org/all/m1@kernel-news.test/ maybe.',
    quotes: [],
  }] }, material);
  assert.equal(links.story.paragraphs[0].text, 'The report is at https://lore.kernel.org/all/m1@kernel-news.test/. The reply is at http://lore.kernel.org/m2%40kernel-news.test today.');
  assert.equal(links.problems.filter((p) => p.kind === 'foreign-link').length, 2);
});

// ---- topicMaterial: a hand-built week (the shape thread/analyse produces), expectations by hand ----

const robot: Person = { name: 'kernel test robot', email: 'lkp@intel.com' };
const ingo: Person = { name: 'Ingo Molnar', email: 'mingo@kernel.org' };
const lkml: Person = { name: 'Linux Kernel Mailing List', email: 'linux-kernel@vger.kernel.org' };
const robotReport = 'kernel test robot noticed the following build errors:\n\n>> arch/x86/include/asm/sev.h:12:2: error: unknown type name \'u64\'\n\nThanks';
function parsed(id: string, from: Person, date: string | undefined, extra: Partial<ParsedMessage> = {}): ParsedMessage {
  return { messageId: id, references: [], from, to: [], cc: [], lists: ['linux-kernel@vger.kernel.org'], date, subject: 'linux-next: build failure', url: `https://lore.kernel.org/r/${id}`, ...extra } as ParsedMessage;
}
const weekMessages = [
  parsed('reply@x', boris, '2026-01-06T10:00:00Z', { to: [stephen], cc: [lkml] }),
  parsed('report@x', stephen, '2026-01-05T09:00:00Z', { to: [boris] }),
  parsed('robot@x', robot, '2026-01-05T12:00:00Z'),
  parsed('undated@x', ingo, undefined),
  parsed('elsewhere@x', stranger, '2026-01-07T00:00:00Z', { cc: [{ name: 'Walter Other', email: 'WALTER@example.org' }] }),
];
const bodies: Record<string, Partial<MessageBody>> = {
  'report@x': { own: `${source}.\n\n---------- Forwarded message ---------\nFrom: someone\nTheir words.`, patch: 'diff --git a/x b/x\n' },
  'robot@x': { own: robotReport, patch: '  \n' },
  // Boris pastes the robot's report without ">" between his own short lines.
  'reply@x': { own: `Thanks\n\n${robotReport.split('\n\n')[1]}\n\nI will fix the include order in the tip tree tomorrow.` },
  'undated@x': { own: 'Applied.' },
};
const week: WeekAnalysis = {
  messages: weekMessages,
  body: (id) => ({ own: '', quoted: '', signature: '', patch: '', diffstat: '', files: [], trailers: [], naks: 0, ...bodies[id] }),
  threads: [], noise: [], quarantined: [],
  series: [
    { id: 's-in', title: 'x86/sev: include order', author: boris, kind: 'PATCH', versions: [{ version: 1, messageIds: ['nothing@x'], reviewedBy: [], ackedBy: [], testedBy: [], nakedBy: [] }, { version: 2, messageIds: ['nothing2@x', 'reply@x'], reviewedBy: [], ackedBy: [], testedBy: [], nakedBy: [] }] },
    { id: 's-out', title: 'ext4: something else', author: stranger, kind: 'PATCH', versions: [{ version: 1, messageIds: ['elsewhere@x'], reviewedBy: [], ackedBy: [], testedBy: [], nakedBy: [] }] },
  ],
};
const weekTopic = { ...topic, messageIds: ['reply@x', 'missing@x', 'undated@x', 'robot@x', 'report@x'], participants: [{ ...stephen, email: 'SFR@canb.auug.org.au' }, ingo, { name: 'Thomas Gleixner', email: 'tglx@linutronix.de' }] } as unknown as Topic;

test('topicMaterial: the topic\'s known messages in date order with short refs, own words without forwards and pasted bot text, everyone once', () => {
  const m = topicMaterial(week, weekTopic);
  // Undated sorts first (no date is the empty string), then by date.
  assert.deepEqual(m.messages.map((x) => [x.ref, x.messageId]), [['m1', 'undated@x'], ['m2', 'report@x'], ['m3', 'robot@x'], ['m4', 'reply@x']]);
  assert.deepEqual([...m.byId.keys()].sort(), ['reply@x', 'report@x', 'robot@x', 'undated@x']);
  assert.equal(m.byId.get('reply@x')?.from, boris);
  assert.equal(m.byId.get('report@x')?.own, `${source}.`, 'the forwarded message is someone else\'s');
  assert.equal(m.byId.get('report@x')?.hasPatch, true);
  assert.equal(m.byId.get('robot@x')?.hasPatch, false, 'a blank patch is no patch');
  assert.equal(m.byId.get('robot@x')?.own, robotReport, 'a bot\'s own text stays its own');
  assert.equal(m.byId.get('reply@x')?.own, 'Thanks\n\nI will fix the include order in the tip tree tomorrow.', 'the pasted robot block goes, a short "Thanks" is not a repeat');
  assert.equal(m.byId.get('undated@x')?.own, 'Applied.');
  assert.equal(m.byId.get('report@x')?.url, 'https://lore.kernel.org/r/report@x');
  // Senders first as their mail names them, then the topic's other participants; one entry per address whatever its case.
  assert.deepEqual(m.participants.map((p) => p.email), ['mingo@kernel.org', 'sfr@canb.auug.org.au', 'lkp@intel.com', 'bp@alien8.de', 'tglx@linutronix.de']);
  assert.deepEqual(m.series?.map((s) => s.id), ['s-in'], 'a series with a message of the topic in any version');
  // The week's people: every From, To and Cc of the week once, topic or not.
  assert.deepEqual(m.weekPeople.map((p) => p.email).sort(), ['WALTER@example.org', 'bp@alien8.de', 'linux-kernel@vger.kernel.org', 'lkp@intel.com', 'mingo@kernel.org', 'sfr@canb.auug.org.au', 'walter@example.org']);
  assert.deepEqual(weekSenders(week).map((p) => p.email).sort(), m.weekPeople.map((p) => p.email).sort());
  const given = [stephen];
  assert.equal(topicMaterial(week, weekTopic, given).weekPeople, given, 'a given list of the week\'s people is used as it is');
  const noBots = topicMaterial({ ...week, series: undefined as unknown as WeekAnalysis['series'] }, { ...weekTopic, messageIds: ['report@x', 'reply@x'] } as Topic);
  assert.match(noBots.byId.get('reply@x')!.own, /unknown type name/, 'with no bot in the topic nothing is a repeat');
  assert.deepEqual(noBots.series, []);
});

test('bots: a program\'s name or address marks it, a person\'s does not', () => {
  assert.equal(isBotSender(robot), true);
  assert.equal(isBotSender({ name: 'syzbot', email: 'syzbot+1234@syzkaller.appspotmail.com' }), true);
  assert.equal(isBotSender({ name: 'Patchwork', email: 'patchwork@example.org' }), true);
  assert.equal(isBotSender({ name: 'Build Service', email: 'noreply@example.org' }), true, 'by the address alone');
  assert.equal(isBotSender({ name: 'kernelci.org bot', email: 'x@kernelci.org' }), true, 'by the name alone');
  assert.equal(isBotSender(stephen), false);
  assert.equal(isBotSender({ name: 'Robert Botcher', email: 'robert.botcher@example.org' }), false, 'whole words only');
});

// ---- names: who a story may name (the CONTRACT: every person named is a participant) ----

const tglx: Person = { name: 'Thomas Gleixner', email: 'tglx@linutronix.de' };
const namesMaterial: TopicMaterial = {
  ...material,
  participants: [stephen, boris, tglx],
  weekPeople: [stephen, boris, tglx, stranger, lkml, robot,
    { name: 'Intel Wired LAN', email: 'intel-wired-lan@lists.osuosl.org' },
    { name: 'Patchwork Summary', email: 'patchwork-bot@kernel.org' },
    { name: 'Netdev Maintainers', email: 'netdev-owner@vger.kernel.org' }],
};

test('unknownPeople: strangers by full name, by a known first name, or in front of a speech verb; participants, lists and quoted words are not', () => {
  const unknown = (prose: string) => unknownPeople(prose, namesMaterial).sort();
  assert.deepEqual(unknown('Walter Unrelated merged it.'), ['Walter Unrelated'], 'a sender of the week outside the thread, by full name');
  assert.deepEqual(unknown('As walter unrelated put it, fine.'), ['Walter Unrelated'], 'in any case, reported as the week\'s mail spells it');
  assert.deepEqual(unknown('Linus Torvalds merged it.'), ['Linus Torvalds'], 'a famous first name and a surname, no verb needed');
  assert.deepEqual(unknown('Walter Smith merged it.'), ['Walter Smith'], 'the first name of a person who wrote this week');
  assert.deepEqual(unknown('Zaphod Beeblebrox objected to the order.'), ['Zaphod Beeblebrox'], 'any capitalised name in front of a speech verb');
  assert.deepEqual(unknown('Zaphod\u2019s reply said no.').length, 0, 'a possessive in front of a noun is no speaker');
  assert.deepEqual(unknown('Zaphod said no.'), ['Zaphod']);
  assert.deepEqual(unknown('Stephen Rothwell said so, Borislav replied and Thomas Gleixner merged it. Petkov agreed.'), [], 'participants, by any part of their name');
  assert.deepEqual(unknown('Thomas Gleixner merged it.'), [], 'a famous first name that is a participant\'s');
  assert.deepEqual(unknown('Later Stephen said, "Linus Torvalds merged it. Zaphod said no."'), [], 'names inside quoted words are the speaker\'s business');
  assert.deepEqual(unknown('Then Rothwell wrote back.'), [], 'a sentence-opening word is not part of the name');
  assert.deepEqual(unknown('The Intel Ethernet driver, the Patchwork Integration pages and the Netdev Team lists were updated.'), [], 'the first word of a list\'s, a company\'s or a bot\'s name in the week is no first name');
  assert.deepEqual(unknown('Andrew Morton and Greg Kroah-Hartman merged it.'), ['Andrew Morton', 'Greg Kroah-Hartman']);
  assert.deepEqual(unknown('Linus Then merged it.'), [], 'a common word after the first name');
});

test('unknownPeople: a mailing list named by its display name is no stranger', () => {
  assert.deepEqual(unknownPeople('It was sent to the Linux Kernel Mailing List today.', namesMaterial), []);
});

// ---- verifyStory: what happens to each kind of failure, stated from the CONTRACT ----

const para = (text: string, quotes: Story['paragraphs'][number]['quotes'] = [], extra: Partial<Story['paragraphs'][number]> = {}) => ({ text, quotes, ...extra });
const storyOf = (...paragraphs: Story['paragraphs']): Story => ({ topicId: 't-1', headline: 'Include Order Breaks linux-next', paragraphs });

test('verifyStory: a near-verbatim quote by its author stays as reported speech, without quotation marks', () => {
  const words = 'I have reverted this commit for today.'; // the mail says "that commit"
  const said = verifyStory(storyOf(para(`Stephen Rothwell said, "${words}" Borislav Petkov promised a fix.`, [quoteOf(words, stephen, report)])), material);
  assert.equal(said.story.paragraphs[0].text, 'Stephen Rothwell said that i have reverted this commit for today. Borislav Petkov promised a fix.');
  assert.deepEqual(said.story.paragraphs[0].quotes, []);
  assert.deepEqual(said.counts, { quotes: 1, verified: 0, repaired: 0, removed: 1 });
  const colon = verifyStory(storyOf(para(`Stephen Rothwell: \u201c${words}\u201d Then a fix came.`, [quoteOf(words, stephen, report)])), material);
  assert.equal(colon.story.paragraphs[0].text, `Stephen Rothwell: ${words} Then a fix came.`, 'no speech verb: the words as they were, marks gone');
  // Far from anything Stephen wrote: the sentence goes, the rest stays.
  const far = verifyStory(storyOf(para('Stephen Rothwell said, "the whole tree is broken beyond repair." Borislav Petkov promised a fix.', [quoteOf('the whole tree is broken beyond repair.', stephen, report)])), material);
  assert.equal(far.story.paragraphs[0].text, 'Borislav Petkov promised a fix.');
  assert.match(far.problems[0].message, /not verbatim in Stephen Rothwell's own words in m1/);
  // Another participant's words given to Stephen: the message says whose they are.
  const others = checkQuote(quoteOf('I will fix the include order', stephen, report), material);
  assert.ok(!others.ok && others.kind === 'not-verbatim' && !others.reportable, JSON.stringify(others));
  assert.match(others.why, /those words are Borislav Petkov's, in m2/);
});

test('verifyStory: scare quotes lose their marks, an unlisted quotation nobody named wrote goes with its sentence, a listed quote missing from the prose is dropped', () => {
  const terms = verifyStory(storyOf(para('The "tip tree" and the \u201cmm-new\u201d branch were fixed. Stephen Rothwell agreed.')), material);
  assert.equal(terms.story.paragraphs[0].text, 'The tip tree and the mm-new branch were fixed. Stephen Rothwell agreed.');
  assert.deepEqual(terms.counts, { quotes: 0, verified: 0, repaired: 0, removed: 0 });
  const orphan = verifyStory(storyOf(para('Someone wrote "this will never build on any machine at all." Stephen Rothwell agreed.')), material);
  assert.equal(orphan.story.paragraphs[0].text, 'Stephen Rothwell agreed.');
  assert.deepEqual(orphan.counts, { quotes: 1, verified: 0, repaired: 0, removed: 1 });
  assert.deepEqual(orphan.problems.map((p) => [p.kind, p.action]), [['unlisted-quotation', 'removed']]);
  assert.match(orphan.problems[0].message, /"this will never build on any machine at all\." is not listed/);
  const missing = verifyStory(storyOf(para('Stephen Rothwell reverted a commit.', [quoteOf('I have reverted that commit for today.', stephen, report)])), material);
  assert.equal(missing.story.paragraphs[0].text, 'Stephen Rothwell reverted a commit.');
  assert.deepEqual(missing.story.paragraphs[0].quotes, []);
  assert.deepEqual(missing.counts, { quotes: 1, verified: 0, repaired: 0, removed: 1 });
  assert.deepEqual(missing.problems.map((p) => [p.kind, p.action, p.paragraph]), [['not-in-paragraph', 'removed', 0]]);
  assert.match(missing.problems[0].message, /the quote "I have reverted that commit for today\." does not appear/);
  assert.equal(hasRemovals(missing), true);
  assert.equal(hasRemovals(terms), false);
});

test('verifyStory: control and invisible characters go, headlines lose quotation marks and links, a repeated quote is listed once, claims follow their sentences', () => {
  const q = quoteOf('I have reverted that commit for today.', stephen, report);
  const claimKept = { who: stephen, what: 'reverted', evidence: [report.messageId], sentence: 'Stephen Rothwell reverted it.' } as unknown as NonNullable<Story['paragraphs'][number]['claims']>[number];
  const claimGone = { ...claimKept, sentence: 'Walter Unrelated applied it.' };
  const claimEmpty = { ...claimKept, sentence: '' };
  const result = verifyStory({
    topicId: 't-1', headline: 'The \u201cInclude\u201d Order\u200b Fix\u0007',
    paragraphs: [
      para('Stephen\u200b Rothwell said, "I have reverted that commit for today." He said again: "I have reverted that commit for today."', [q, { ...q }]),
      para('Stephen Rothwell reverted it. Walter Unrelated applied it.', [], { claims: [claimKept, claimGone, claimEmpty] }),
      para('\u0000 ... \u200b'),
    ],
  }, material);
  assert.equal(result.story.headline, 'The Include Order Fix');
  assert.equal(result.story.paragraphs.length, 2, 'a paragraph with no letters left is dropped');
  assert.match(result.story.paragraphs[0].text, /^Stephen Rothwell said,/);
  assert.equal(result.story.paragraphs[0].quotes.length, 1, 'the same words from the same message listed once');
  assert.deepEqual(result.story.paragraphs[1], { text: 'Stephen Rothwell reverted it.', quotes: [], claims: [claimKept] });
  const linked = verifyStory({ ...storyOf(para('Stephen Rothwell reverted it.')), headline: 'See http://example.org/x' }, material);
  assert.equal(linked.story.headline, topic.title);
  assert.deepEqual(linked.problems.map((p) => [p.kind, p.message]), [['headline', 'the headline names a link']]);
  const stranger = verifyStory({ ...storyOf(para('Stephen Rothwell reverted it.')), headline: 'Walter Unrelated Strikes' }, material);
  assert.deepEqual(stranger.problems.map((p) => [p.kind, p.message]), [['headline', 'the headline names Walter Unrelated']]);
  const empty = verifyStory({ ...storyOf(para('Stephen Rothwell reverted it.')), headline: ' \u200b ' }, material);
  assert.deepEqual(empty.problems.map((p) => p.message), ['the headline is empty']);
  assert.deepEqual(verifyStory(storyOf(para('Walter Unrelated did it.')), material).problems.map((p) => [p.kind, p.message]).sort(), [['empty-story', 'nothing of the story survived verification'], ['unknown-person', 'names Walter Unrelated, who did not take part in this thread']]);
});

test('verification counts add field by field', () => {
  assert.deepEqual(addCounts({ quotes: 5, verified: 3, repaired: 1, removed: 1 }, { quotes: 2, verified: 0, repaired: 1, removed: 1 }), { quotes: 7, verified: 3, repaired: 2, removed: 2 });
});

test('checkQuote: wrong ids are settled only by one holder of the author; joins cut words; the message link when the mail has none; isOwnWords is exact only', () => {
  // Ingo wrote nothing in the topic: Borislav's words under his name and an unknown id are nobody's message.
  const nobody = checkQuote({ ...quoteOf('I will fix the include order', ingo, reply), messageId: 'elsewhere@x' }, material);
  assert.ok(!nobody.ok && nobody.kind === 'unknown-message', JSON.stringify(nobody));
  assert.match(nobody.why, /message elsewhere@x is not part of this topic/);
  // Two messages of Borislav with the same words: the id cannot be guessed.
  const twice = message('m3', boris, 'Thanks, I will fix the include order in the tip tree tomorrow.');
  const both: TopicMaterial = { ...material, messages: [report, reply, twice], byId: new Map([[report.messageId, report], [reply.messageId, reply], [twice.messageId, twice]]) };
  const ambiguous = checkQuote({ ...quoteOf('I will fix the include order', boris, reply), messageId: 'elsewhere@x' }, both);
  assert.ok(!ambiguous.ok && ambiguous.kind === 'unknown-message');
  const fixedId = checkQuote({ ...quoteOf('I will fix the include order', boris, reply), messageId: 'elsewhere@x' }, material);
  assert.ok(fixedId.ok && fixedId.why === `message id corrected to ${reply.messageId}`);
  const wrongName = checkQuote(quoteOf('I will fix the include order', { name: 'Stephen Rothwell', email: 'bp@suse.de' }, reply), material);
  assert.ok(!wrongName.ok && wrongName.kind === 'wrong-author');
  assert.equal(wrongName.why, 'message m2 was written by Borislav Petkov <bp@alien8.de>, not by Stephen Rothwell <bp@suse.de>');
  const oldAddress = checkQuote(quoteOf('I will fix the include order', { name: 'Borislav  Petkov', email: 'bp@suse.de' }, reply), material);
  assert.ok(oldAddress.ok && oldAddress.why === 'author address corrected to bp@alien8.de');
  // A cut shown by "..." between pieces may fall inside words on both sides of it.
  const inner = checkQuote(quoteOf('I will fi ... nclude order in the tip tree', boris, reply), material);
  assert.ok(inner.ok && inner.quote.text === 'I will fi ... nclude order in the tip tree', JSON.stringify(inner));
  const unshown = checkQuote(quoteOf('I will fi', boris, reply), material);
  assert.ok(!unshown.ok && unshown.kind === 'cut-word');
  assert.match(unshown.why, /starts or ends inside a word of Borislav Petkov's text in m2/);
  const cased = checkQuote(quoteOf('thanks ... TOMORROW', boris, reply), material);
  assert.ok(cased.ok && cased.repaired && cased.quote.text === 'Thanks ... tomorrow' && cased.why === 'quote text corrected to the source\'s exact words');
  const linkless = { ...reply, url: '' };
  const noUrl: TopicMaterial = { ...material, messages: [report, linkless], byId: new Map([[report.messageId, report], [linkless.messageId, linkless]]) };
  const withLink = checkQuote(quoteOf('I will fix the include order', boris, linkless), noUrl);
  assert.ok(withLink.ok && withLink.quote.url === 'https://lore.kernel.org/r/m2@kernel-news.test', JSON.stringify(withLink));
  assert.equal(isOwnWords(material, reply, 'I will fix the include order'), true);
  assert.equal(isOwnWords(material, reply, 'i will fix the include order'), false, 'a repair is not the exact words');
  assert.equal(isOwnWords(material, reply, 'I will never fix it'), false);
});

// ---- more of the same rules, from further sides (mutation survivors of the full verify run) ----

test('fold: every typographic quote, apostrophe and dash folds to its plain form', () => {
  assert.equal(fold('\u2018\u2019\u201a\u201b`\u00b4'), "''''''");
  assert.equal(fold('\u201c\u201d\u201e\u00ab\u00bb'), '"""""');
  assert.equal(fold('\u2010\u2011\u2012\u2013\u2014\u2212'), '------');
});

test('ownWords: forwards and pasted reports are recognised in their common spellings, and only at the start of a line', () => {
  for (const marker of ['  ---------- Forwarded message ---------  ', '---Forwarded message---', 'Begin forwarded message:', '-----Original Message-----', '--- original message ---']) {
    assert.equal(ownWords(`My fix.\n${marker}\nTheir text.`), 'My fix.', marker);
  }
  assert.equal(ownWords('Keep this: ---------- Forwarded message ---------\nand this.'), 'Keep this: ---------- Forwarded message ---------\nand this.', 'not a line of its own');
  for (const header of ['AI reviewed your patch and found two issues', '  This is an AI-generated review of your patch', 'This is an automated generated review', 'syzbot found the following issue on:', 'kernel test robot reported the following:', 'My bot hit this:  ', 'Automated review of v2', 'AI review comments:']) {
    assert.equal(ownWords(`First.\n\n${header}\nthe pasted text\n\nits second paragraph\n\nMy answer.`), 'First.\n\nMy answer.', header);
  }
  assert.equal(ownWords('First.\n\nsyzbot found it last week, I think.\n\nMy answer.'), 'First.\n\nsyzbot found it last week, I think.\n\nMy answer.', 'a sentence about a bot is no pasted report');
  assert.equal(ownWords('First.\nAI review comments:\n\n\n\nsecond paragraph\nstill pasted\n\nMine.'), 'First.\nMine.', 'blank lines in a row end one pasted paragraph, not several');
});

test('unknownPeople: the people kernel news often names, without a word of theirs in the week, are strangers to a thread they are not in', () => {
  // Written from general knowledge of the kernel community, not from the code's list.
  const famous = ['Linus Torvalds', 'Greg Kroah-Hartman', 'Andrew Morton', 'Thomas Gleixner', 'Ingo Molnar', 'Peter Zijlstra', 'Christoph Hellwig', 'Jens Axboe', 'Al Viro', 'Dave Chinner', 'David Howells', 'Ted Ts\'o', 'Kees Cook', 'Steven Rostedt', 'Paul McKenney'];
  for (const name of famous) assert.deepEqual(unknownPeople(`In the end ${name} merged it.`, material), [name], name);
  assert.deepEqual(unknownPeople('Walter Unrelated and Linus Torvalds merged it.', material).sort(), ['Linus Torvalds', 'Walter Unrelated']);
  const r = verifyStory(storyOf(para('Stephen Rothwell reverted it. Walter Unrelated and Linus Torvalds merged it.')), material);
  assert.deepEqual(r.problems, [{ kind: 'unknown-person', paragraph: 0, message: 'names Walter Unrelated, Linus Torvalds, who did not take part in this thread', action: 'removed' }]);
  const h = verifyStory({ ...storyOf(para('Stephen Rothwell reverted it.')), headline: 'Walter Unrelated and Linus Torvalds Disagree' }, material);
  assert.deepEqual(h.problems, [{ kind: 'headline', message: 'the headline names Walter Unrelated, Linus Torvalds', action: 'removed' }]);
});

test('unknownPeople: a participant under another address or display name, one-word senders, and organisations in the week are not strangers', () => {
  const week: TopicMaterial = {
    ...material,
    weekPeople: [stephen, boris,
      { name: 'Stephen Rothwell', email: 'sfr@kernel.org' }, // the same person from another address
      { name: 'Steve Rothwell', email: 'SFR@canb.auug.org.au' }, // the same address under another name
      { name: 'syzbot', email: 'syzbot@syzkaller.appspotmail.com' },
      { name: 'Kernel Janitors', email: 'kernel-janitors@vger.kernel.org' },
      { name: 'AMD Engineering', email: 'eng@amd.com' },
      { name: 'Red Hat Engineering', email: 'eng@redhat.com' },
      { name: 'Open Source Summit', email: 'events@example.org' },
      { name: 'Mailing Service', email: 'service@example.org' },
      { name: 'The Editors', email: 'editors@example.org' },
      { name: 'zaphod beeblebrox', email: 'zaphod@example.org' },
      { name: 'Jose Maria Garcia Lopez Perez', email: 'jose@example.org' },
      { name: 'Bo Li', email: 'bo@example.org' }],
  };
  const prose = 'Stephen Rothwell and Steve Rothwell saw syzbot fail. Kernel Summit talks, AMD Zen parts, Red Hat Enterprise kernels, Open Source projects, Mailing Lists and The Register covered it; Jose Smith and Bo Chen did too.';
  assert.deepEqual(unknownPeople(prose, week), []);
  assert.deepEqual(unknownPeople('It said nothing. The report said more.', week), [], 'a pronoun or a common word before a speech verb names nobody');
});

test('verifyStory: a listed quote with its quotation marks, the quoted words of a speaker naming someone else, a quote credited by its own sentence', () => {
  const thanks = message('m3', stephen, 'Thanks Borislav, the include order fix works for me.');
  const withThanks: TopicMaterial = { ...material, messages: [report, reply, thanks], byId: new Map([[report.messageId, report], [reply.messageId, reply], [thanks.messageId, thanks]]) };
  const r = verifyStory(storyOf(para('The reporter replied, "Thanks Borislav, the include order fix works for me."', [quoteOf('\u201cThanks Borislav, the include order fix works for me.\u201d', stephen, thanks)])), withThanks);
  assert.deepEqual(r.counts, { quotes: 1, verified: 1, repaired: 0, removed: 0 }, 'a name inside the quoted words does not credit them to Borislav');
  assert.deepEqual(r.story.paragraphs[0].quotes.map((q) => q.text), ['Thanks Borislav, the include order fix works for me.']);
  assert.deepEqual(r.problems, []);
  const empty = checkQuote(quoteOf('[...]', stephen, report), material);
  assert.deepEqual(empty, { ok: false, kind: 'not-verbatim', why: 'the quote is empty', reportable: false });
});

test('checkQuote: a misquote with its words in another order or punctuation may stay as reported speech; one of short words may not', () => {
  const loose = checkQuote(quoteOf('(Reverted): that commit,, today?!', stephen, report), material);
  assert.ok(!loose.ok && loose.kind === 'not-verbatim' && loose.reportable, JSON.stringify(loose));
  const short = checkQuote(quoteOf('I am on it', stephen, report), material);
  assert.ok(!short.ok && !short.reportable, 'nothing of substance to report');
  const cut = checkQuote(quoteOf('I have reverted that comm', stephen, report), material);
  assert.ok(!cut.ok && cut.kind === 'cut-word' && !cut.reportable, 'a cut word is never reported speech');
  const wrong = checkQuote(quoteOf('I have reverted that commit for today.', { name: 'Zaphod', email: 'z@example.org' }, report), material);
  assert.ok(!wrong.ok && !wrong.reportable);
  const misattributed = verifyStory(storyOf(para('Borislav Petkov said, "I have reverted that commit for today." Stephen Rothwell agreed.', [quoteOf('I have reverted that commit for today.', stephen, report)])), material);
  assert.equal(misattributed.story.paragraphs[0].text, 'Stephen Rothwell agreed.', 'words put in the wrong mouth go with their sentence, not kept as reported speech');
  assert.deepEqual(misattributed.problems.map((p) => [p.kind, p.action, p.quote]), [['wrong-author', 'removed', 'I have reverted that commit for today.']]);
  assert.equal(misattributed.problems[0].message, 'the sentence attributes "I have reverted that commit for today." to Borislav Petkov, but these are Stephen Rothwell\'s words');
});
