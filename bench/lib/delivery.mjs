// Where the plugin server delivers email and SMS codes: a real SMTP server (smtp-server, no TLS,
// no auth) and an HTTP sink for the webhook SMS provider, both on 127.0.0.1 in the bench process,
// as tests/helpers/mail-server.ts and sms-server.ts do for the tests. The bench reads each code
// back from what arrived, so a code verify is measured with a code the server really sent.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { SMTPServer } = require('smtp-server');

const splitHeaders = (raw) => {
  const at = raw.indexOf('\r\n\r\n');
  const head = (at === -1 ? raw : raw.slice(0, at)).replace(/\r\n[ \t]+/g, ' ');
  const headers = {};
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body: at === -1 ? '' : raw.slice(at + 4) };
};

const decode = (headers, body) => {
  const encoding = (headers['content-transfer-encoding'] || '7bit').toLowerCase();
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
};

/** The text part of what nodemailer writes (one part, or multipart/alternative), and whether it is a security notice. */
const readMail = (raw) => {
  const { headers, body } = splitHeaders(raw);
  const boundary = /boundary="?([^";]+)"?/i.exec(headers['content-type'] || '')?.[1];
  const parts = boundary
    ? body
        .split(`--${boundary}`)
        .slice(1)
        .filter((part) => !part.startsWith('--'))
        .map((part) => splitHeaders(part.replace(/^\r\n/, '')))
    : [{ headers, body }];
  const text = parts.find((part) => (part.headers['content-type'] || 'text/plain').toLowerCase().startsWith('text/plain'));
  return { notice: headers['x-two-factor-notice'] !== undefined, text: text ? decode(text.headers, text.body) : '' };
};

const codeIn = (text) => {
  const match = /\b(\d{6})\b/.exec(text);
  if (!match) throw new Error(`no code in ${JSON.stringify(text.slice(0, 200))}`);
  return match[1];
};

/** Codes by recipient (an email address or a phone number), in the order they arrived. */
class Inbox {
  constructor() {
    this.codes = new Map();
  }

  add(to, code) {
    const list = this.codes.get(to) ?? [];
    list.push(code);
    this.codes.set(to, list);
  }

  count(to) {
    return this.codes.get(to)?.length ?? 0;
  }

  /** The `n`th code (1-based) that reached `to`, waiting for it up to 10 s. */
  async code(to, n) {
    const deadline = Date.now() + 10000;
    while (this.count(to) < n) {
      if (Date.now() > deadline) throw new Error(`no code #${n} reached ${to} within 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return this.codes.get(to)[n - 1];
  }
}

/**
 * Starts both sinks. Answers { mail, sms } (Inboxes), `env` for the host app (config/plugins.js
 * reads SMTP_HOST/SMTP_PORT and SMS_PROVIDER/SMS_WEBHOOK_URL) and close().
 */
export async function startDelivery() {
  const mail = new Inbox();
  const sms = new Inbox();
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks = [];
      stream.on('data', (chunk) => chunks.push(chunk));
      stream.on('end', () => {
        try {
          const { notice, text } = readMail(Buffer.concat(chunks).toString('latin1'));
          // Security notices (enrolment, lockout) carry no code.
          if (!notice) for (const { address } of session.envelope.rcptTo) mail.add(address.toLowerCase(), codeIn(text));
          callback();
        } catch (error) {
          callback(error);
        }
      });
    },
  });
  await new Promise((resolve) => smtp.listen(0, '127.0.0.1', resolve));

  const webhook = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      try {
        const { to, body } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        sms.add(to, codeIn(body));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      } catch (error) {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: error.message }));
      }
    });
  });
  await new Promise((resolve) => webhook.listen(0, '127.0.0.1', resolve));

  return {
    mail,
    sms,
    env: {
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.server.address().port),
      SMS_PROVIDER: 'webhook',
      SMS_WEBHOOK_URL: `http://127.0.0.1:${webhook.address().port}/webhook`,
    },
    close: async () => {
      webhook.closeAllConnections();
      await Promise.all([new Promise((resolve) => smtp.close(resolve)), new Promise((resolve) => webhook.close(resolve))]);
    },
  };
}
