import type { Core } from '@strapi/strapi';
import { getService } from '../../utils/plugin';
import { twoFactorError } from '../../utils/errors';
import type { RequestMeta } from '../../utils/request-meta';
import type { FactorMethod } from '../../vocabulary';
import type { TokenRequest } from '../../services/tokens';
import type { VerifiedLogin } from '../../services/login';

/**
 * What only the NYYU dialect does, from the primitives the shared services offer: its code step
 * (`confirm2FA`) takes several factors at once, for the account its email names.
 */
export const nyyuOperations = (strapi: Core.Strapi) => ({
  /**
   * Every entry must verify before the pending login is consumed, and each is a counted attempt.
   * The last one consumes the pending login inside its attempt's transaction, as `verify` does,
   * so of parallel completions with one token exactly one gets tokens.
   */
  async verifyEach(input: {
    token: unknown;
    email: string;
    entries: { method: FactorMethod; code: unknown }[];
    meta?: RequestMeta;
    request: TokenRequest;
    trustDevice?: boolean;
  }): Promise<VerifiedLogin> {
    const login = getService(strapi, 'login');
    const { challenge, user, factors } = await login.resolve(input.token, ['login'], { factors: true });
    // A pending login opens only the account it was started for.
    if (String(user.email ?? '').toLowerCase() !== input.email.trim().toLowerCase()) throw twoFactorError('PENDING_EXPIRED');
    if (input.entries.length === 0) throw twoFactorError('INVALID_INPUT', 'At least one two-factor code is required');
    const last = input.entries.length - 1;
    const completion = login.completion(challenge, user, input.request);
    for (const [index, entry] of input.entries.entries()) {
      await getService(strapi, 'verification').verify({
        userId: user.id,
        code: entry.code,
        method: entry.method,
        meta: input.meta,
        challenge,
        factors,
        onSuccess: index === last ? completion.onSuccess : undefined,
      });
    }
    return login.withDevice(user, await completion.issued(), input);
  },
});
