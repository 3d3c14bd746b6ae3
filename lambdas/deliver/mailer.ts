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
 * message but never deliver it unrecorded; see lambdas/deliver/send.ts.
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
 * SMTP through nodemailer (pooled). The raw message is streamed; its end waits for `commit`.
 * With a `journal` file, each connection's plaintext wire is watched and the journal, written
 * synchronously (a killed process leaves it behind), gets "start <Message-ID>" before the message's
 * record is committed, "open <Message-ID>" as its body goes out and "dot <Message-ID>" as its
 * terminating "." is handed to the operating system. A re-run settles its committed-but-unconfirmed
 * messages from that: "dot" was delivered; "open" or "start" alone was not (nodemailer reads the
 * message ahead, so the commit can come while the server is still answering RCPT TO).
 * A connection that turns to TLS cannot be watched: it writes "blind", and from then on a message
 * with no "dot" may have been delivered unseen, so it stays in doubt.
 */
export class SmtpMailer implements Mailer {
  private readonly transport;
  private readonly journal?: HandOverJournal;
  constructor(url: string, options: { maxConnections?: number; journal?: string } = {}) {
    const u = new URL(url);
    const host = u.hostname;
    const port = Number(u.port || 25);
    const journal = options.journal ? new HandOverJournal(options.journal) : undefined;
    this.journal = journal;
    this.transport = nodemailer.createTransport({
      host, port, secure: u.protocol === 'smtps:', pool: true, maxConnections: options.maxConnections ?? 4,
      ignoreTLS: u.protocol === 'smtp:' && (host === '127.0.0.1' || host === 'localhost'),
      auth: u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : undefined,
      ...(journal && u.protocol === 'smtp:' ? {
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
  }
  async send(mail: OutgoingMail, commit: () => Promise<void>): Promise<void> {
    const bytes = await compose(mail);
    this.journal?.write('start', mail.messageId);
    const raw = Readable.from((async function* () {
      yield bytes;
      await commit(); // recorded before the server can accept the message
    })());
    try {
      await this.transport.sendMail({ envelope: { from: mail.from, to: [mail.to] }, raw });
    } catch (err) {
      // The server answered no: not delivered, whatever the wire showed; a re-run may try again.
      if (typeof (err as { responseCode?: unknown }).responseCode === 'number') this.journal?.write('refused', mail.messageId);
      throw err;
    }
  }
  async settle(mail: Pick<OutgoingMail, 'messageId'>): Promise<boolean | undefined> {
    return this.journal?.state(mail.messageId);
  }
  async close(): Promise<void> {
    this.transport.close();
  }
}

/** Append-only record of what reached the wire, by Message-ID; see SmtpMailer. */
class HandOverJournal {
  private fd?: number;
  private lastEvents?: Map<string, string>;
  /** Some connection went to TLS: messages sent over it left no trace. */
  private blind = false;
  constructor(private readonly file: string) {}
  write(event: 'start' | 'open' | 'dot' | 'queued' | 'refused' | 'blind', messageId: string): void {
    if (this.fd === undefined) {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      this.fd = fs.openSync(this.file, 'a');
    }
    fs.writeSync(this.fd, `${event} ${messageId}\n`);
  }
  /**
   * By the last event for the message: true after "dot"; false after "open", "queued" or "refused",
   * and after "start" while no connection went blind; undefined (in doubt) otherwise.
   */
  state(messageId: string): boolean | undefined {
    if (!this.lastEvents) {
      this.lastEvents = new Map();
      const text = fs.existsSync(this.file) ? fs.readFileSync(this.file, 'utf8') : '';
      for (const line of text.split('\n')) {
        const [event, id] = line.split(' ');
        if (event === 'blind') this.blind = true;
        else if (id) this.lastEvents.set(id, event);
      }
    }
    const event = this.lastEvents.get(messageId);
    if (event === undefined || (event === 'start' && this.blind)) return undefined;
    return event === 'dot';
  }
}

const TERMINATORS = new Set(['.\r\n', '\n.\r\n', '\r\n.\r\n']);

/** Follows one plaintext SMTP connection's writes (commands, DATA, body, final ".") into the journal. */
function watchWire(socket: net.Socket, journal: HandOverJournal): void {
  let phase: 'commands' | 'data' | 'unwatchable' = 'commands';
  let messageId: string | undefined;
  const write = socket.write.bind(socket) as (chunk: unknown, ...rest: unknown[]) => boolean;
  socket.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (phase === 'unwatchable') return write(chunk, ...rest);
    // Past the body's Message-ID only a terminator (at most 5 bytes) matters: the rest of each body
    // goes out unread, not turned into a string once per recipient.
    if (phase === 'data' && messageId && (Buffer.isBuffer(chunk) ? chunk.length : String(chunk).length) > 5) return write(chunk, ...rest);
    const text = Buffer.isBuffer(chunk) ? chunk.toString('latin1') : String(chunk);
    if (phase === 'data' && TERMINATORS.has(text)) {
      phase = 'commands';
      const id = messageId;
      if (!id) return write(chunk, ...rest);
      // "dot" is written just before the terminator goes out, not after: sending it wakes the server,
      // and a crash triggered by the server's answer must not find the journal a step behind. It
      // holds only if the write goes through at once (nothing queued on the socket); otherwise
      // "queued" withdraws it until the socket reports the bytes flushed.
      const done = typeof rest.at(-1) === 'function' ? (rest.pop() as (err?: Error | null) => void) : undefined;
      let queued = socket.writableLength > 0;
      if (!queued) journal.write('dot', id);
      const result = write(chunk, ...rest, (err?: Error | null) => {
        if (!err && queued) journal.write('dot', id);
        done?.(err);
      });
      if (!queued && socket.writableLength > 0) {
        queued = true;
        journal.write('queued', id);
      }
      return result;
    }
    if (phase === 'commands') {
      if (/^STARTTLS\r\n/im.test(text)) {
        phase = 'unwatchable'; // encrypted from here on
        journal.write('blind', '-');
      }
      else if (/(^|\r\n)DATA\r\n$/.test(text)) { phase = 'data'; messageId = undefined; }
    } else if (!messageId) {
      messageId = /^Message-ID:\s*(<[^>\r\n]+>)/im.exec(text)?.[1];
      if (messageId) journal.write('open', messageId);
    }
    return write(chunk, ...rest);
  }) as typeof socket.write;
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
    await this.client.send(new SendEmailCommand({ Content: { Raw: { Data: bytes } }, ConfigurationSetName: this.configurationSet }));
  }
  /** One API call with no way to ask afterwards: an interrupted call stays in doubt. */
  async settle(): Promise<undefined> {
    return undefined;
  }
  async close(): Promise<void> {}
}
