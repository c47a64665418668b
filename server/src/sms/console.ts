import type { ProviderContext, SmsProvider } from './types';

/** Development only (refused in production by the config validator): writes the message to the log. */
export const consoleProvider = (_options: Record<string, unknown>, context: ProviderContext): SmsProvider => ({
  async send({ to, body }) {
    context.log(`two-factor [console SMS provider, development only] to ${to}: ${body}`);
  },
});
