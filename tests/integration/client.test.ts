import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import ts from 'typescript';
import type { AddressInfo } from 'node:net';
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import type { TestApp } from '../helpers/strapi';
import { useDeliveryApp } from '../helpers/delivery-app';
import { PASSWORD, awayFromStepEnd, codeAt, registerUser, updateSettings, type TestUser } from '../helpers/flows';
import { createUser, ensureRole } from '../helpers/admin';
import type { MailServer } from '../helpers/mail-server';
import type { SmsServer } from '../helpers/sms-server';
import { mailedCode, newPhone, setSendLimits, textedCode } from '../helpers/otp-flows';
import contentApiRoutes from '../../server/src/routes/content-api';
import { loginSchemas } from '../../server/src/routes/schemas/login';
import { withZod, type Schema } from '../../server/src/routes/schemas/zod';

/**
 * The frontend client (`strapi-plugin-two-factor/client`, built into dist/client by the plugin
 * build) against the host app over real HTTP, with Node's fetch and no cookies: the client carries
 * the mfa token and the remembered device's token itself, as a native app or server code would.
 * Every answer it reads is also checked against the schema its route declares
 * (server/src/routes/schemas), so the client and the server's documented contract cannot drift apart.
 */
type ClientModule = typeof import('../../client/src');
const { createTwoFactorClient, TwoFactorError } = createRequire(__filename)(
  path.resolve(__dirname, '../../dist/client/index.js')
) as ClientModule;

let app: TestApp;
let mail: MailServer;
let sms: SmsServer;
let baseUrl: string;

useDeliveryApp({ sms: 'webhook' }, async (delivery) => {
  ({ app, mail, sms } = delivery);
  const server = app.strapi.server.httpServer;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await ensureRole(app.strapi, 'staff', 'Staff');
});
beforeEach(async () => {
  setSendLimits(app);
  await updateSettings(app, { trustedDevices: { enabled: true, days: 30 }, enforcedRoles: [], maxFailures: 10, lockDuration: 900 });
});

// ── the declared answer of each route the client calls ──────────────────────────────────────────
const passwordLoginAnswer = withZod((z) => loginSchemas(z).passwordLogin.response)!;
const declared = (method: string, url: string): Schema | undefined => {
  const { pathname } = new URL(url);
  if (method === 'POST' && pathname === '/api/auth/local') return passwordLoginAnswer;
  const route = contentApiRoutes.find((r) => {
    if (r.method !== method || r.config.prefix === '') return false;
    const pattern = new RegExp(`^/api/two-factor${r.path.replace(/:[^/]+/g, '[^/]+')}$`);
    return pattern.test(pathname);
  });
  return route?.response;
};

interface Exchange {
  method: string;
  url: string;
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

/** A client on its own fetch, which records each exchange and checks each 2xx answer against its route's schema. */
function newClient(options: { jwt?: string; deviceHeader?: boolean } = {}) {
  const exchanges: Exchange[] = [];
  const recordingFetch = async (input: string, init: RequestInit) => {
    const response = await fetch(input, init);
    const text = await response.clone().text();
    const method = init.method ?? 'GET';
    const body = text ? JSON.parse(text) : undefined;
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => (headers[name] = value));
    exchanges.push({ method, url: input, status: response.status, body, headers });
    if (response.ok) {
      const schema = declared(method, input);
      expect(schema, `${method} ${input} declares its answer`).toBeDefined();
      const parsed = schema!.safeParse(body);
      expect(parsed.success, `${method} ${input}: ${JSON.stringify(body)} ${parsed.error?.message ?? ''}`).toBe(true);
    }
    return response;
  };
  const client = createTwoFactorClient({ url: baseUrl, fetch: recordingFetch, ...options });
  return { client, exchanges };
}

/** The TwoFactorError a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<InstanceType<typeof TwoFactorError>> {
  const error = await promise.then(
    () => {
      throw new Error('expected a TwoFactorError, got an answer');
    },
    (e: unknown) => e
  );
  expect(error).toBeInstanceOf(TwoFactorError);
  return error as InstanceType<typeof TwoFactorError>;
}

/** A registered user, signed in through a client of their own. */
async function signedInClient(prefix: string) {
  const user = await registerUser(app, prefix);
  const { client, exchanges } = newClient();
  const result = await client.login({ identifier: user.email, password: PASSWORD });
  if (result.status !== 'signed-in') throw new Error(`expected signed-in, got ${result.status}`);
  return { user, client, exchanges, result };
}

/** A user who turned an authenticator app on through the client: its secret and backup codes. */
async function totpUser(prefix: string) {
  const { user, client } = await signedInClient(prefix);
  const enrolment = await client.enable({ method: 'totp' });
  await awayFromStepEnd();
  const confirmation = await client.confirm({ method: 'totp', code: codeAt(enrolment.secret, -1) });
  return { user, client, secret: enrolment.secret, backupCodes: confirmation.backupCodes ?? [] };
}

/** A six-digit code that is none of the codes the server would take now. */
const wrongCode = (secret: string) => {
  const taken = new Set([-1, 0, 1].map((step) => codeAt(secret, step)));
  return ['000000', '111111', '222222', '333333'].find((code) => !taken.has(code))!;
};

/** The second-factor step of a fresh client's password login. */
async function secondFactor(user: TestUser, client = newClient().client) {
  const result = await client.login({ identifier: user.email, password: PASSWORD });
  if (result.status !== 'second-factor') throw new Error(`expected second-factor, got ${result.status}`);
  return { client, step: result };
}

describe('login without two-factor', () => {
  it('is signed in at once; the client keeps the JWT and sends it', async () => {
    const { client, exchanges, result } = await signedInClient('cplain');
    expect(result).toEqual({ status: 'signed-in', jwt: expect.any(String), user: expect.objectContaining({ id: expect.any(Number) }) });
    expect(client.session?.jwt).toBe(result.jwt);
    expect(await client.status()).toEqual({ enabled: false, methods: [], backupCodesRemaining: 0 });
    expect(exchanges.at(-1)?.headers.authorization).toBe(`Bearer ${result.jwt}`);
  });

  it('a wrong password is a TwoFactorError with users-permissions own message', async () => {
    const user = await registerUser(app, 'cwrongpw');
    const error = await failure(newClient().client.login({ identifier: user.email, password: 'not-the-password' }));
    expect({ code: error.code, status: error.status, message: error.message }).toEqual({
      code: 'INVALID_INPUT',
      status: 400,
      message: 'Invalid identifier or password',
    });
  });

  it('refuses the signed-in routes before any request when it has no session', async () => {
    const { client, exchanges } = newClient();
    const error = await failure(client.status());
    expect(error.code).toBe('AUTH_REQUIRED');
    expect(exchanges).toHaveLength(0);
  });
});

describe('an authenticator app (TOTP)', () => {
  it('enable answers the QR code and secret; confirm turns it on with ten backup codes', async () => {
    const { client } = await signedInClient('ctotp');
    const enrolment = await client.enable({ method: 'totp' });
    expect(enrolment.qrCode).toMatch(/^data:image\/png;base64,/);
    expect(enrolment.qrCodeSvg).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(enrolment.otpauthUrl).toContain(`secret=${enrolment.secret}`);
    await awayFromStepEnd();
    const confirmation = await client.confirm({ method: 'totp', code: codeAt(enrolment.secret, -1) });
    expect(confirmation).toMatchObject({ enabled: true, methods: ['totp'] });
    expect(confirmation.backupCodes).toHaveLength(10);
    expect(await client.status()).toEqual({ enabled: true, methods: ['totp'], backupCodesRemaining: 10 });
  });

  it('a login asks for the second factor; a wrong code is INVALID_CODE; the right one signs in', async () => {
    const { user, secret } = await totpUser('ctotplogin');
    const { client, step } = await secondFactor(user);
    expect(step.methods).toEqual(['totp', 'backup_code']);
    expect(step.mfaToken).toEqual(expect.any(String));
    expect(Date.parse(step.expiresAt)).toBeGreaterThan(Date.now());
    expect(client.session).toBeNull();

    const wrong = await failure(step.verify({ code: wrongCode(secret) }));
    expect({ code: wrong.code, status: wrong.status, message: wrong.message }).toEqual({
      code: 'INVALID_CODE',
      status: 400,
      message: 'Invalid two-factor code',
    });
    expect(wrong.retryAfter).toBeUndefined();

    const done = await step.verify({ code: codeAt(secret, 0), method: 'totp' });
    expect(done.status).toBe('signed-in');
    expect(done.user.email).toBe(user.email);
    expect(done.deviceToken).toBeUndefined();
    expect(client.session?.jwt).toBe(done.jwt);
    expect((await client.status()).methods).toEqual(['totp']);
  });

  it('a backup code signs in once; regenerating in the fresh session needs no code and replaces them', async () => {
    const { user, backupCodes } = await totpUser('cbackup');
    const [first, second] = backupCodes;
    const { client, step } = await secondFactor(user);
    await step.verify({ code: first });
    expect((await client.status()).backupCodesRemaining).toBe(9);
    // Used: refused as any wrong code.
    expect((await failure((await secondFactor(user)).step.verify({ code: first, method: 'backup_code' }))).code).toBe('INVALID_CODE');

    const { backupCodes: fresh } = await client.backupCodes.regenerate();
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(second);
    expect((await failure((await secondFactor(user)).step.verify({ code: second }))).code).toBe('INVALID_CODE');
    expect((await (await secondFactor(user)).step.verify({ code: fresh[0] })).status).toBe('signed-in');
  });
});

describe('emailed and texted codes', () => {
  it('email: enable sends a code, confirm turns it on; a login sends another on request and verifies it', async () => {
    const { user, client } = await signedInClient('cmail');
    const enrolment = await client.enable({ method: 'email' });
    expect(enrolment).toEqual({ message: 'Sent verify code via email' });
    await client.confirm({ method: 'email', code: await mailedCode(mail, user.email, 1) });

    const { step } = await secondFactor(user);
    expect(step.methods).toEqual(['email', 'backup_code']);
    expect(await step.send('email')).toEqual({ message: expect.any(String) });
    const done = await step.verify({ code: await mailedCode(mail, user.email, 2), method: 'email' });
    expect(done.user.id).toBe(user.id);
  });

  it('SMS: the same through the SMS provider', async () => {
    const { user, client } = await signedInClient('csms');
    const phone = newPhone();
    expect(await client.enable({ method: 'sms', phone })).toEqual({ message: 'Sent verify code via SMS' });
    await client.confirm({ method: 'sms', code: await textedCode(sms, phone, 1) });

    const { step } = await secondFactor(user);
    expect(step.methods).toEqual(['sms', 'backup_code']);
    await step.send('sms');
    expect((await step.verify({ code: await textedCode(sms, phone, 2) })).status).toBe('signed-in');
  });

  it('a send refused by the server is a TwoFactorError with its code (METHOD_NOT_ENABLED)', async () => {
    const { user } = await totpUser('cnosms');
    const { step } = await secondFactor(user);
    const error = await failure(step.send('sms'));
    expect({ code: error.code, status: error.status }).toEqual({ code: 'METHOD_NOT_ENABLED', status: 400 });
  });
});

describe('lockout', () => {
  it('after ten wrong codes the answer is LOCKED with retryAfter in seconds, also for a right code', async () => {
    const { user, secret } = await totpUser('clock');
    const { step } = await secondFactor(user);
    for (let i = 0; i < 10; i++) expect((await failure(step.verify({ code: wrongCode(secret) }))).code).toBe('INVALID_CODE');
    const locked = await failure(step.verify({ code: codeAt(secret, 0) }));
    expect(locked.code).toBe('LOCKED');
    expect(locked.status).toBe(429);
    expect(locked.retryAfter).toBeGreaterThan(800);
    expect(locked.retryAfter).toBeLessThanOrEqual(900);
    expect(locked.details.retryAfter).toBe(locked.retryAfter);
  });
});

describe('remembered devices', () => {
  it('trustDevice keeps the device token; the next login signs in directly; revoking one ends it', async () => {
    const { user, backupCodes } = await totpUser('cdevice');
    const { client, step } = await secondFactor(user);
    const done = await step.verify({ code: backupCodes[0], trustDevice: true });
    expect(done.deviceToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await client.devices.token()).toBe(done.deviceToken);

    // The same client (its token) signs in without the second factor; another client does not.
    const again = await client.login({ identifier: user.email, password: PASSWORD });
    expect(again.status).toBe('signed-in');
    expect((await newClient().client.login({ identifier: user.email, password: PASSWORD })).status).toBe('second-factor');

    const devices = await client.devices.list();
    expect(devices).toEqual([
      expect.objectContaining({ id: expect.any(Number), label: expect.any(String), expiresAt: expect.any(String), current: false }),
    ]);
    expect(await client.devices.revoke(devices[0].id)).toEqual({ id: devices[0].id });
    expect(await client.devices.list()).toEqual([]);
    expect((await client.login({ identifier: user.email, password: PASSWORD })).status).toBe('second-factor');

    const missing = await failure(client.devices.revoke(devices[0].id));
    expect({ code: missing.code, status: missing.status }).toEqual({ code: 'DEVICE_NOT_FOUND', status: 404 });
  });

  it('with deviceHeader, a client without cookies finds its own device marked current', async () => {
    const { user, backupCodes } = await totpUser('cdevicecurrent');
    const own = newClient({ deviceHeader: true });
    const { step } = await secondFactor(user, own.client);
    await step.verify({ code: backupCodes[0], trustDevice: true });
    await (await secondFactor(user)).step.verify({ code: backupCodes[1], trustDevice: true });
    const list = await own.client.devices.list();
    expect(list.map((device) => device.current).sort()).toEqual([false, true]);
    expect(own.exchanges.at(-1)?.headers['x-two-factor-device']).toBe(await own.client.devices.token());
  });

  it('revokeAll needs a step-up outside a fresh session (the code goes as a header) and forgets the kept token', async () => {
    const { user, secret, backupCodes } = await totpUser('cdevices');
    const { client, step } = await secondFactor(user);
    await step.verify({ code: backupCodes[0], trustDevice: true });
    const other = await secondFactor(user);
    await other.step.verify({ code: backupCodes[1], trustDevice: true });

    // The remembered device's login is not fresh. (A legacy JWT is `{ id, iat, exp }` signed: one
    // issued in the same second as the verify's fresh one would be that very session.)
    await new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() % 1_000) + 20));
    await client.login({ identifier: user.email, password: PASSWORD });
    const stale = await failure(client.devices.revokeAll());
    expect({ code: stale.code, status: stale.status }).toEqual({ code: 'STEP_UP_REQUIRED', status: 403 });

    expect(await client.devices.revokeAll({ code: codeAt(secret, 0), method: 'totp' })).toEqual({ revoked: 2 });
    expect(await client.devices.token()).toBeNull();
    expect((await client.login({ identifier: user.email, password: PASSWORD })).status).toBe('second-factor');
  });
});

describe('step-up and disable', () => {
  it('a JWT from before two-factor was on is stale: STEP_UP_REQUIRED until stepUp with a current code', async () => {
    // totpUser's client kept the JWT it enrolled with: never fresh.
    const { client, secret } = await totpUser('cstepup');
    const stale = await failure(client.backupCodes.regenerate());
    expect(stale.code).toBe('STEP_UP_REQUIRED');
    expect(stale.status).toBe(403);

    await awayFromStepEnd();
    const { freshUntil } = await client.stepUp({ code: codeAt(secret, 0) });
    expect(Date.parse(freshUntil!)).toBeGreaterThan(Date.now() + 200_000);
    expect((await client.backupCodes.regenerate()).backupCodes).toHaveLength(10);
  });

  it('disable in a fresh session turns two-factor off; the next login is signed in at once', async () => {
    const { user, backupCodes } = await totpUser('cdisable');
    const { client, step } = await secondFactor(user);
    await step.verify({ code: backupCodes[0] });
    expect(await client.disable()).toEqual({ enabled: false, methods: [] });
    expect((await newClient().client.login({ identifier: user.email, password: PASSWORD })).status).toBe('signed-in');
  });

  it('a client given a JWT (a login done elsewhere) uses it', async () => {
    const user = await registerUser(app, 'cgiven');
    const { client } = newClient({ jwt: user.jwt });
    expect((await client.status()).enabled).toBe(false);
  });
});

describe('a role that requires two-factor', () => {
  it('setup-required: enable and confirm with the pending login complete it', async () => {
    await updateSettings(app, { enforcedRoles: ['staff'] });
    const username = `cstaff${Date.now().toString(36)}`;
    await createUser(app.strapi, { username, email: `${username}@example.com`, password: PASSWORD, roleType: 'staff' });
    const { client } = newClient();
    const result = await client.login({ identifier: `${username}@example.com`, password: PASSWORD });
    if (result.status !== 'setup-required') throw new Error(`expected setup-required, got ${result.status}`);
    expect(result.methods).toEqual(expect.arrayContaining(['totp', 'email']));
    expect(client.session).toBeNull();

    const enrolment = await result.enable({ method: 'totp' });
    await awayFromStepEnd();
    const done = await result.confirm({ method: 'totp', code: codeAt(enrolment.secret, -1) });
    expect(done).toMatchObject({ status: 'signed-in', enabled: true, methods: ['totp'], user: { username } });
    expect(done.backupCodes).toHaveLength(10);
    expect(client.session?.jwt).toBe(done.jwt);
    // The role (created by the test) has no permission for the plugin's routes; the next login tells it is on.
    expect((await newClient().client.login({ identifier: `${username}@example.com`, password: PASSWORD })).status).toBe('second-factor');
  });
});

describe('an expired pending login', () => {
  const TTL = 'plugin::two-factor.pendingTokenTtl';
  let saved: unknown;
  beforeAll(() => {
    saved = app.strapi.config.get(TTL);
  });
  afterAll(() => {
    app.strapi.config.set(TTL, saved);
  });

  it('verify after expiresAt is PENDING_EXPIRED', async () => {
    const { user, secret } = await totpUser('cexpired');
    app.strapi.config.set(TTL, 1);
    const { step } = await secondFactor(user);
    app.strapi.config.set(TTL, saved);
    expect(Date.parse(step.expiresAt) - Date.now()).toBeLessThanOrEqual(1_000);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const error = await failure(step.verify({ code: codeAt(secret, 0) }));
    expect({ code: error.code, status: error.status }).toEqual({ code: 'PENDING_EXPIRED', status: 401 });
  });
});

describe('the package export strapi-plugin-two-factor/client', () => {
  const ROOT = path.resolve(__dirname, '..', '..');
  const node = (args: string[]) => execFileSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' }).trim();

  it('resolves by name to the CommonJS and ESM builds, with the same API', () => {
    expect(node(['-e', "console.log(require.resolve('strapi-plugin-two-factor/client'))"])).toBe(path.join(ROOT, 'dist/client/index.js'));
    const cjs = node(['-e', "console.log(Object.keys(require('strapi-plugin-two-factor/client')).sort().join())"]);
    const esm = node(['--input-type=module', '-e', "console.log(Object.keys(await import('strapi-plugin-two-factor/client')).sort().join())"]);
    expect(cjs).toBe('TwoFactorError,createTwoFactorClient,memoryDeviceTokenStore');
    expect(esm).toBe(cjs);
  });

  it('gives TypeScript its declarations (NodeNext resolution, as a consumer compiles)', () => {
    const dir = path.join(ROOT, '.tmp');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `client-consumer-${process.pid}.mts`);
    fs.writeFileSync(
      file,
      [
        "import { createTwoFactorClient, TwoFactorError, type LoginResult } from 'strapi-plugin-two-factor/client';",
        "const client = createTwoFactorClient({ url: 'http://localhost:1337' });",
        "const result: LoginResult = await client.login({ identifier: 'a', password: 'b' });",
        "if (result.status === 'second-factor') await result.verify({ code: '123456', trustDevice: true });",
        "export const locked = (e: unknown) => TwoFactorError.is(e, 'LOCKED') && e.retryAfter;",
        '',
      ].join('\n')
    );
    try {
      const program = ts.createProgram([file], {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
        types: [],
      });
      expect(ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
    } finally {
      fs.rmSync(file, { force: true });
    }
  });
});
