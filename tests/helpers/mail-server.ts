import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { waitForCount } from './wait';

// smtp-server ships no types; only its constructor and listen/close are used here.
const { SMTPServer } = createRequire(__filename)('smtp-server') as { SMTPServer: new (options: any) => any };

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  raw: string;
  /** The X-Two-Factor-Notice header: the event a security notice (L3) reports, else null. */
  notice: string | null;
}

export interface MailServer {
  port: number;
  messages: ReceivedMail[];
  /** Messages delivered to this address so far, security notices left out (codes only). */
  to(address: string): ReceivedMail[];
  /** Waits until `count` messages (notices left out) in all reached the address. */
  waitFor(address: string, count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /** Security notices (L3) delivered to this address so far, oldest first; of one event if given. */
  notices(address: string, event?: string): ReceivedMail[];
  /** Waits until `count` (default 1) such notices in all reached the address. */
  waitForNotices(address: string, options?: { event?: string; count?: number; timeoutMs?: number }): Promise<ReceivedMail[]>;
  /** While set, every message is refused with this SMTP reply (e.g. 451 temporary failure). */
  refuse(reply: { code: number; message: string } | null): void;
  close(): Promise<void>;
}

const decodeQuotedPrintable = (body: string) =>
  body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

const splitHeaders = (raw: string) => {
  const at = raw.indexOf('\r\n\r\n');
  const head = (at === -1 ? raw : raw.slice(0, at)).replace(/\r\n[ \t]+/g, ' ');
  const body = at === -1 ? '' : raw.slice(at + 4);
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body };
};

const decodePart = (headers: Record<string, string>, body: string) => {
  const encoding = (headers['content-transfer-encoding'] || '7bit').toLowerCase();
  if (encoding === 'quoted-printable') return Buffer.from(decodeQuotedPrintable(body), 'latin1').toString('utf8');
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return body;
};

/** Just enough MIME for what nodemailer writes: a single part or multipart/alternative text + html. */
export function parseMail(raw: string, envelope: { from: string; to: string[] }): ReceivedMail {
  const { headers, body } = splitHeaders(raw);
  const mail: ReceivedMail = {
    from: envelope.from,
    to: envelope.to,
    subject: headers.subject ?? '',
    text: '',
    html: '',
    raw,
    notice: headers['x-two-factor-notice'] ?? null,
  };
  const type = headers['content-type'] || 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  const parts = boundary
    ? body
        .split(`--${boundary}`)
        .slice(1)
        .filter((part) => !part.startsWith('--'))
        .map((part) => splitHeaders(part.replace(/^\r\n/, '')))
    : [{ headers, body }];
  for (const part of parts) {
    const partType = (part.headers['content-type'] || 'text/plain').toLowerCase();
    const content = decodePart(part.headers, part.body).replace(/\r\n$/, '');
    if (partType.startsWith('text/html')) mail.html = content;
    else if (partType.startsWith('text/plain')) mail.text = content;
  }
  return mail;
}

/** A real SMTP server on 127.0.0.1 (no TLS, no auth), collecting what it is sent. */
export async function startMailServer(): Promise<MailServer> {
  const messages: ReceivedMail[] = [];
  let refusal: { code: number; message: string } | null = null;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onMailFrom(_address: unknown, _session: unknown, callback: (error?: Error) => void) {
      if (!refusal) return callback();
      const error = new Error(refusal.message) as Error & { responseCode: number };
      error.responseCode = refusal.code;
      return callback(error);
    },
    onData(stream: NodeJS.ReadableStream, session: any, callback: (error?: Error) => void) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        messages.push(
          parseMail(Buffer.concat(chunks).toString('latin1'), {
            from: session.envelope.mailFrom?.address ?? '',
            to: session.envelope.rcptTo.map((r: { address: string }) => r.address),
          })
        );
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const all = (address: string) => messages.filter((m) => m.to.includes(address.toLowerCase()) || m.to.includes(address));
  const to = (address: string) => all(address).filter((m) => m.notice === null);
  const notices = (address: string, event?: string) =>
    all(address).filter((m) => m.notice !== null && (event === undefined || m.notice === event));
  return {
    port,
    messages,
    to,
    waitFor: (address, count, timeoutMs) => waitForCount(() => to(address), count, `mails to ${address}`, timeoutMs),
    notices,
    waitForNotices: (address, { event, count = 1, timeoutMs } = {}) =>
      waitForCount(() => notices(address, event), count, `${event ?? ''} notices to ${address}`, timeoutMs),
    refuse(reply) {
      refusal = reply;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The 6-digit code in a delivered message (its text part). */
export const codeIn = (mail: { text?: string; body?: string }): string => {
  const match = /\b(\d{6})\b/.exec(mail.text ?? mail.body ?? '');
  if (!match) throw new Error(`no code in ${JSON.stringify(mail)}`);
  return match[1];
};
