import { proofHeaders, requireJwt, type EnableProof } from './account';
import type { Send } from './http';
import { loginResult, type LoginContext, type LoginResult } from './login';
import type { LoginAnswer, Passkey, PasskeyAdded, PublicKeyOptionsJSON, StepUpProof } from './types';
import { ceremony } from './webauthn';

/** The signed-in user's passkeys, and signing in with a passkey alone. Browser only (WebAuthn). */
export const passkeysApi = (context: LoginContext) => {
  const { send, session } = context;
  const asUser = async <T>(method: Parameters<Send>[0]['method'], path: string, body?: unknown, headers?: Record<string, string>) =>
    send<T>({ method, path, body, headers, bearer: await requireJwt(session) });

  return {
    /**
     * Registers a passkey of this browser for the signed-in user: creation options, the browser's
     * ceremony, then the answer. Adding it to an account that has a factor needs a fresh session or `code`.
     */
    async register(options: { name?: string } & EnableProof = {}): Promise<PasskeyAdded> {
      const { startRegistration } = await context.webauthn();
      const proof = { ...(options.code !== undefined ? { code: options.code } : {}), ...(options.codeMethod ? { codeMethod: options.codeMethod } : {}) };
      const optionsJSON = await asUser<PublicKeyOptionsJSON>('POST', '/two-factor/passkeys/options', proof);
      const response = await ceremony(startRegistration, optionsJSON);
      return asUser<PasskeyAdded>('POST', '/two-factor/passkeys', { response, ...(options.name ? { name: options.name } : {}), ...proof });
    },
    list: () => asUser<Passkey[]>('GET', '/two-factor/passkeys'),
    rename: (id: number, name: string) => asUser<Passkey>('PUT', `/two-factor/passkeys/${encodeURIComponent(String(id))}`, { name }),
    /** Removes a passkey. Needs a fresh session or a code (sent as headers: Strapi parses no DELETE body). */
    delete: (id: number, proof: StepUpProof = {}) =>
      asUser<unknown>('DELETE', `/two-factor/passkeys/${encodeURIComponent(String(id))}`, undefined, proofHeaders(proof)),
    /** Passwordless sign-in: the browser offers the site's passkeys, and the one chosen signs in. */
    async signIn(): Promise<LoginResult> {
      const { startAuthentication } = await context.webauthn();
      const optionsJSON = await send<PublicKeyOptionsJSON>({ method: 'POST', path: '/two-factor/passkeys/login/options', body: {} });
      const response = await ceremony(startAuthentication, optionsJSON);
      return loginResult(context, await send<LoginAnswer>({ method: 'POST', path: '/two-factor/passkeys/login', body: { response } }));
    },
  };
};
