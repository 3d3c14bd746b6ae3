import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';

export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Stable per (issue, recipient): a retried send carries the same id. */
  messageId: string;
  headers: Record<string, string>;
}

/**
 * Delivers one message. `commit` runs after the whole message has been handed over but before the
 * transport finalises it (SMTP: before the terminating "."), so a crash after `commit` can lose the
 * message but never deliver it unrecorded; see lambdas/deliver/send.ts. `send` resolves once the
 * transport took the message, throws InDoubtError when it cannot tell (SMTP: the "." went out and no
 * reply came), and throws any other error when the message was certainly not delivered.
 */
export interface Mailer {
  send(mail: OutgoingMail, commit: () => Promise<void>): Promise<void>;
  /**
   * For a message an interrupted run committed but never saw confirmed: what this transport's own
   * evidence says. true: it was handed over whole (do not send again); false: it certainly was not
   * (send it); undefined: no evidence either way.
   */
  settle(mail: Pick<OutgoingMail, 'messageId' | 'to'>): Promise<boolean | undefined>;
  close(): Promise<void>;
}

/** The message as RFC 5322 bytes (multipart/alternative: text + HTML). */
export async function compose(mail: OutgoingMail): Promise<Buffer> {
  const composer = new MailComposer({ from: mail.from, to: mail.to, subject: mail.subject, html: mail.html, text: mail.text, messageId: mail.messageId, headers: mail.headers });
  return composer.compile().build();
}

/**
 * The message reached the server's end of data (its "." went out) and no reply came: the server may
 * have stored it or not. SMTP hands a message over only with the 2xx reply to the end of data
 * (RFC 5321, 4.1.1.4 and 6.1), so it is neither delivered nor safe to send again: in doubt.
 */
export class InDoubtError extends Error {
  constructor(messageId: string, options?: { cause?: unknown }) {
    super(`${messageId}: the message's end of data went out and the server never answered it`, options);
    this.name = 'InDoubtError';
  }
}

/** Tries of one message within a run when nothing of it was handed over (a dropped connection, a 421). */
const SMTP_ATTEMPTS = 3;
const SMTP_RETRY_MS = [250, 1000];

/**
 * SMTP through nodemailer (pooled). Hand-over follows RFC 5321: a message is delivered once the
 * server's 2xx reply to its end of data is seen. Each plaintext connection's wire is watched and the
 * hand-over journal (a file, written synchronously so a killed process leaves it behind; or memory
 * only) gets, per Message-ID: "start" before the message's record is committed, "open" as its body
 * goes out, "dot" just before its terminating "." is written, then one of "ok" (2xx reply), "refused"
 * (any other reply) or "unsent" (the write of the "." failed). By the last event:
 * - "ok": delivered;
 * - "refused", "unsent", or "start"/"open" alone: not delivered, send it again (after "start" alone,
 *   only while no connection went blind);
 * - "dot" alone: in doubt (the "." went out and no reply was seen, the process died or the server did).
 * Within a run, a message not handed over is tried again on a fresh connection; one in doubt throws
 * InDoubtError. A connection that turns to TLS cannot be watched: it writes "blind", and from then on
 * a message with no "ok" may have been delivered unseen, so it stays in doubt.
 */
export class SmtpMailer implements Mailer {
  private readonly transport;
  private readonly journal: HandOverJournal;
  constructor(url: string, options: { maxConnections?: number; journal?: string } = {}) {
    const u = new URL(url);
    const host = u.hostname;
    const port = Number(u.port || 25);
    const journal = new HandOverJournal(options.journal);
    this.journal = journal;
    this.transport = nodemailer.createTransport({
      host, port, secure: u.protocol === 'smtps:', pool: true, maxConnections: options.maxConnections ?? 4,
      // nodemailer would re-send a message whose connection closed from its (already read) raw stream;
      // send() retries itself, from the bytes, and only when the journal shows nothing was handed over.
      maxRequeues: 0,
      ignoreTLS: u.protocol === 'smtp:' && (host === '127.0.0.1' || host === 'localhost'),
      auth: u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : undefined,
      ...(u.protocol === 'smtp:' ? {
        getSocket: (_options: unknown, callback: (err: Error | null, socket?: { connection: net.Socket }) => void) => {
          const socket = net.connect({ host, port });
          const failed = (err: Error) => callback(err);
          socket.once('error', failed);
          socket.once('connect', () => {
            socket.off('error', failed);
            watchWire(socket, journal);
            callback(null, { connection: socket });
          });
        },
      } : {}),
    });
    if (u.protocol === 'smtps:') journal.write('blind', '-');
  }
  async send(mail: OutgoingMail, commit: () => Promise<void>): Promise<void> {
    const bytes = await compose(mail);
    const id = mail.messageId;
    // One record per message, however many connections it takes: an attempt that dies while the
    // record is being written leaves the next attempt to wait for that same write, not start another.
    let commitment: Promise<void> | undefined;
    let commitError: unknown;
    for (let attempt = 1; ; attempt++) {
      this.journal.write('start', id);
      const raw = Readable.from((async function* () {
        yield bytes;
        commitment ??= commit().catch((err: unknown) => {
          commitError = err;
          throw err;
        });
        await commitment; // recorded before the server can accept the message
      })());
      try {
        await this.transport.sendMail({ envelope: { from: mail.from, to: [mail.to] }, raw });
        // The wire saw the 2xx already, unless it could not be watched (TLS).
        if (this.journal.last(id) !== 'ok') this.journal.write('ok', id);
        return;
      } catch (err) {
        if (commitError) throw commitError;
        await this.journal.dotSettled(id);
        const code = (err as { responseCode?: unknown }).responseCode;
        if (typeof code === 'number' && this.journal.last(id) !== 'refused') this.journal.write('refused', id);
        const handedOver = this.journal.state(id);
        if (handedOver === undefined) throw new InDoubtError(id, { cause: err });
        // Not handed over. A server's definite "no" (other than 421, closing the channel) ends the
        // attempts; a dropped connection is tried again on a fresh one.
        const retriable = code === undefined || code === 421;
        if (!retriable || attempt >= SMTP_ATTEMPTS) throw err;
        await new Promise((resolve) => setTimeout(resolve, SMTP_RETRY_MS[attempt - 1] ?? 1000));
      }
    }
  }
  async settle(mail: Pick<OutgoingMail, 'messageId'>): Promise<boolean | undefined> {
    return this.journal.state(mail.messageId);
  }
  async close(): Promise<void> {
    this.transport.close();
  }
}

type JournalEvent = 'start' | 'open' | 'dot' | 'ok' | 'refused' | 'unsent' | 'blind';

/** Append-only record of what reached the wire and what the server answered, by Message-ID; see SmtpMailer. */
class HandOverJournal {
  private fd?: number;
  private lastEvents?: Map<string, string>;
  /** Some connection went to TLS: messages sent over it left no trace. */
  private blind = false;
  /** Terminator writes not yet reported done or failed by the socket, by Message-ID. */
  private readonly pendingDots = new Map<string, Promise<void>>();
  constructor(private readonly file?: string) {}
  write(event: JournalEvent, messageId: string): void {
    this.load();
    if (event === 'blind') this.blind = true;
    else this.lastEvents!.set(messageId, event);
    if (!this.file) return;
    if (this.fd === undefined) {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      this.fd = fs.openSync(this.file, 'a');
    }
    fs.writeSync(this.fd, `${event} ${messageId}\n`);
  }
  last(messageId: string): string | undefined {
    this.load();
    return this.lastEvents!.get(messageId);
  }
  /**
   * By the last event for the message: true after "ok"; false after "refused" or "unsent", and after
   * "start" or "open" while no connection went blind; undefined (in doubt) after "dot", and when
   * there is no record at all. ("queued", from older journals, meant the "." never left.)
   */
  state(messageId: string): boolean | undefined {
    const event = this.last(messageId);
    if (event === 'ok') return true;
    if (event === 'refused' || event === 'unsent' || event === 'queued') return false;
    // "open": its body went over a watched connection, whose "." would have been seen.
    if (event === 'open' || (event === 'start' && !this.blind)) return false;
    return undefined;
  }
  /** Notes a terminator write in flight; `dotSettled` waits for the socket's verdict on it. */
  trackDot(messageId: string, written: Promise<void>): void {
    this.pendingDots.set(messageId, written);
    void written.finally(() => {
      if (this.pendingDots.get(messageId) === written) this.pendingDots.delete(messageId);
    });
  }
  async dotSettled(messageId: string): Promise<void> {
    const pending = this.pendingDots.get(messageId);
    if (pending) await Promise.race([pending, new Promise((resolve) => setTimeout(resolve, 2000))]);
  }
  private load(): void {
    if (this.lastEvents) return;
    this.lastEvents = new Map();
    const text = this.file && fs.existsSync(this.file) ? fs.readFileSync(this.file, 'utf8') : '';
    for (const line of text.split('\n')) {
      const [event, id] = line.split(' ');
      if (event === 'blind') this.blind = true;
      else if (id) this.lastEvents.set(id, event);
    }
  }
}

const TERMINATORS = new Set(['.\r\n', '\n.\r\n', '\r\n.\r\n']);
const CRLF_DOT_CRLF = Buffer.from('\r\n.\r\n', 'latin1');

function endsWithTerminator(chunk: unknown): boolean {
  if (Buffer.isBuffer(chunk)) return chunk.length >= 5 && chunk.subarray(chunk.length - 5).equals(CRLF_DOT_CRLF);
  return String(chunk).endsWith('\r\n.\r\n');
}

/**
 * Follows one plaintext SMTP connection into the journal: its writes (commands, DATA, body, final
 * ".") and, after a ".", the server's reply to it (read before nodemailer sees it).
 */
function watchWire(socket: net.Socket, journal: HandOverJournal): void {
  let phase: 'commands' | 'data' | 'reply' | 'unwatchable' = 'commands';
  let messageId: string | undefined;
  let reply = '';
  const write = socket.write.bind(socket) as (chunk: unknown, ...rest: unknown[]) => boolean;
  socket.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (phase === 'unwatchable') return write(chunk, ...rest);
    // Past the body's Message-ID only the terminator matters: the rest of each body goes out unread,
    // not turned into a string once per recipient. Dot-stuffing leaves CRLF "." CRLF nowhere but at the
    // end of the data, so a long chunk ending in it (the body's last bytes and the ".") carries the ".".
    const long = phase === 'data' && messageId !== undefined && (Buffer.isBuffer(chunk) ? chunk.length : String(chunk).length) > 5;
    if (long && !endsWithTerminator(chunk)) return write(chunk, ...rest);
    const text = long ? '' : Buffer.isBuffer(chunk) ? chunk.toString('latin1') : String(chunk);
    if (phase === 'data' && !long && !messageId && !TERMINATORS.has(text)) {
      messageId = /^Message-ID:\s*(<[^>\r\n]+>)/im.exec(text)?.[1];
      if (messageId) journal.write('open', messageId);
      if (!messageId || !endsWithTerminator(chunk)) return write(chunk, ...rest);
    }
    if (phase === 'data' && (long || TERMINATORS.has(text) || endsWithTerminator(chunk))) {
      const id = messageId;
      if (!id) {
        phase = 'commands';
        return write(chunk, ...rest);
      }
      if (socket.readableEnded || socket.destroyed) {
        // The server closed the connection before the end of data: the "." is not written at all (no
        // server would act on it, and a "." written now would leave the message in doubt).
        journal.write('unsent', id);
        const err = new Error('the server closed the connection before the end of the data');
        socket.destroy(err);
        const done = typeof rest.at(-1) === 'function' ? (rest.pop() as (err?: Error | null) => void) : undefined;
        done?.(err);
        return false;
      }
      phase = 'reply';
      reply = '';
      // "dot" goes in before the write: a process killed right after it must find the message in doubt,
      // not taken for unsent. A write the socket reports failed withdraws it ("unsent"): the server
      // never saw the end of the data, so it discards the message.
      journal.write('dot', id);
      const done = typeof rest.at(-1) === 'function' ? (rest.pop() as (err?: Error | null) => void) : undefined;
      let settle!: () => void;
      journal.trackDot(id, new Promise<void>((resolve) => (settle = resolve)));
      return write(chunk, ...rest, (err?: Error | null) => {
        if (err && journal.last(id) === 'dot') journal.write('unsent', id);
        settle();
        done?.(err);
      });
    }
    if (phase === 'commands' || phase === 'reply') {
      if (/^STARTTLS\r\n/im.test(text)) {
        phase = 'unwatchable'; // encrypted from here on
        journal.write('blind', '-');
      }
      else if (/(^|\r\n)DATA\r\n$/.test(text)) { phase = 'data'; messageId = undefined; }
    }
    return write(chunk, ...rest);
  }) as typeof socket.write;
  // The reply to the "." is journaled as it arrives, before nodemailer's listener runs.
  const emit = socket.emit.bind(socket) as (event: string | symbol, ...args: unknown[]) => boolean;
  socket.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (event === 'data' && phase === 'reply' && messageId) {
      const chunk = args[0];
      reply += Buffer.isBuffer(chunk) ? chunk.toString('latin1') : String(chunk);
      const final = /(?:^|\r?\n)(\d)\d\d(?: [^\n]*)?\r?\n/.exec(reply); // "250 ok"; "250-..." lines continue
      if (final) {
        journal.write(final[1] === '2' ? 'ok' : 'refused', messageId);
        phase = 'commands';
        reply = '';
      }
    }
    return emit(event, ...args);
  }) as typeof socket.emit;
}

/** Local default: one .eml file per recipient, written atomically (temp file, then rename). */
export class OutboxMailer implements Mailer {
  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }
  async send(mail: OutgoingMail, commit: () => Promise<void>): Promise<void> {
    const bytes = await compose(mail);
    const file = this.fileFor(mail.to);
    fs.writeFileSync(`${file}.tmp`, bytes);
    await commit();
    fs.renameSync(`${file}.tmp`, file);
  }
  /** The rename comes after the commit: a file there is a delivered message, none is an undelivered one. */
  async settle(mail: Pick<OutgoingMail, 'to'>): Promise<boolean> {
    return fs.existsSync(this.fileFor(mail.to));
  }
  private fileFor(to: string): string {
    return path.join(this.dir, `${to.replace(/[^a-z0-9@._+-]/gi, '_')}.eml`);
  }
  async close(): Promise<void> {}
}

/** Amazon SES v2, paced to the account's maximum send rate. */
/** Throttled SES calls retried at most this many times, with backoff. */
const SES_THROTTLE_RETRIES = 5;
const isThrottled = (err: unknown): boolean => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'TooManyRequestsException' || e?.name === 'ThrottlingException' || e?.$metadata?.httpStatusCode === 429;
};

export class SesMailer implements Mailer {
  private next = 0;
  constructor(private readonly client: SESv2Client, private readonly maxPerSecond: number, private readonly configurationSet?: string) {}
  async send(mail: OutgoingMail, commit: () => Promise<void>): Promise<void> {
    const bytes = await compose(mail);
    const now = Date.now();
    const at = Math.max(now, this.next);
    this.next = at + 1000 / this.maxPerSecond;
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
    await commit();
    // Only a throttled call is retried: SES refused it whole, so a second try cannot be a second copy.
    // A timeout or a 5xx may follow an accepted message: that stays in doubt (the client is built with
    // maxAttempts 1, so the SDK does not retry behind our back either).
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.send(new SendEmailCommand({ Content: { Raw: { Data: bytes } }, ConfigurationSetName: this.configurationSet }));
        return;
      } catch (err) {
        if (!isThrottled(err) || attempt >= SES_THROTTLE_RETRIES) throw err;
        await new Promise((resolve) => setTimeout(resolve, Math.min(200 * 2 ** attempt, 5_000)));
      }
    }
  }
  /** One API call with no way to ask afterwards: an interrupted call stays in doubt. */
  async settle(): Promise<undefined> {
    return undefined;
  }
  async close(): Promise<void> {}
}
