/**
 * The mail server of `npm run fuzz -- send`, run as its own process so the harness can SIGKILL it.
 * A real SMTP server (smtp-server) on 127.0.0.1 that stores each accepted message by appending a line
 * to a file, synchronously, before its 250 reply to the end of data: a line in the file is a message
 * a reader has. It can refuse some recipients (451 at RCPT TO or after the data, 421 closing the
 * connection; 4%, 2% and 2% of the readers, on 30% of their tries), and kill itself at a chosen moment: mid-body, or after the "." with or without having
 * stored the message, before replying. Reports "body <rcpt>" and "dot <rcpt>" on stdout as they happen.
 *
 * Usage: node dist/fuzz/smtp-sink.js '<json SinkOptions>'
 */
import fs from 'node:fs';
import { createHash } from 'node:crypto';
import { SMTPServer } from 'smtp-server';

export interface SinkOptions {
  port: number;
  /** Accepted messages, one line each: "<rcpt>\t<Message-ID>\t<1 if its MIME structure closes>". */
  store: string;
  seed: number;
  /** Refuse some recipients now and then, deterministically from the seed. */
  refusals: boolean;
  /** Kill this process at the n-th (1-based) such event since it started ("dot-stored": n-th stored message). */
  dieAt?: { event: 'body' | 'dot-unstored' | 'dot-stored'; n: number };
}

const options = JSON.parse(process.argv[2] ?? '{}') as SinkOptions;

/** A stable number in [0, 1) for a string: which readers are refused and on which attempt. */
function unit(text: string): number {
  return createHash('sha256').update(`${options.seed}:${text}`).digest().readUInt32BE(0) / 2 ** 32;
}

// Per recipient attempts seen by this process: a refused recipient is accepted on some later try.
const attempts = new Map<string, number>();
let bodies = 0;
let dots = 0;
let stored = 0;
/** Of the refused readers' attempts, the share refused: some tries of every reader get through. */
const REFUSE_SHARE = 0.3;
const die = () => process.kill(process.pid, 'SIGKILL');

const server = new SMTPServer({
  authOptional: true, disabledCommands: ['STARTTLS'], logger: false, size: 10 << 20,
  onRcptTo(address, _session, callback) {
    const rcpt = address.address;
    const attempt = (attempts.get(rcpt) ?? 0) + 1;
    attempts.set(rcpt, attempt);
    if (options.refusals) {
      const kind = unit(rcpt);
      const refuseNow = unit(`${rcpt}#${attempt}`) < REFUSE_SHARE;
      if (kind < 0.04 && refuseNow) return callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
      if (kind >= 0.04 && kind < 0.06 && refuseNow) return callback(Object.assign(new Error('too busy, closing'), { responseCode: 421 }));
    }
    callback();
  },
  onData(stream, session, callback) {
    const rcpt = session.envelope.rcptTo.map((r) => r.address).join(',');
    const chunks: Buffer[] = [];
    let first = true;
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (!first) return;
      first = false;
      bodies++;
      process.stdout.write(`body ${rcpt}\n`);
      if (options.dieAt?.event === 'body' && options.dieAt.n === bodies) die();
    });
    stream.on('end', () => {
      dots++;
      process.stdout.write(`dot ${rcpt}\n`);
      if (options.dieAt?.event === 'dot-unstored' && options.dieAt.n === dots) die();
      if (options.refusals && unit(rcpt) >= 0.06 && unit(rcpt) < 0.08 && unit(`${rcpt}#data#${attempts.get(rcpt)}`) < REFUSE_SHARE) {
        return callback(Object.assign(new Error('local error in processing'), { responseCode: 451 }));
      }
      const raw = Buffer.concat(chunks).toString('latin1');
      const messageId = /^Message-ID:\s*(<[^>\r\n]+>)/im.exec(raw)?.[1] ?? '-';
      const complete = /--[^\s]+--\s*$/.test(raw) ? 1 : 0;
      fs.appendFileSync(options.store, session.envelope.rcptTo.map((r) => `${r.address}\t${messageId}\t${complete}\n`).join(''));
      stored++;
      if (options.dieAt?.event === 'dot-stored' && options.dieAt.n === stored) die();
      callback();
    });
  },
});
server.on('error', () => {}); // a killed sender resets its connections
server.listen(options.port, '127.0.0.1', () => process.stdout.write('listening\n'));
