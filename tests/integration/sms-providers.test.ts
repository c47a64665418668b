import { describe, it, expect, afterAll, beforeEach } from 'vitest';
import type { TestApp } from '../helpers/strapi';
import { pendingLogin, registerUser } from '../helpers/flows';
import { TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN, type SmsServer } from '../helpers/sms-server';
import { useDeliveryApp } from '../helpers/delivery-app';
import { captureLogs } from '../helpers/logs';
import { auth, newPhone, send, setSendLimits, textedCode, smsUser, verify, withSmsConfig } from '../helpers/otp-flows';

let app: TestApp;
let sms: SmsServer;
let logs: ReturnType<typeof captureLogs>;

useDeliveryApp({ mail: false, sms: 'twilio' }, (delivery) => {
  ({ app, sms } = delivery);
  app.logs.expect(/two-factor: SMS delivery via (custom|twilio) failed/); // the failing gateway tests
  logs = captureLogs(app.strapi);
});
afterAll(() => logs?.stop());
beforeEach(() => setSendLimits(app));

const withSms = (config: unknown, fn: () => Promise<void>) => withSmsConfig(app, config, fn);

describe('twilio provider (Messages API)', () => {
  it('posts To, From and Body form-encoded with basic auth to {apiUrl}/2010-04-01/Accounts/{sid}/Messages.json', async () => {
    const { user, phone } = await smsUser(app, sms);
    const [message] = sms.to(phone);
    expect(message).toMatchObject({ via: 'twilio', to: phone, from: TWILIO_FROM, account: TWILIO_SID, auth: `${TWILIO_SID}:${TWILIO_TOKEN}` });
    expect(message.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(message.body).toMatch(/^\d{6} is your Strapi verification code\. It expires in 10 minutes\.$/);
    // A login code through Twilio too.
    const mfaToken = await pendingLogin(app, user);
    expect((await send(app, { mfaToken, method: 'sms' })).status).toBe(200);
    expect((await verify(app, { mfaToken, code: await textedCode(sms, phone, 2) })).status).toBe(200);
  });

  it('a Twilio error answer is a 503 for the caller and a logged reason without the code', async () => {
    const user = await registerUser(app);
    sms.fail(429);
    const res = await app.http().post('/api/two-factor/enable').set(auth(user)).send({ method: 'sms', phone: newPhone() });
    expect(res.status).toBe(503);
    expect(res.body.error.message).toBe('The SMS could not be sent. Try again later.');
    expect(logs.text()).toMatch(/SMS delivery via twilio failed: Twilio answered HTTP 429 \(30001 Queue overflow\)/);
    expect(await app.strapi.db.connection('two_factor_factors').where('user_id', user.id)).toHaveLength(0);
  });

  it('wrong credentials are a 503 too', async () => {
    const user = await registerUser(app);
    const options = app.strapi.config.get('plugin::two-factor.sms.providerOptions') as Record<string, unknown>;
    await withSms({ provider: 'twilio', providerOptions: { ...options, authToken: 'wrong' } }, async () => {
      const res = await app.http().post('/api/two-factor/enable').set(auth(user)).send({ method: 'sms', phone: newPhone() });
      expect(res.status).toBe(503);
    });
    expect(logs.text()).toMatch(/Twilio answered HTTP 401 \(20003 Authenticate\)/);
  });
});

describe('custom provider', () => {
  it('calls the host app function with { to, body }; a throw is a 503', async () => {
    const sent: { to: string; body: string }[] = [];
    let fail = false;
    const custom = {
      provider: 'custom',
      send: async (message: { to: string; body: string }) => {
        if (fail) throw new Error('gateway down');
        sent.push(message);
      },
    };
    await withSms(custom, async () => {
      const user = await registerUser(app);
      const phone = newPhone();
      fail = true;
      expect((await app.http().post('/api/two-factor/enable').set(auth(user)).send({ method: 'sms', phone })).status).toBe(503);
      fail = false;
      expect((await app.http().post('/api/two-factor/enable').set(auth(user)).send({ method: 'sms', phone })).status).toBe(200);
      expect(sent).toHaveLength(1);
      expect(sent[0].to).toBe(phone);
      const code = /\d{6}/.exec(sent[0].body)![0];
      const confirm = await app.http().post('/api/two-factor/confirm').set(auth(user)).send({ method: 'sms', code });
      expect(confirm.status).toBe(200);
    });
    expect(logs.text()).toMatch(/SMS delivery via custom failed: gateway down/);
  });
});

describe('console provider (development)', () => {
  it('writes the message to the log', async () => {
    await withSms({ provider: 'console' }, async () => {
      const user = await registerUser(app);
      const phone = newPhone();
      expect((await app.http().post('/api/two-factor/enable').set(auth(user)).send({ method: 'sms', phone })).status).toBe(200);
      expect(logs.text()).toMatch(new RegExp(`\\[console SMS provider, development only\\] to \\${phone}: \\d{6} is your Strapi verification code`));
    });
  });
});
