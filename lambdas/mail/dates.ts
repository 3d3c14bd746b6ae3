import { collapseWhitespace } from './text.js';

/** Dates outside this range are treated as broken (clock errors, spam): flagged, not trusted. */
const EARLIEST_PLAUSIBLE = Date.UTC(1991, 0, 1);
const LATEST_SKEW_MS = 2 * 24 * 3600 * 1000;

export interface MailDate {
  /** Milliseconds since the epoch, UTC; undefined when the header is missing or unreadable. */
  utc?: number;
  /** Why the date cannot be trusted, when it cannot. */
  problem?: string;
}

const MONTHS: Record<string, number> = { jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11 };

/**
 * RFC 5322 dates ("Tue, 6 Jan 2026 10:52:22 +0100"), tolerant of the usual damage: missing weekday,
 * zone names, no zone (read as UTC, as is -0000), two-digit years, trailing comments.
 */
export function parseMailDate(raw: string | undefined, now = Date.now()): MailDate {
  if (!raw || !raw.trim()) return { problem: 'no Date header' };
  const text = collapseWhitespace(raw.includes('(') ? raw.replace(/\([^)]*\)/g, ' ') : raw).trim();
  const m = /(\d{1,2}) ([A-Za-z]{3})[a-z]* (\d{2,4}) (\d{1,2}):(\d{2})(?::(\d{2}))?(?: ?([+-]\d{4}|[A-Z]{1,5}))?/.exec(text);
  let utc: number | undefined;
  if (m) {
    const month = MONTHS[m[2].toLowerCase()];
    let year = Number(m[3]);
    if (year < 100) year += year < 50 ? 2000 : 1900;
    if (month !== undefined) {
      utc = Date.UTC(year, month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
      const zone = m[7];
      if (zone && /^[+-]\d{4}$/.test(zone)) {
        const sign = zone[0] === '-' ? -1 : 1;
        utc -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) * 60_000;
      } else if (zone && ZONES[zone] !== undefined) {
        utc -= ZONES[zone] * 3600_000;
      }
    }
  }
  if (utc === undefined || Number.isNaN(utc)) {
    const fallback = Date.parse(text);
    if (Number.isNaN(fallback)) return { problem: `unreadable Date header "${raw.slice(0, 80)}"` };
    utc = fallback;
  }
  if (utc < EARLIEST_PLAUSIBLE || utc > now + LATEST_SKEW_MS) return { utc, problem: `implausible Date header "${raw.slice(0, 80)}"` };
  return { utc };
}

const ZONES: Record<string, number> = { UT: 0, GMT: 0, Z: 0, UTC: 0, EST: -5, EDT: -4, CST: -6, CDT: -5, MST: -7, MDT: -6, PST: -8, PDT: -7 };

/** ISO 8601 week of a UTC instant, as "YYYY-Www". */
export function isoWeek(utcMs: number): string {
  const d = new Date(utcMs);
  const day = (d.getUTCDay() + 6) % 7; // Monday = 0
  const thursday = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day + 3);
  const year = new Date(thursday).getUTCFullYear();
  const week = 1 + Math.floor((thursday - Date.UTC(year, 0, 1)) / (7 * 86400_000));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** Monday 00:00 UTC of an ISO week, and the Monday after it. */
export function weekRange(week: string): { start: number; end: number } {
  const m = /^(\d{4})-W(\d{2})$/.exec(week);
  if (!m) throw new Error(`not an ISO week: ${week}`);
  const jan4 = Date.UTC(Number(m[1]), 0, 4);
  const jan4Day = (new Date(jan4).getUTCDay() + 6) % 7;
  const start = jan4 - jan4Day * 86400_000 + (Number(m[2]) - 1) * 7 * 86400_000;
  return { start, end: start + 7 * 86400_000 };
}
