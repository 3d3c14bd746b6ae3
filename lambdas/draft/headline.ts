/** Headlines and subject phrases from patch subjects: "[PATCH v3 02/10] crypto: aes - Add X" -> "Adding X". */

/** Zack's headlines are a few words; longer subjects are cut at a word boundary. */
export const MAX_HEADLINE_WORDS = 8;

const VERBS = new Set(('add remove fix rework introduce convert make use support implement drop move allow avoid enable ' +
  'disable switch replace refactor rename clean cleanup optimize optimise improve handle prevent restrict expose export ' +
  'extend teach split merge update kill retire rewrite unify simplify document reduce limit track cache defer skip ' +
  'check ensure return set let guard honor honour validate require deprecate revert wire mark reject rely define ' +
  'provide pass apply factor consolidate harden speed protect stop start take get put run plan open close create ' +
  'delete free allocate initialize initialise zero reset introduce annotate serialize serialise account fold inline open-code reorder reimplement ' +
  'migrate enforce convert store load lock unlock flush sync reserve release register unregister map unmap pin unpin send emit notify report').split(' '));
const DOUBLE = new Set('drop stop split set let put get run plan skip cut wrap strip ship trim'.split(' '));
const SMALL = new Set('a an and as at but by for from in into of on or the to via vs with without per over'.split(' '));

/** The subject without reply/forward markers, bracketed tags and "(was: ...)". */
export function stripSubject(subject: string): string {
  let s = subject.replace(/\s+/g, ' ').trim();
  for (let i = 0; i < 5; i++) {
    const before = s;
    s = s.replace(/^(re|fwd?|aw|sv)\s*:\s*/i, '').replace(/^\[[^\]]*\]\s*/, '').trim();
    if (s === before) break;
  }
  return s.replace(/\s*\(was:.*\)\s*$/i, '').replace(/\s+v\d+$/i, '').trim();
}

/** Tags like "PATCH v3 2/7", "RFC PATCH", "GIT PULL" of a subject. */
export function subjectTags(subject: string): string {
  return (subject.match(/\[[^\]]*\]/g) ?? []).join(' ');
}

/** The subject's phrase after subsystem prefixes ("x86/mm: ", "crypto: aes - "). */
export function subjectPhrase(subject: string): string {
  let s = stripSubject(subject);
  for (let i = 0; i < 4; i++) {
    // "x86/mm: ", "x509, pkcs7, crypto: ", "fs: nfs - ": lower-case prefixes of a few tokens.
    const m = /^([a-z0-9][\w./+-]*(?:\s*[,-]\s*[\w./+-]+){0,4})\s*:\s+(.+)$/.exec(s);
    if (!m || m[2].split(/\s+/).length < 2) break;
    s = m[2];
  }
  s = s.replace(/^[\w./+-]+\s+-\s+/, ''); // crypto style "aes - Foo"
  return s.trim();
}

export function startsWithVerb(phrase: string): boolean {
  const w = phrase.split(/\s+/)[0]?.toLowerCase() ?? '';
  return VERBS.has(w) || (w.startsWith('re-') && VERBS.has(w.slice(3)));
}

export function gerund(verb: string): string {
  const v = verb.toLowerCase();
  let g: string;
  if (DOUBLE.has(v)) g = v + v.slice(-1) + 'ing';
  else if (v.endsWith('ie')) g = v.slice(0, -2) + 'ying';
  else if (v.endsWith('e') && !v.endsWith('ee') && v.length > 2) g = v.slice(0, -1) + 'ing';
  else g = v + 'ing';
  return verb[0] === verb[0].toUpperCase() ? g[0].toUpperCase() + g.slice(1) : g;
}

/** "Rework the AES library" -> "to rework the AES library"; "build failure in X" -> "about build failure in X". */
export function purposePhrase(subject: string): string {
  const phrase = subjectPhrase(subject).replace(/[.\s]+$/, '');
  if (!phrase) return '';
  if (startsWithVerb(phrase)) return `to ${lowerFirst(phrase)}`;
  return `on ${lowerFirst(phrase)}`;
}

/** A short Title Case headline from the subject of a thread's first message or cover letter. */
export function headlineFrom(subject: string): string {
  let phrase = subjectPhrase(subject).replace(/[.\s]+$/, '');
  if (!phrase) return 'A Kernel Discussion';
  const first = phrase.split(/\s+/)[0];
  if (startsWithVerb(phrase)) phrase = gerund(first) + phrase.slice(first.length);
  let ws = phrase.split(/\s+/);
  if (ws.length > MAX_HEADLINE_WORDS) {
    const cutAt = ws.findIndex((w, i) => i >= 3 && /^(and|for|with|when|if|to|via|by|in|on)$/i.test(w));
    ws = ws.slice(0, cutAt > 0 && cutAt <= MAX_HEADLINE_WORDS ? cutAt : MAX_HEADLINE_WORDS);
    while (ws.length > 2 && SMALL.has(ws[ws.length - 1].toLowerCase())) ws.pop();
  }
  return ws.map((w, i) => titleWord(w, i === 0)).join(' ').replace(/[,;:]+$/, '');
}

export function titleWord(w: string, first: boolean): string {
  if (/[A-Z]/.test(w.slice(1)) || /[\d_/()]/.test(w) || /^[a-z]+[A-Z]/.test(w)) return w; // acronyms, identifiers
  if (!first && SMALL.has(w.toLowerCase())) return w.toLowerCase();
  if (/^[a-z]+(_[a-z]+)+$/.test(w)) return w;
  return w.charAt(0).toUpperCase() + w.slice(1);
}

export function lowerFirst(s: string): string {
  if (/^[A-Z][a-z]/.test(s) && !/^[A-Z][a-z]*[A-Z]/.test(s)) return s.charAt(0).toLowerCase() + s.slice(1);
  return s;
}

/** Words that end a headline's short topic: what follows is detail. */
const TOPIC_CUT = /^(for|with|when|if|to|via|by|in|on|from|into|at|after|during|due|and|of|as|under|using|so|because|around|against|between|that|which|while)$/i;
const LEADING_FILLER = /^(a|an|the|some|more|new|initial|basic|proper|generic|minor|small|several|various|multiple)$/i;

/**
 * The thing a story is about, in two to four words, from its subject: the object of the subject's
 * verb, cut before the first preposition ("Add fields and constants for time slice extension" ->
 * "Fields"), widened with the subsystem prefix when that leaves one word ("rseq Fields").
 */
/** Verbs whose object is the problem being removed ("fix", "avoid", "prevent" ...). */
const FIX_VERB = /^(fix(es|ed|ing)?|avoid(s|ed|ing)?|prevent(s|ed|ing)?|correct(s|ed|ing)?|plug(s|ged|ging)?|resolv(e|es|ed|ing)|address(es|ed|ing)?)$/i;

/**
 * Heads that say nothing on their own: "Add fields and constants for time slice extension" is about
 * the time slice extension, "Zero non-PI portion of auto integrity buffer" about the integrity buffer.
 * When the object ends in one of these and a prepositional phrase follows, that phrase is the topic.
 */
const VAGUE_HEAD = /^(fields?|constants?|portions?|parts?|bits?|helpers?|wrappers?|definitions?|handling|bookkeeping|code|cases?|paths?|checks?|conditions?|members?|macros?|callbacks?|functions?|comments?|documentation|docs|stuff|things?|support|issues?|problems?|updates?|changes?|cleanups?|improvements?|tweaks?)$/i;
/** Heads kept after the phrase they govern: "wrapper for memparse()" -> "memparse() Wrapper". */
const KEPT_HEAD = /^(fields?|helpers?|wrappers?|definitions?|support|handling|checks?|callbacks?|macros?|documentation|cleanups?|improvements?|updates?)$/i;

/**
 * Misspellings common in patch subjects, corrected in headlines only (quotes stay verbatim). A
 * general lexicon of English misspellings, not of any week's threads.
 */
const SPELLING: Record<string, string> = {
  aligment: 'alignment', alignement: 'alignment', registeration: 'registration', seperate: 'separate', seperately: 'separately',
  occured: 'occurred', occurence: 'occurrence', recieve: 'receive', lenght: 'length', adress: 'address', dependancy: 'dependency',
  dependancies: 'dependencies', existance: 'existence', accross: 'across', refrence: 'reference', sucess: 'success',
  paramter: 'parameter', paramters: 'parameters', overriden: 'overridden', begining: 'beginning', untill: 'until',
  initalize: 'initialize', initalization: 'initialization', arguement: 'argument', arguements: 'arguments',
  unecessary: 'unnecessary', neccessary: 'necessary', necessery: 'necessary', calender: 'calendar', writting: 'writing',
  retreive: 'retrieve', reponse: 'response', wierd: 'weird', supress: 'suppress', enviroment: 'environment',
  compatability: 'compatibility', compatiblity: 'compatibility', consistant: 'consistent', succesful: 'successful',
  successfull: 'successful', threshhold: 'threshold', transfered: 'transferred', allocted: 'allocated', reseved: 'reserved',
};
export function spellCorrect(word: string): string {
  const fixed = SPELLING[word.toLowerCase()];
  if (!fixed) return word;
  return /^[A-Z]/.test(word) ? fixed.charAt(0).toUpperCase() + fixed.slice(1) : fixed;
}

const isInfinitive = (ws: string[], i: number) => ws[i]?.toLowerCase() === 'to' && (/ly$/i.test(ws[i + 1] ?? '') || startsWithVerb(ws[i + 1] ?? '') || /^(opt-?in|opt-?out|be|have|do)$/i.test(ws[i + 1] ?? ''));

/**
 * The thing a story is about, as a noun phrase that stands alone in two to four words, from its
 * subject: the object of the subject's verb, cut before the first preposition ("Rework the AES
 * library for speed" -> "AES Library"); when that object is a vague head ("fields", "portion",
 * "wrapper"), the phrase it governs ("Add fields for time slice extension" -> "Time Slice Extension
 * Fields"); when the object is followed by an infinitive ("require filesystems to opt in to lease
 * support"), the thing at the end ("Lease Support"); widened with the subsystem prefix when that
 * leaves one word ("rseq Fields"). A fix is named as one ("Fix for Stall During Boot").
 */
export function shortTopic(subject: string): string {
  return topicParts(subject).topic;
}

/**
 * shortTopic, and whether the topic names the thing the change is about rather than the change itself
 * ("Auto Integrity Buffer" from "zero non-PI portion of auto integrity buffer"): a headline verb that
 * acts on the work ("Applies", "NAKs") then needs a noun for the work ("... Patch").
 */
export function topicParts(subject: string): { topic: string; aboutThing: boolean } {
  const stripped = stripSubject(subject);
  const phrase = subjectPhrase(subject).replace(/[.\s]+$/, '');
  // Words quoted in the subject are code ('struct sockaddr'): their case is kept.
  const verbatim = new Set((phrase.match(/['"\u2018\u201c][^'"\u2019\u201d]+['"\u2019\u201d]/g) ?? []).flatMap((q) => q.slice(1, -1).split(/\s+/)));
  let aboutThing = false;
  let ws = phrase.split(/\s+/).filter(Boolean).map((w) => w.replace(/^['"\u2018\u201c]+|['"\u2019\u201d]+$/g, '')).filter(Boolean);
  // "Avoid stall during boot" names the problem after its verb: the topic is the fix, not the stall.
  const fix = ws.length > 1 && startsWithVerb(phrase) && FIX_VERB.test(ws[0]);
  if (ws.length > 1 && startsWithVerb(phrase)) ws = ws.slice(1);
  while (ws.length > 1 && LEADING_FILLER.test(ws[0])) ws.shift();
  // "filesystems to explicitly opt-in to lease support": the object is not the point, the end is.
  const inf = ws.findIndex((_, i) => i >= 1 && isInfinitive(ws, i));
  if (inf > 0) {
    const lastPrep = ws.map((w, i) => (i > inf + 1 && TOPIC_CUT.test(w) ? i : -1)).filter((i) => i > 0).pop();
    if (lastPrep !== undefined && lastPrep < ws.length - 1) { ws = ws.slice(lastPrep + 1); aboutThing = true; }
    else ws = ws.slice(0, inf);
    while (ws.length > 1 && LEADING_FILLER.test(ws[0])) ws.shift();
  }
  // The object's end: the first preposition, past "and" between vague heads ("fields and constants for").
  const firstCut = ws.findIndex((w, i) => i >= 1 && TOPIC_CUT.test(w) && !(/^and$/i.test(w) && VAGUE_HEAD.test(ws[i - 1]) && VAGUE_HEAD.test(ws[i + 1] ?? '')));
  if (!fix && firstCut > 0 && VAGUE_HEAD.test(ws[firstCut - 1].replace(/[,;:()]+$/, '')) && /^(of|for|to|in|on|around|into)$/i.test(ws[firstCut]) && firstCut < ws.length - 1) {
    aboutThing = !KEPT_HEAD.test(ws[firstCut - 1]);
    const head = ws[firstCut - 1];
    let tail = ws.slice(firstCut + 1);
    while (tail.length > 1 && LEADING_FILLER.test(tail[0])) tail.shift();
    const tailCut = tail.findIndex((w, i) => i >= 1 && TOPIC_CUT.test(w));
    if (tailCut > 0) tail = tail.slice(0, tailCut);
    tail = tail.slice(0, KEPT_HEAD.test(head) ? 3 : 4);
    ws = KEPT_HEAD.test(head) ? [...tail, head] : tail;
  } else {
    const cut = ws.findIndex((w, i) => i >= 2 && TOPIC_CUT.test(w));
    if (cut > 0) ws = ws.slice(0, cut);
    // A one-word object with its phrase ("uevents for filesystem mount events") is kept whole up to
    // five words: cut at four it would end mid-phrase.
    ws = ws.slice(0, ws.length <= 5 && TOPIC_CUT.test(ws[1] ?? '') ? 5 : 4);
  }
  while (ws.length > 1 && (SMALL.has(ws[ws.length - 1].toLowerCase()) || TOPIC_CUT.test(ws[ws.length - 1]))) ws.pop();
  ws = ws.map((w) => w.replace(/[,;:"]+$/g, '').replace(/^["(]+/, '').replace(/(?<!\()\)+$/, '')).filter(Boolean);
  const isIdentifier = (w: string) => /[_]|\(\)$/.test(w);
  // "hook unix_path_connect" -> "unix_path_connect Hook": the identifier names it, the noun says what it is.
  if (ws.length === 2 && /^[a-z]+$/.test(ws[0]) && isIdentifier(ws[1])) ws = [ws[1], ws[0]];
  const prefix = /^([a-z0-9][\w.+-]*)(?:\/[\w.+-]+)*\s*:/.exec(stripped)?.[1];
  // A one-word topic gets its subsystem ("rseq Fields"), unless the word already names it; a test
  // named by its identifier says it is one.
  if (ws.length === 1 && prefix && !ws[0].toLowerCase().includes(prefix.toLowerCase())) ws.unshift(prefix);
  // A report names where it broke: "linux-next Build Failure", not just "Build Failure".
  else if (ws.length === 2 && prefix && !fix && /^(fail(ure|s)?|warnings?|regressions?|crash(es)?|bugs?|oops|hangs?|splats?|errors?)$/i.test(ws[1]) && !ws.join(' ').toLowerCase().includes(prefix.toLowerCase())) ws.unshift(prefix);
  else if (ws.length === 1 && isIdentifier(ws[0]) && /\bself-?tests?\b|_test\b/i.test(stripped)) ws.push('selftest');
  if (ws.length === 0) return { topic: 'the Patches', aboutThing: false };
  // The subsystem prefix is a name ("linux-next", "io_uring"): its case is kept.
  if (prefix) verbatim.add(prefix);
  return { topic: (fix ? 'Fix for ' : '') + ws.map((w, i) => (verbatim.has(w) ? w : spellCorrect(titleWord(w, i === 0 && !fix)))).join(' '), aboutThing };
}

/** A person's surname as a headline names them ("Michael S. Tsirkin" -> "Tsirkin"). */
export function surname(name: string, email = ''): string {
  const parts = name.replace(/\(.*?\)|".*?"/g, ' ').split(/\s+/).filter((w) => /^\p{L}[\p{L}'-]+$/u.test(w));
  if (parts.length === 0) {
    // "lance.yang" or "jdoe": a login, not a name; its last dotted part, capitalised, reads as a surname.
    const login = (name.trim() || email.split('@')[0]).split(/[.\s_]+/).filter((w) => /^\p{L}[\p{L}'-]+$/u.test(w)).pop();
    return login ? login.charAt(0).toUpperCase() + login.slice(1) : 'A Developer';
  }
  // A family name written in capitals ("OGAWA Hirofumi") is the surname, wherever it stands.
  const upper = parts.filter((w) => /^\p{Lu}{2,}$/u.test(w));
  if (upper.length === 1 && parts.length > 1) return upper[0].charAt(0) + upper[0].slice(1).toLowerCase();
  return parts[parts.length - 1];
}
