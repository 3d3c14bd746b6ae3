/**
 * STAND-IN, to be dropped when the offline drafter emits its own claims: turns the sentences of the
 * current offline drafter's outcome paragraph (trailer tags, "NAKed the work", "said the patches had
 * been applied", "posted version N") into Claims, so that the claim check runs end to end today.
 * It states what the drafter's own detection found; the check (check.ts) trusts none of it.
 */
import type { Claim, ClaimKind, Paragraph, Person, Series, Story } from '../model.js';
import type { TopicMaterial } from '../verify/material.js';
import { isBotSender } from '../verify/material.js';
import { subjectPhrase } from '../draft/headline.js';

// Names can hold periods ("Martin K. Petersen"): the sentence ends where the next outcome sentence starts.
const TRAILER_SENTENCE = /By the end of the week, the (?:patches had collected|thread had produced) .*? tags? from .*?\.(?=\s*$|\s+(?:[^.!?]*? NAKed the work\.|[^.!?]*? said the patches had been applied\.|Before the week was out, ))/;
const NAK_SENTENCE = /(?:^|(?<=[.!?]\s))([^.!?]*?) NAKed the work\./;
const APPLIED_SENTENCE = /(?:^|(?<=[.!?]\s))([^.!?]*?) said the patches had been applied\./;
const POSTED_SENTENCE = /(?:^|(?<=[.!?]\s))Before the week was out, ([^.!?]*?) posted version (\d+) of the (?:work|series)\./;

const LABEL: Record<string, { what: ClaimKind; label: string }> = {
  'reviewed-by': { what: 'review', label: 'Reviewed-by' },
  'acked-by': { what: 'ack', label: 'Acked-by' },
  'tested-by': { what: 'test', label: 'Tested-by' },
};

/** The offline story with claims on its outcome paragraph (the last one without quotes). */
export function withOfflineClaims(story: Story, material: TopicMaterial): Story {
  const at = story.paragraphs.length - 1;
  const last = story.paragraphs[at];
  if (!last || last.quotes.length > 0 || last.claims?.length) return story;
  const series = mainSeries(material);
  const claims: Claim[] = [];
  let text = last.text;
  const base = { ...(series ? { seriesId: series.id } : {}) };

  const trailers = TRAILER_SENTENCE.exec(text);
  if (trailers) {
    // One sentence per person and tag, so that one wrong tag does not take the others with it.
    const sentences: string[] = [];
    const opener = openerAuthor(material, series);
    for (const kind of Object.keys(LABEL)) {
      const givers = new Map<string, { person: Person; ids: string[] }>();
      for (const m of material.messages) {
        if (isBotSender(m.from) || (opener && m.from.email === opener.email)) continue;
        for (const t of m.trailers) {
          if (t.kind !== kind || (t.person && t.person.email !== m.from.email)) continue;
          const g = givers.get(m.from.email) ?? { person: m.from, ids: [] };
          g.ids.push(m.messageId);
          givers.set(m.from.email, g);
        }
      }
      for (const g of givers.values()) {
        const sentence = `${g.person.name || g.person.email} gave the patches ${/^[AEIOU]/.test(LABEL[kind].label) ? 'an' : 'a'} ${LABEL[kind].label} tag.`;
        sentences.push(sentence);
        claims.push({ who: g.person, what: LABEL[kind].what, ...base, evidence: g.ids, sentence });
      }
    }
    text = text.replace(trailers[0], sentences.join(' '));
  }
  for (const [re, what] of [[NAK_SENTENCE, 'nak'], [APPLIED_SENTENCE, 'applied']] as const) {
    const m = re.exec(text);
    if (!m) continue;
    const people = m[1].split(/,\s*(?:and\s+)?|\s+and\s+/).map((n) => personNamed(n.trim(), material)).filter((p): p is Person => !!p);
    for (const p of people) {
      claims.push({ who: p, what, ...base, evidence: material.messages.filter((x) => x.from.email === p.email).map((x) => x.messageId), sentence: m[0].trim() });
    }
  }
  const posted = POSTED_SENTENCE.exec(text);
  if (posted) {
    const p = personNamed(posted[1].trim(), material);
    if (p) claims.push({ who: p, what: 'new-version-posted', ...base, version: Number(posted[2]), evidence: [], sentence: posted[0].trim() });
  }
  if (claims.length === 0) return story;
  const paragraph: Paragraph = { ...last, text, claims };
  return { ...story, paragraphs: [...story.paragraphs.slice(0, at), paragraph] };
}

/** The series the story is about: the one on the topic's own subject, else the one with most messages here. */
function mainSeries(material: TopicMaterial): Series | undefined {
  const all = material.series ?? [];
  const phrase = subjectPhrase(material.topic.title).toLowerCase();
  const here = (s: Series) => s.versions.reduce((n, v) => n + v.messageIds.filter((id) => material.byId.has(id)).length, 0);
  // A series with a cover letter here is a posting of its own; a "series" of bare patches is often
  // the patches of one whose cover letter linked elsewhere.
  const covered = (s: Series) => s.versions.some((v) => v.coverMessageId && material.byId.has(v.coverMessageId));
  return all.find((s) => subjectPhrase(s.title).toLowerCase() === phrase)
    ?? [...all].sort((a, b) => Number(covered(b)) - Number(covered(a)) || here(b) - here(a))[0];
}

function openerAuthor(material: TopicMaterial, series?: Series): Person | undefined {
  return series?.author ?? material.messages.find((m) => !/^re:/i.test(m.subject))?.from;
}

/** A participant by the name the offline drafter printed: full name, or a first name only one of them has. */
function personNamed(name: string, material: TopicMaterial): Person | undefined {
  const full = material.participants.filter((p) => p.name === name);
  if (full.length === 1) return full[0];
  const first = material.participants.filter((p) => p.name.split(/\s+/)[0] === name);
  return first.length === 1 ? first[0] : full[0];
}
