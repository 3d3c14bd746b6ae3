import fs from 'node:fs';
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
  close(): Promise<void>;
}

/** The message as RFC 5322 bytes (multipart/alternative: text + HTML). */
export async function compose(mail: OutgoingMail): Promise<Buffer> {
  const composer = new MailComposer({ from: mail.from, to: mail.to, subject: mail.subject, html: mail.html, text: mail.text, messageId: mail.messageId, headers: mail.headers });
  return composer.compile().build();
}

/** SMTP through nodemailer (pooled). The raw message is streamed; its end waits for `commit`. */
export class SmtpMailer implements Mailer {
  private readonly transport;
  constructor(url: string, maxConnections = 4) {
    const u = new URL(url);
    this.transport = nodemailer.createTransport({
      host: u.hostname, port: Number(u.port || 25), secure: u.protocol === 'smtps:', pool: true, maxConnections,
      ignoreTLS: u.protocol === 'smtp:' && (u.hostname === '127.0.0.1' || u.hostname === 'localhost'),
      auth: u.username ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : undefined,
    });
  }
  async send(mail: OutgoingMail, commit: () => Promise<void>): Promise<void> {
    const bytes = await compose(mail);
    const raw = Readable.from((async function* () {
      yield bytes;
      await commit(); // recorded before the server can accept the message
    })());
    await this.transport.sendMail({ envelope: { from: mail.from, to: [mail.to] }, raw });
  }
  async close(): Promise<void> {
    this.transport.close();
  }
}

/** Local default: one .eml file per recipient, written atomically (temp file, then rename). */
export class OutboxMailer implements Mailer {
  constructor(private readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }
  async send(mail: OutgoingMail, commit: () => Promise<void>): Promise<void> {
    const bytes = await compose(mail);
    const file = path.join(this.dir, `${mail.to.replace(/[^a-z0-9@._+-]/gi, '_')}.eml`);
    fs.writeFileSync(`${file}.tmp`, bytes);
    await commit();
    fs.renameSync(`${file}.tmp`, file);
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
  async close(): Promise<void> {}
}
