import type { Core } from '@strapi/strapi';
import { renderTemplate, type TemplateVars } from '../core';
import type { PluginConfig } from '../config';
import { PLUGIN_ID } from '../utils/plugin';
import { twoFactorError } from '../utils/errors';

/** What a delivery error may say in the log: its code and message, with the code blanked out. */
export const safeReason = (error: unknown, code: string): string => {
  const e = error as { code?: unknown; responseCode?: unknown; message?: unknown };
  const parts = [e?.code, e?.responseCode, typeof e?.message === 'string' ? e.message.slice(0, 300) : String(error)];
  return parts
    .filter((part) => part !== undefined && part !== null && part !== '')
    .join(' ')
    .split(code)
    .join('[code]');
};

/**
 * Emails a code through Strapi's email plugin, so any Strapi email provider works. Templates
 * come from the plugin configuration.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const config = () => strapi.config.get(`plugin::${PLUGIN_ID}`) as PluginConfig;

  return {
    /** Sends the code; an unavailable or failing provider is a 503, logged without the code. */
    async sendCode(input: { to: string; code: string; vars: TemplateVars }) {
      const email = strapi.plugin('email');
      if (!email) throw twoFactorError('DELIVERY_UNAVAILABLE', 'Email is not available: the email plugin is not installed');
      const { template, from, replyTo } = config().email;
      const vars = { ...input.vars, code: input.code };
      try {
        await email.service('email').send({
          to: input.to,
          ...(from ? { from } : {}),
          ...(replyTo ? { replyTo } : {}),
          subject: renderTemplate(template.subject, vars).replace(/[\r\n]+/g, ' '),
          text: renderTemplate(template.text, vars),
          html: renderTemplate(template.html, vars, { html: true }),
        });
      } catch (error) {
        strapi.log.error(`two-factor: email delivery failed: ${safeReason(error, input.code)}`);
        throw twoFactorError('DELIVERY_FAILED', 'The email could not be sent. Try again later.');
      }
    },
  };
};
