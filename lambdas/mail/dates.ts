import { isDigit } from './bytes.js';
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
  const utc = strictMailDate(raw) ?? looseMailDate(raw);
  if (utc === undefined) return { problem: `unreadable Date header "${raw.slice(0, 80)}"` };
  if (utc < EARLIEST_PLAUSIBLE || utc > now + LATEST_SKEW_MS) return { utc, problem: `implausible Date header "${raw.slice(0, 80)}"` };
  return { utc };
}

const isLetter = (c: number) => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const MONTH_OF = new Map(Object.entries(MONTHS));

/**
 * A date in RFC 5322's own shape and nothing else, "Tue, 6 Jan 2026 10:52:22 +0100" (weekday
 * optional), read by position: most mail, and the same instant looseMailDate finds in it (tested).
 * Undefined for anything else.
 */
export function strictMailDate(raw: string): number | undefined {
  let i = 0;
  if (raw.charCodeAt(3) === 0x2c && raw.charCodeAt(4) === 0x20 && isLetter(raw.charCodeAt(0)) && isLetter(raw.charCodeAt(1)) && isLetter(raw.charCodeAt(2))) i = 5;
  const dayDigits = isDigit(raw.charCodeAt(i + 1)) ? 2 : 1;
  if (raw.length !== i + dayDigits + 24 || !isDigit(raw.charCodeAt(i))) return undefined;
  const day = dayDigits === 2 ? (raw.charCodeAt(i) - 0x30) * 10 + raw.charCodeAt(i + 1) - 0x30 : raw.charCodeAt(i) - 0x30;
  i += dayDigits;
  // " Mon YYYY HH:MM:SS +HHMM", 24 characters, checked by position.
  if (raw.charCodeAt(i) !== 0x20 || raw.charCodeAt(i + 4) !== 0x20 || raw.charCodeAt(i + 9) !== 0x20 || raw.charCodeAt(i + 12) !== 0x3a || raw.charCodeAt(i + 15) !== 0x3a || raw.charCodeAt(i + 18) !== 0x20) return undefined;
  const month = MONTH_OF.get(raw.slice(i + 1, i + 4).toLowerCase());
  if (month === undefined) return undefined;
  const number = (at: number, digits: number) => {
    let value = 0;
    for (let k = at; k < at + digits; k++) {
      const c = raw.charCodeAt(k);
      if (!isDigit(c)) return -1;
      value = value * 10 + c - 0x30;
    }
    return value;
  };
  let year = number(i + 5, 4);
  if (year >= 0 && year < 100) year += year < 50 ? 2000 : 1900; // "0026", as looseMailDate reads it
  const hour = number(i + 10, 2);
  const minute = number(i + 13, 2);
  const second = number(i + 16, 2);
  const sign = raw.charCodeAt(i + 19) === 0x2b ? 1 : raw.charCodeAt(i + 19) === 0x2d ? -1 : 0;
  const zoneHours = number(i + 20, 2);
  const zoneMinutes = number(i + 22, 2);
  if (year < 0 || hour < 0 || minute < 0 || second < 0 || sign === 0 || zoneHours < 0 || zoneMinutes < 0) return undefined;
  return Date.UTC(year, month, day, hour, minute, second) - sign * (zoneHours * 60 + zoneMinutes) * 60_000;
}

/** Any readable date: the first "D Mon YYYY HH:MM[:SS] [zone]" in it, else what Date.parse makes of it. */
export function looseMailDate(raw: string): number | undefined {
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
    return Number.isNaN(fallback) ? undefined : fallback;
  }
  return utc;
}

const ZONES: Record<string, number> = { UT: 0, GMT: 0, Z: 0, UTC: 0, EST: -5, EDT: -4, CST: -6, CDT: -5, MST: -7, MDT: -6, PST: -8, PDT: -7 };

const digit = (n: number) => 0x30 + n;

/**
 * new Date(utc).toISOString() ("2026-01-06T09:52:22.000Z") for years 1000-9999, from the calendar
 * arithmetic of days since the epoch (Hinnant's civil_from_days) and one flat string: every message
 * has a date, and the Date round trip took 0.5 us of each. Other years: toISOString.
 */
export function isoTimestamp(utc: number): string {
  const days = Math.floor(utc / 86_400_000);
  let rest = utc - days * 86_400_000;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153); // month from March = 0
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  if (!(year >= 1000 && year <= 9999)) return new Date(utc).toISOString();
  const hour = Math.floor(rest / 3_600_000);
  rest -= hour * 3_600_000;
  const minute = Math.floor(rest / 60_000);
  rest -= minute * 60_000;
  const second = Math.floor(rest / 1000);
  const ms = rest - second * 1000;
  return String.fromCharCode(
    digit(Math.floor(year / 1000)), digit(Math.floor(year / 100) % 10), digit(Math.floor(year / 10) % 10), digit(year % 10), 0x2d,
    digit(Math.floor(month / 10)), digit(month % 10), 0x2d, digit(Math.floor(day / 10)), digit(day % 10), 0x54,
    digit(Math.floor(hour / 10)), digit(hour % 10), 0x3a, digit(Math.floor(minute / 10)), digit(minute % 10), 0x3a,
    digit(Math.floor(second / 10)), digit(second % 10), 0x2e, digit(Math.floor(ms / 100)), digit(Math.floor(ms / 10) % 10), digit(ms % 10), 0x5a,
  );
}

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
