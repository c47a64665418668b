import { expect } from 'vitest';
import { totpCode } from '../../server/src/core';
import type { TestApp } from './strapi';

/** Anything that answers HTTP like the host app: in-process or a child process. */
export type HttpApp = Pick<TestApp, 'http'>;

export const PASSWORD = 'Correct-Horse-9';

export interface TestUser {
  id: number;
  email: string;
  username: string;
  jwt: string;
}

let counter = 0;

/** A new users-permissions user, registered over HTTP like any frontend would. */
export async function registerUser(app: HttpApp, prefix = 'user'): Promise<TestUser> {
  counter += 1;
  const username = `${prefix}${counter}${Date.now().toString(36)}`;
  const email = `${username}@example.com`;
  const res = await app.http().post('/api/auth/local/register').send({ username, email, password: PASSWORD });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { id: res.body.user.id, email, username, jwt: res.body.jwt };
}

/** Unix seconds `steps` TOTP periods from now: each step gives a code the server has not seen. */
export const stepTime = (steps: number) => Date.now() / 1000 + steps * 30;

export const codeAt = (secret: string, steps = 0) => totpCode(secret, { time: stepTime(steps) });

/** Waits out the last 2 s of a TOTP step, so a code of the previous step stays inside the window. */
export async function awayFromStepEnd() {
  const left = 30_000 - (Date.now() % 30_000);
  if (left < 2_000) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

/**
 * Enrols an authenticator app for the user (enable + confirm with the code of the previous step,
 * so that the current and next steps stay free for logins). Returns the secret and backup codes.
 * `proof`: a current code of a factor the user already has (adding one needs it).
 */
export async function enrolTotp(app: HttpApp, user: TestUser, proof?: string): Promise<{ secret: string; backupCodes: string[] }> {
  const enable = await app
    .http()
    .post('/api/two-factor/enable')
    .set('Authorization', `Bearer ${user.jwt}`)
    .send({ method: 'totp', ...(proof ? { code: proof } : {}) });
  expect(enable.status, JSON.stringify(enable.body)).toBe(200);
  const secret = enable.body.secret as string;
  // The previous step's code is one step from the server's clock only if no step ends meanwhile.
  await awayFromStepEnd();
  const confirm = await app
    .http()
    .post('/api/two-factor/confirm')
    .set('Authorization', `Bearer ${user.jwt}`)
    .send({ method: 'totp', code: codeAt(secret, -1) });
  expect(confirm.status, JSON.stringify(confirm.body)).toBe(200);
  return { secret, backupCodes: confirm.body.backupCodes };
}

export async function passwordLogin(app: HttpApp, identifier: string, password = PASSWORD) {
  return app.http().post('/api/auth/local').send({ identifier, password });
}

/** Starts a login for a 2FA user and returns its mfa token. */
export async function pendingLogin(app: HttpApp, user: TestUser): Promise<string> {
  const res = await passwordLogin(app, user.email);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.twoFaRequired).toBe(true);
  return res.body.mfaToken;
}

export const pluginService = (app: TestApp, name: string): any => app.strapi.plugin('two-factor').service(name);

/**
 * What `fn` answers, and how many of its requests reached a route that resolves a pending login
 * (the login service's `resolve`, counted on the way through; the answers stay the real ones).
 */
export async function routeCalls<T>(app: TestApp, fn: () => Promise<T>): Promise<{ result: T; calls: number }> {
  const login = pluginService(app, 'login');
  const resolve = login.resolve;
  let calls = 0;
  login.resolve = function (this: unknown, ...args: unknown[]) {
    calls += 1;
    return resolve.apply(this, args);
  };
  try {
    return { result: await fn(), calls };
  } finally {
    login.resolve = resolve;
  }
}

/** Operator settings changed the way the admin panel changes them (validated, stored). */
export async function updateSettings(app: TestApp, patch: Record<string, unknown>) {
  const settings = pluginService(app, 'settings');
  const current = await settings.get();
  return settings.update({ ...current, ...patch, methods: { ...current.methods, ...((patch.methods as object) || {}) } });
}
