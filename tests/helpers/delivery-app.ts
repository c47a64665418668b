import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startApp, type TestApp } from './strapi';
import { startMailServer, type MailServer } from './mail-server';
import { startSmsServer, TWILIO_FROM, TWILIO_SID, TWILIO_TOKEN, type SmsServer } from './sms-server';

export interface DeliveryApp {
  app: TestApp;
  mail: MailServer;
  sms: SmsServer;
  stop(): Promise<void>;
}

export interface DeliveryOptions {
  /** Email to the local SMTP server (default); false sets no SMTP_HOST, so the host app logs its mail. */
  mail?: boolean;
  /**
   * SMS to the local sink, through its webhook (default) or its Twilio Messages API; 'none' turns
   * SMS off; false sets no SMS variables (the host app's default, the console provider).
   */
  sms?: 'webhook' | 'twilio' | 'none' | false;
  /** More variables for this boot, over the ones above. */
  env?: Record<string, string | undefined>;
}

// The host app maps these variables to the plugin's configuration (docs/development.md, "The host app").
const smsEnv = (via: DeliveryOptions['sms'], sms: SmsServer): Record<string, string> => {
  if (via === 'none') return { SMS_PROVIDER: 'none' };
  if (via === 'webhook') return { SMS_PROVIDER: 'webhook', SMS_WEBHOOK_URL: `${sms.url}/webhook` };
  if (via === 'twilio') {
    return { SMS_PROVIDER: 'twilio', TWILIO_ACCOUNT_SID: TWILIO_SID, TWILIO_AUTH_TOKEN: TWILIO_TOKEN, TWILIO_FROM, TWILIO_API_URL: sms.url };
  }
  return {};
};

/**
 * The host app with its email going to a local SMTP server and its SMS to a local sink. Both
 * servers always run (they are cheap), so the shape is one; the options say which the app uses.
 */
export async function startDeliveryApp({ mail: useMail = true, sms: via = 'webhook', env = {} }: DeliveryOptions = {}): Promise<DeliveryApp> {
  const [mail, sms] = await Promise.all([startMailServer(), startSmsServer()]);
  const app = await startApp({
    ...(useMail ? { SMTP_HOST: '127.0.0.1', SMTP_PORT: String(mail.port) } : {}),
    ...smsEnv(via, sms),
    ...env,
  }).catch(async (error: unknown) => {
    await Promise.all([mail.close(), sms.close()]);
    throw error;
  });
  return {
    app,
    mail,
    sms,
    async stop() {
      await app.stop();
      await Promise.all([mail.close(), sms.close()]);
    },
  };
}

/**
 * A suite's delivery app: boots it before the suite's tests (`ready` then takes what the
 * suite uses and declares its log lines), has both servers accept again before each test (a test
 * may have made one refuse), and stops it all after the suite.
 */
export function useDeliveryApp(options: DeliveryOptions, ready: (delivery: DeliveryApp) => void | Promise<void>): void {
  let delivery: DeliveryApp | undefined;
  beforeAll(async () => {
    delivery = await startDeliveryApp(options);
    await ready(delivery);
  });
  beforeEach(() => {
    delivery?.mail.refuse(null);
    delivery?.sms.fail(null);
  });
  afterAll(async () => {
    await delivery?.stop();
  });
}
