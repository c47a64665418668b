import { afterEach, describe, expect, it } from 'vitest';
import config from '../../server/src/config';

const valid = (patch: Record<string, unknown> = {}) => ({ ...config.default, ...patch }) as any;
const check = (patch: Record<string, unknown>) => () => config.validator(valid(patch));

describe('plugin configuration validator: SMS providers', () => {
  const env = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = env;
  });

  it('accepts the defaults and each provider with its options', () => {
    expect(check({})).not.toThrow();
    expect(check({ sms: { provider: 'console' } })).not.toThrow();
    expect(check({ sms: { provider: 'webhook', providerOptions: { url: 'https://sms.example.com/send' } } })).not.toThrow();
    expect(check({ sms: { provider: 'twilio', providerOptions: { accountSid: 'AC1', authToken: 't', from: '+15005550006' } } })).not.toThrow();
    expect(check({ sms: { provider: 'twilio', providerOptions: { accountSid: 'AC1', authToken: 't', messagingServiceSid: 'MG1' } } })).not.toThrow();
    expect(check({ sms: { provider: 'custom', send: async () => undefined } })).not.toThrow();
  });

  it('names what is missing', () => {
    expect(check({ sms: { provider: 'carrier-pigeon' } })).toThrow(/console, webhook, twilio or custom/);
    expect(check({ sms: { provider: 'webhook', providerOptions: {} } })).toThrow(/providerOptions.url/);
    expect(check({ sms: { provider: 'webhook', providerOptions: { url: 'ftp://x' } } })).toThrow(/providerOptions.url/);
    expect(check({ sms: { provider: 'twilio', providerOptions: { authToken: 't', from: '+1' } } })).toThrow(/accountSid/);
    expect(check({ sms: { provider: 'twilio', providerOptions: { accountSid: 'AC1', authToken: 't' } } })).toThrow(/from/);
    expect(check({ sms: { provider: 'twilio', providerOptions: { accountSid: 'AC1', authToken: 't', from: '+1', apiUrl: 'x' } } })).toThrow(/apiUrl/);
    expect(check({ sms: { provider: 'custom' } })).toThrow(/sms.send must be a function/);
    expect(check({ sms: { provider: 'console', template: '' } })).toThrow(/sms.template/);
  });

  it('refuses the console provider in production: it writes codes to the log', () => {
    process.env.NODE_ENV = 'production';
    expect(check({ sms: { provider: 'console' } })).toThrow(/console SMS provider only logs/);
  });
});

describe('plugin configuration validator: email template and send limits', () => {
  it('needs subject, text and html', () => {
    expect(check({ email: { template: { subject: 's', text: 't' } } })).toThrow(/email.template.html/);
  });

  it('checks the send limits', () => {
    const limits = config.default.sendLimits;
    expect(check({ sendLimits: { ...limits, cooldown: -1 } })).toThrow(/cooldown/);
    expect(check({ sendLimits: { ...limits, perIp: { max: 0, window: 60 } } })).toThrow(/perIp/);
    expect(check({ sendLimits: { ...limits, perAccount: { max: 5 } } })).toThrow(/perAccount/);
  });
});

describe('plugin configuration validator: notifications', () => {
  const notifications = (patch: Record<string, unknown>) => ({ notifications: { ...config.default.notifications, ...patch } });

  it('accepts the defaults, events switched off and templates of known events', () => {
    expect(check(notifications({ enabled: false }))).not.toThrow();
    expect(check(notifications({ events: { lockout: false, 'backup_code.used': true } }))).not.toThrow();
    expect(check(notifications({ templates: { enabled: { subject: 'On', text: 'On <%= time %>' } } }))).not.toThrow();
  });

  it('names what is wrong', () => {
    expect(check({ notifications: undefined })).toThrow(/notifications.enabled must be true or false/);
    expect(check(notifications({ events: { login: false } }))).toThrow(/notifications.events.login is not a notice; known: enabled, disabled/);
    expect(check(notifications({ events: { lockout: 'no' } }))).toThrow(/notifications.events.lockout must be true or false/);
    expect(check(notifications({ templates: { lockedOut: { subject: 'x' } } }))).toThrow(/notifications.templates.lockedOut is not a notice/);
    expect(check(notifications({ templates: { lockout: { subject: '' } } }))).toThrow(/takes non-empty strings subject, text and html/);
    expect(check(notifications({ templates: { lockout: { body: 'x' } } }))).toThrow(/takes non-empty strings subject, text and html/);
  });
});

describe('plugin configuration validator: clean-up', () => {
  it('is on by default, hourly, and takes enabled and a cron rule', () => {
    expect(config.default.cleanup).toEqual({ enabled: true, rule: '23 * * * *' });
    expect(check({ cleanup: { enabled: false, rule: '0 3 * * *' } })).not.toThrow();
    expect(check({ cleanup: { enabled: 'yes', rule: '0 3 * * *' } })).toThrow(/cleanup needs enabled/);
    expect(check({ cleanup: { enabled: true, rule: '' } })).toThrow(/cleanup needs enabled/);
  });
});
