import { TwoFactorError } from './errors';
import type { PublicKeyOptionsJSON, WebAuthnResponseJSON } from './types';

/**
 * The two browser ceremonies the passkey helpers need, as @simplewebauthn/browser (v13+) names
 * them. Pass the module (or your own functions) as `webauthn` to createTwoFactorClient; left
 * out, it is imported on first use, so the client works without it until a passkey is asked for.
 */
export interface WebAuthnCeremonies {
  startRegistration(options: { optionsJSON: any }): Promise<unknown>;
  startAuthentication(options: { optionsJSON: any }): Promise<unknown>;
}

const PACKAGE = '@simplewebauthn/browser';

/** The ceremonies: the injected ones, else the optional peer dependency, imported once. */
export const webAuthnLoader = (injected?: WebAuthnCeremonies) => {
  let loaded: Promise<WebAuthnCeremonies> | undefined = injected ? Promise.resolve(injected) : undefined;
  return (): Promise<WebAuthnCeremonies> => {
    loaded ??= (import(/* @vite-ignore */ PACKAGE) as Promise<WebAuthnCeremonies>).catch((cause: unknown) => {
      loaded = undefined;
      throw new TwoFactorError({
        code: 'PASSKEYS_UNAVAILABLE',
        status: 0,
        message: `Passkeys need ${PACKAGE}: install it, or pass \`webauthn\` to createTwoFactorClient`,
        cause,
      });
    });
    return loaded;
  };
};

/** Runs a ceremony; the browser's refusal or cancellation becomes a TwoFactorError. */
export const ceremony = async (
  run: (options: { optionsJSON: PublicKeyOptionsJSON }) => Promise<unknown>,
  optionsJSON: PublicKeyOptionsJSON
): Promise<WebAuthnResponseJSON> => {
  try {
    return (await run({ optionsJSON })) as WebAuthnResponseJSON;
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : 'The passkey ceremony failed';
    throw new TwoFactorError({ code: 'PASSKEY_CANCELLED', status: 0, message, cause });
  }
};
