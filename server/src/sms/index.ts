import type { SmsProviderConfig } from '../config';
import { consoleProvider } from './console';
import { webhookProvider } from './webhook';
import { twilioProvider } from './twilio';
import type { ProviderContext, SmsProvider } from './types';

export type { SmsProvider } from './types';

/** The provider the configuration names (already checked by the config validator). */
export function createSmsProvider(config: SmsProviderConfig, context: ProviderContext): SmsProvider {
  const options = (config.providerOptions ?? {}) as Record<string, unknown>;
  switch (config.provider) {
    case 'console':
      return consoleProvider(options, context);
    case 'webhook':
      return webhookProvider(options);
    case 'twilio':
      return twilioProvider(options);
    case 'custom': {
      const send = config.send!;
      return { send: async (message) => send(message) };
    }
    default:
      throw new Error(`two-factor: unknown SMS provider ${String((config as { provider?: unknown }).provider)}`);
  }
}
