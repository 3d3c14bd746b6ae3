import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pickProposal } from '../lambdas/draft/positions.js';
import type { MaterialMessage } from '../lambdas/verify/material.js';

/**
 * Which message a story is about, in a topic the ranker joined from two threads (subjects, senders and
 * order as in the shared week's context-analysis story): a linux-next warning posted this week, and
 * the review of a series posted before it, whose replies are all this week has of it. The ranked
 * title carries the angle after "; ". The story is the series', not the warning's.
 */
const msg = (id: string, from: string, subject: string, inReplyTo?: string): MaterialMessage =>
  ({ messageId: id, ref: id, from: { name: from, email: `${id}@example.org` }, subject, inReplyTo, own: '', trailers: [], date: `2026-01-0${id.length}T00:00:00Z` } as unknown as MaterialMessage);

test('a ranked title with its angle after "; " still finds its own thread, begun before the week', () => {
  const warning = msg('w', 'Stephen Rothwell', 'linux-next: build warning after merge of the tip tree');
  const review = msg('rv', 'Steven Rostedt', 'Re: [PATCH v5 06/36] cleanup: Basic compatibility with context analysis', 'posted-last-month@example.org');
  const answer = msg('ans', 'Marco Elver', 'Re: [PATCH v5 06/36] cleanup: Basic compatibility with context analysis', 'rv');
  const reply = msg('wr', 'Peter Zijlstra', 'Re: linux-next: build warning after merge of the tip tree', 'w');
  const title = 'cleanup: Basic compatibility with context analysis; Christoph Hellwig and Steven Rostedt object';
  assert.equal(pickProposal([warning, review, answer, reply], title).messageId, 'rv');
  // The warning's own story still opens on the warning.
  assert.equal(pickProposal([warning, review, answer, reply], 'linux-next: build warning after merge of the tip tree').messageId, 'w');
});
