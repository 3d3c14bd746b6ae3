import { addressParser, decodeWords } from 'postal-mime';
import type { Person } from '../model.js';
import { utf8HeaderValue } from '../mail/headers.js';
import { collapseWhitespace } from '../mail/text.js';

/** Hosts whose addresses are mailing lists, not people (vger and the other kernel list servers). */
const LIST_HOST_NAMES = ['vger.kernel.org', 'lists.linux.dev', 'lists.infradead.org', 'lists.ozlabs.org', 'lists.sourceforge.net', 'lists.freedesktop.org', 'lists.linux-foundation.org', 'kvack.org', 'lists.linaro.org'];
/** The list hosts as a regular-expression alternation (dots escaped). */
export const LIST_HOST_ALTERNATION = LIST_HOST_NAMES.map((host) => host.replace(/\./g, '\\.')).join('|');
const LIST_HOSTS = new RegExp(`@(${LIST_HOST_ALTERNATION})$`, 'i');

export function isListAddress(email: string): boolean {
  return LIST_HOSTS.test(email);
}

type ParsedAddress = { name?: string; address?: string; group?: ParsedAddress[] };

/**
 * One plain address, "Some Name <local@domain>", "\"Name, Jr. (Org)\" <local@domain>" (printable
 * ASCII in the quotes, no escapes or encoded-words) or "local@domain": nine From lines in ten. Read
 * without the full address parser, which gives the same name and address for these (tests hold it to that).
 */
const PLAIN_ADDRESS = /^(?:([A-Za-z][A-Za-z -]*?) *<([\w.+-]+@[\w-]+(?:\.[\w-]+)+)>|"([ !#-<>-[\]-~]*)" *<([\w.+-]+@[\w-]+(?:\.[\w-]+)+)>|([\w.+-]+@[\w-]+(?:\.[\w-]+)+))$/;

/** People in an address header (From, To, Cc), names decoded; groups flattened. */
export function peopleIn(raw: string | undefined): Person[] {
  if (!raw) return [];
  const plain = PLAIN_ADDRESS.exec(raw);
  if (plain) return [person(plain[1] ?? plain[3] ?? '', plain[2] ?? plain[4] ?? plain[5])];
  const text = utf8HeaderValue(raw); // encoded-words are decoded per name, after splitting addresses
  let parsed: ParsedAddress[];
  try {
    parsed = addressParser(text) as ParsedAddress[];
  } catch {
    parsed = [];
  }
  const out: Person[] = [];
  const visit = (list: ParsedAddress[]) => {
    for (const a of list) {
      if (a.group) visit(a.group);
      else if (a.address && a.address.includes('@')) out.push(person(a.name ?? '', a.address));
    }
  };
  visit(parsed);
  return out;
}

export function person(name: string, address: string): Person {
  const email = address.trim().toLowerCase();
  let display = name.trim();
  if (display.includes('=?')) {
    try {
      display = decodeWords(display);
    } catch {
      // keep the raw words: better than nothing, and never wrong about who it is
    }
  }
  display = collapseWhitespace(display.replace(/^["']|["']$/g, '')).trim();
  if (!display || display.includes('@')) display = email.split('@')[0];
  return { name: display, email };
}
