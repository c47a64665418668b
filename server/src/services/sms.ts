import type { Core } from '@strapi/strapi';
import { renderTemplate, type TemplateVars } from '../core';
import { DEFAULT_SMS_TEMPLATE, type PluginConfig, type SmsProviderConfig } from '../config';
import { createSmsProvider, type SmsProvider } from '../sms';
import { PLUGIN_ID } from '../utils/plugin';
import { twoFactorError } from '../utils/errors';
import { safeReason } from './email-delivery';

/** Texts a code through the configured provider (console, webhook, Twilio or the host app's own: sms/). */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const config = () => strapi.config.get(`plugin::${PLUGIN_ID}`) as PluginConfig;
  // One provider per configuration object: built once, rebuilt if the configuration is replaced.
  let built: { from: SmsProviderConfig; provider: SmsProvider } | null = null;

  const provider = (): SmsProvider | null => {
    const sms = config().sms;
    if (!sms) return null;
    if (built?.from !== sms) built = { from: sms, provider: createSmsProvider(sms, { log: (line) => strapi.log.info(line) }) };
    return built.provider;
  };

  return {
    /** Sends the code to an E.164 number; a provider failure is a 503 and is logged without the code. */
    async sendCode(input: { to: string; code: string; vars: TemplateVars }) {
      const sms = provider();
      if (!sms) throw twoFactorError('DELIVERY_UNAVAILABLE', 'SMS module required: no SMS provider is configured');
      const body = renderTemplate(config().sms?.template || DEFAULT_SMS_TEMPLATE, { ...input.vars, code: input.code });
      try {
        await sms.send({ to: input.to, body });
      } catch (error) {
        strapi.log.error(`two-factor: SMS delivery via ${config().sms?.provider} failed: ${safeReason(error, input.code)}`);
        throw twoFactorError('DELIVERY_FAILED', 'The SMS could not be sent. Try again later.');
      }
    },
  };
};
