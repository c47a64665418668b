import type { IssuedTokens, User } from './types';

/** Where a remembered device's token is kept between logins. */
export interface DeviceTokenStore {
  get(): string | null | undefined | Promise<string | null | undefined>;
  set(token: string | null): void | Promise<void>;
}

/** A store in this client's memory: the token lasts as long as the page or process. */
export const memoryDeviceTokenStore = (initial: string | null = null): DeviceTokenStore => {
  let token = initial;
  return {
    get: () => token,
    set: (value) => {
      token = value;
    },
  };
};

/** The signed-in user of this client: the tokens its last login answered (or that it was given). */
export interface Session {
  jwt: string;
  user?: User;
  refreshToken?: string;
}

export type JwtSource = string | null | (() => string | null | undefined | Promise<string | null | undefined>);

/** The client's session: the JWT it sends to the routes that need a signed-in user. */
export const createSessionState = (source: JwtSource | undefined, onChange?: (session: Session | null) => void) => {
  let session: Session | null = typeof source === 'string' ? { jwt: source } : null;
  const external = typeof source === 'function' ? source : undefined;
  return {
    get current() {
      return session;
    },
    /** The JWT to send: the session's, else the one `source` gives. */
    async jwt(): Promise<string | undefined> {
      return session?.jwt ?? (external ? ((await external()) ?? undefined) : undefined);
    },
    set(next: Session | null) {
      session = next;
      onChange?.(next);
    },
    fromIssued(issued: IssuedTokens) {
      this.set({ jwt: issued.jwt, user: issued.user, ...(issued.refreshToken ? { refreshToken: issued.refreshToken } : {}) });
    },
  };
};

export type SessionState = ReturnType<typeof createSessionState>;
