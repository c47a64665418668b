import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitForCount } from './wait';

export interface ReceivedSms {
  via: 'webhook' | 'twilio';
  to: string;
  body: string;
  from?: string;
  /** Twilio: the account of the URL and the basic-auth user:password. */
  account?: string;
  auth?: string;
  headers: IncomingMessage['headers'];
}

export interface SmsServer {
  url: string;
  messages: ReceivedSms[];
  to(phone: string): ReceivedSms[];
  waitFor(phone: string, count: number, timeoutMs?: number): Promise<ReceivedSms[]>;
  /** While set, every request is answered with this status (and Twilio's error JSON). */
  fail(status: number | null): void;
  close(): Promise<void>;
}

export const TWILIO_SID = 'AC00000000000000000000000000000001';
export const TWILIO_TOKEN = 'twilio-test-auth-token';
export const TWILIO_FROM = '+15005550006';

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

/**
 * A local HTTP server speaking both SMS contracts the plugin knows:
 * - webhook: POST /webhook with JSON { to, body };
 * - Twilio: POST /2010-04-01/Accounts/{sid}/Messages.json, form-encoded To, From, Body, basic auth sid:token.
 */
export async function startSmsServer(): Promise<SmsServer> {
  const messages: ReceivedSms[] = [];
  let failure: number | null = null;
  const server = createServer(async (req, res) => {
    const raw = await readBody(req);
    if (failure) return json(res, failure, { code: 30001, message: 'Queue overflow', status: failure });
    if (req.method === 'POST' && req.url === '/webhook') {
      if (!String(req.headers['content-type']).startsWith('application/json')) return json(res, 415, { error: 'JSON only' });
      const { to, body } = JSON.parse(raw);
      messages.push({ via: 'webhook', to, body, headers: req.headers });
      return json(res, 200, { ok: true });
    }
    const twilio = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(req.url ?? '');
    if (req.method === 'POST' && twilio) {
      const auth = Buffer.from(String(req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
      if (auth !== `${TWILIO_SID}:${TWILIO_TOKEN}` || twilio[1] !== TWILIO_SID) {
        return json(res, 401, { code: 20003, message: 'Authenticate', status: 401 });
      }
      if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) {
        return json(res, 400, { code: 21601, message: 'Form data expected', status: 400 });
      }
      const form = new URLSearchParams(raw);
      const to = form.get('To') ?? '';
      if (!/^\+[1-9]\d{6,14}$/.test(to)) return json(res, 400, { code: 21211, message: `The 'To' number ${to} is not a valid phone number.`, status: 400 });
      messages.push({ via: 'twilio', to, body: form.get('Body') ?? '', from: form.get('From') ?? undefined, account: twilio[1], auth, headers: req.headers });
      return json(res, 201, { sid: `SM${messages.length}`, status: 'queued', to, from: form.get('From') });
    }
    return json(res, 404, { error: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const to = (phone: string) => messages.filter((m) => m.to === phone);
  return {
    url,
    messages,
    to,
    waitFor: (phone, count, timeoutMs) => waitForCount(() => to(phone), count, `SMS to ${phone}`, timeoutMs),
    fail(status) {
      failure = status;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
