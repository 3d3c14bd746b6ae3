import { isoWeek } from '../mail/dates.js';
import { contentHash, parseMessageHeaders } from '../parse/message.js';

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
  /** The lists this copy was delivered through. */
  lists: string[];
  subject: string;
  size: number;
}

export const UNDATED_WEEK = 'undated';

/** The envelope, from the same header reading the threads stage uses. */
export function readEnvelope(bytes: Buffer): Envelope {
  const sha256 = contentHash(bytes);
  const { message: m, deliveryLists, missingMessageId } = parseMessageHeaders(bytes, { sha256 });
  return {
    sha256,
    messageId: m.messageId,
    missingMessageId,
    dateUtc: m.date,
    dateProblem: m.dateProblem,
    week: m.date ? isoWeek(Date.parse(m.date)) : UNDATED_WEEK,
    lists: deliveryLists,
    subject: m.subject,
    size: bytes.length,
  };
}
