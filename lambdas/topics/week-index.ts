import type { MessageBody, ParsedMessage, Thread, WeekAnalysis } from '../model.js';

/**
 * Bots the threads stage may not have set aside (it flags noise per message; these senders are
 * never people taking part in a discussion, whatever they post).
 */
const BOT_ADDRESS = /(^lkp@intel\.com$|syzbot|patchwork-bot|pr-tracker-bot|bot@kernel\.org|^bot@|kernelci|bugzilla-daemon|noreply|no-reply|^ci@|-ci@|\bci-bot)/i;
const BOT_NAME = /\b(bot|robot|daemon|CI)\b/;

/** Lookups over a week that every topic stage needs, built once. */
export class WeekIndex {
  readonly byId = new Map<string, ParsedMessage>();
  readonly threadOfMessage = new Map<string, Thread>();
  readonly threadById = new Map<string, Thread>();
  private readonly noise = new Set<string>();

  constructor(readonly analysis: WeekAnalysis) {
    for (const m of analysis.messages) this.byId.set(m.messageId, m);
    for (const t of analysis.threads) {
      this.threadById.set(t.id, t);
      for (const id of t.messageIds) this.threadOfMessage.set(id, t);
    }
    for (const n of analysis.noise) this.noise.add(n.messageId);
  }

  /** Bot traffic and whatever the threads stage set aside as noise. */
  isNoise(m: ParsedMessage): boolean {
    return this.noise.has(m.messageId) || isBot(m);
  }

  body(messageId: string): MessageBody {
    return this.analysis.body(messageId);
  }

  messagesOf(thread: Thread): ParsedMessage[] {
    return thread.messageIds.map((id) => this.byId.get(id)).filter((m): m is ParsedMessage => m !== undefined);
  }
}

export function isBot(m: ParsedMessage): boolean {
  return BOT_ADDRESS.test(m.from.email) || BOT_NAME.test(m.from.name);
}

/** A posting (patch, cover letter, announcement) rather than a reply in a discussion. */
export function isPosting(m: ParsedMessage): boolean {
  return !/^\s*(re|aw|sv)\s*:/i.test(m.subject) && /^\s*\[[^\]]*(PATCH|RFC|ANNOUNCE|GIT PULL)/i.test(m.subject);
}
