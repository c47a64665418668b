import { startApp, type TestApp } from './strapi';
import { startMailServer, type MailServer } from './mail-server';
import { startSmsServer, type SmsServer } from './sms-server';

export interface DeliveryApp {
  app: TestApp;
  mail: MailServer;
  sms: SmsServer;
  stop(): Promise<void>;
}

/** The host app with its email going to a local SMTP server and its SMS to a local webhook sink. */
export async function startDeliveryApp(env: Record<string, string | undefined> = {}): Promise<DeliveryApp> {
  const [mail, sms] = await Promise.all([startMailServer(), startSmsServer()]);
  const app = await startApp({
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(mail.port),
    SMS_PROVIDER: 'webhook',
    SMS_WEBHOOK_URL: `${sms.url}/webhook`,
    ...env,
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
