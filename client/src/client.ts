import { accountApi, devicesApi } from './account';
import { createSend, type HttpOptions } from './http';
import { loginResult, type LoginContext, type LoginResult } from './login';
import { passkeysApi } from './passkeys';
import { createSessionState, memoryDeviceTokenStore, type DeviceTokenStore, type JwtSource, type Session } from './session';
import type { LoginAnswer, StepUpProof } from './types';
import { webAuthnLoader, type WebAuthnCeremonies } from './webauthn';

export interface TwoFactorClientOptions extends HttpOptions {
  /**
   * The signed-in user's JWT, for a client created after the login (a string, or a function read
   * before each request). A login through this client sets its own.
   */
  jwt?: JwtSource;
  /** Told each time the session changes (a login, `signOut`): to keep the JWT where the app keeps it. */
  onSession?: (session: Session | null) => void;
  /**
   * Where a remembered device's token is kept (default: this client's memory). A browser with
   * `credentials: 'include'` also has it as an httpOnly cookie; a native app passes a store backed
   * by its secure storage.
   */
  deviceTokens?: DeviceTokenStore;
  /**
   * Send the kept device token as `X-Two-Factor-Device` when listing devices, so the list marks
   * this device `current` without the cookie (native apps, server code). A browser on another
   * origin needs that header allowed by CORS; with the cookie it needs nothing.
   */
  deviceHeader?: boolean;
  /** @simplewebauthn/browser (or its two functions), for the passkey helpers; imported on first use when left out. */
  webauthn?: WebAuthnCeremonies;
}

/**
 * A typed client of the plugin's REST API (docs/client.md): the login with its second factor,
 * enrolment, backup codes, step-up, remembered devices and passkeys. Every failure is a
 * TwoFactorError with the plugin's error code.
 */
export function createTwoFactorClient(options: TwoFactorClientOptions) {
  const send = createSend(options);
  const session = createSessionState(options.jwt, options.onSession);
  const devices = options.deviceTokens ?? memoryDeviceTokenStore();
  const context: LoginContext = { send, session, devices, webauthn: webAuthnLoader(options.webauthn) };
  const deviceList = devicesApi(send, session, async () => (options.deviceHeader ? devices.get() : null));

  return {
    /**
     * `POST /api/auth/local`: signed in, a second factor to answer, or a first factor to set up.
     * A remembered device's token (from `deviceTokens`) goes along, so a trusted device signs in directly.
     */
    async login(input: { identifier: string; password: string }): Promise<LoginResult> {
      const deviceToken = await devices.get();
      const body = { identifier: input.identifier, password: input.password, ...(deviceToken ? { deviceToken } : {}) };
      return loginResult(context, await send<LoginAnswer>({ method: 'POST', path: '/auth/local', body }));
    },
    /** The tokens of the last login (or the JWT given), null when signed out. */
    get session(): Session | null {
      return session.current;
    },
    /** Uses this JWT from now on (a login done elsewhere, a renewed token); null signs out. */
    setSession(next: Session | string | null) {
      session.set(typeof next === 'string' ? { jwt: next } : next);
    },
    /** Forgets the session here (the JWT stays valid until it expires: users-permissions has no logout route). */
    signOut() {
      session.set(null);
    },
    ...accountApi(send, session),
    devices: {
      ...deviceList,
      /** Forgets every device, this one too (its kept token is dropped). */
      async revokeAll(proof: StepUpProof = {}) {
        const answer = await deviceList.revokeAll(proof);
        await devices.set(null);
        return answer;
      },
      /** The token this client keeps for a remembered device, if any. */
      token: async () => (await devices.get()) ?? null,
    },
    passkeys: passkeysApi(context),
  };
}

export type TwoFactorClient = ReturnType<typeof createTwoFactorClient>;
