import { createHash } from 'node:crypto';
import { decodeHeaderValue, firstHeader, messageIdsIn, readHeaders } from '../mail/headers.js';
import { isoWeek, parseMailDate } from '../mail/dates.js';

/** What ingest needs to know of a message to file it: read from the header block only. */
export interface Envelope {
  sha256: string;
  /** Bare Message-ID; a stand-in derived from the content hash when the message has none. */
  messageId: string;
  missingMessageId: boolean;
  dateUtc?: string;
  dateProblem?: string;
  /** ISO week of the Date header, or "undated". */
  week: string;
  lists: string[];
  subject: string;
  size: number;
}

export const UNDATED_WEEK = 'undated';

/** The list a copy was delivered through: X-Mailing-List (vger), else List-Id. */
export function listsOf(fields: Map<string, string[]>): string[] {
  const lists = new Set<string>();
  for (const value of fields.get('x-mailing-list') ?? []) {
    for (const addr of value.split(/[\s,]+/)) if (addr.includes('@')) lists.add(addr.replace(/[<>]/g, '').toLowerCase());
  }
  if (lists.size === 0) {
    for (const value of fields.get('list-id') ?? []) {
      const m = /<([^<>]+)>/.exec(value);
      if (m) lists.add(m[1].toLowerCase());
    }
  }
  return [...lists];
}

export function readEnvelope(bytes: Buffer): Envelope {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const block = readHeaders(bytes);
  const ids = messageIdsIn(firstHeader(block, 'message-id'));
  const date = parseMailDate(firstHeader(block, 'date'));
  return {
    sha256,
    messageId: ids[0] ?? `sha256-${sha256}@kernel-news.invalid`,
    missingMessageId: ids.length === 0,
    dateUtc: date.utc !== undefined ? new Date(date.utc).toISOString() : undefined,
    dateProblem: date.problem,
    week: date.utc !== undefined && !date.problem ? isoWeek(date.utc) : UNDATED_WEEK,
    lists: listsOf(block.fields),
    subject: decodeHeaderValue(firstHeader(block, 'subject') ?? ''),
    size: bytes.length,
  };
}
