import { randomBytes } from 'node:crypto';
import { describe, it, expect, beforeEach } from 'vitest';
import { signPendingToken } from '../../server/src/core';
import type { TestApp } from '../helpers/strapi';
import { codeAt, enrolTotp, passwordLogin, pendingLogin, pluginService, registerUser, routeCalls, updateSettings } from '../helpers/flows';
import type { MailServer } from '../helpers/mail-server';
import { useDeliveryApp } from '../helpers/delivery-app';
import { auth, enrolEmail, mailedCode, send, setSendLimits, verify } from '../helpers/otp-flows';

let app: TestApp;
let mail: MailServer;

useDeliveryApp({ sms: 'none' }, (delivery) => {
  ({ app, mail } = delivery);
  app.logs.allow(/two-factor: email delivery failed|two-factor: could not send the \w+ notice/); // the busy mail server test
});
beforeEach(async () => {
  setSendLimits(app);
  await updateSettings(app, { maxFailures: 10, lockDuration: 900, codeAttempts: 5 });
});

/** Forgets the sends so far (enrolments included), so a test counts its own. */
const resetSendCounters = () => app.strapi.db.connection('two_factor_rate_limits').del();
const throttle = (userId: number) => pluginService(app, 'throttle').state(userId);
const wrongOf = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

/** A user with TOTP and email, a pending login and a live emailed code on it. */
async function armed(prefix = 'lock') {
  const user = await registerUser(app, prefix);
  const { secret, backupCodes } = await enrolTotp(app, user);
  // Adding email needs a current code: TOTP's step 0 (the tests only guess wrong or are locked).
  await enrolEmail(app, mail, user, codeAt(secret, 0));
  const mfaToken = await pendingLogin(app, user);
  expect((await send(app, { mfaToken, method: 'email' })).status).toBe(200);
  const emailCode = await mailedCode(mail, user.email, 2);
  return { user, secret, backupCodes, mfaToken, emailCode };
}

describe('one failure counter per account (R1)', () => {
  it('is shared by every factor and challenge, survives a new login, and resets on success', async () => {
    const { user, secret, mfaToken, emailCode } = await armed();
    expect((await verify(app, { mfaToken, code: wrongOf(codeAt(secret)), method: 'totp' })).status).toBe(400);
    expect((await verify(app, { mfaToken, code: wrongOf(emailCode), method: 'email' })).status).toBe(400);
    expect((await verify(app, { mfaToken, code: 'AAAA-BBBB-CCCC-DDDD', method: 'backup_code' })).status).toBe(400);
    // Another challenge: the step-up of disable.
    expect((await app.http().post('/api/two-factor/disable').set(auth(user)).send({ code: '000000' })).status).toBe(400);
    // A brand-new login starts no new count.
    const second = await pendingLogin(app, user);
    expect((await verify(app, { mfaToken: second, code: '999999x' })).status).toBe(400);
    expect((await throttle(user.id)).failures).toBe(5);
    expect((await verify(app, { mfaToken: second, code: emailCode === '000000' ? '000001' : '000000', method: 'email' })).status).toBe(400);
    expect((await throttle(user.id)).failures).toBe(6);
    // Success resets.
    expect((await verify(app, { mfaToken, code: emailCode })).status).toBe(200);
    expect(await throttle(user.id)).toEqual({ failures: 0, lockedUntil: null });
  });
});

describe('lockout (R1, R3)', () => {
  it('after N failures: 429 with Retry-After, the same answer for a right and a wrong code, sends refused', async () => {
    const { user, secret, backupCodes, mfaToken, emailCode } = await armed();
    for (let i = 1; i <= 10; i++) {
      const res = await verify(app, { mfaToken, code: wrongOf(codeAt(secret)), method: 'totp' });
      expect(res.status, `failure ${i}`).toBe(400);
    }
    const state = await throttle(user.id);
    expect(state.failures).toBe(10);
    expect(state.lockedUntil).toBeGreaterThan(Date.now() + 890_000);

    const right = await verify(app, { mfaToken, code: codeAt(secret) });
    const wrong = await verify(app, { mfaToken, code: wrongOf(codeAt(secret)) });
    for (const res of [right, wrong]) {
      expect(res.status).toBe(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(880);
      expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(900);
      expect(res.body.jwt).toBeUndefined();
    }
    expect(right.body).toEqual(wrong.body);
    expect(right.body.error.message).toBe('Too many failed attempts. Try again later.');
    for (const res of [
      await verify(app, { mfaToken, code: emailCode, method: 'email' }),
      await verify(app, { mfaToken, code: backupCodes[0] }),
      await send(app, { mfaToken, method: 'email' }),
      await app.http().post('/api/two-factor/disable').set(auth(user)).send({ code: backupCodes[1] }),
    ]) {
      expect(res.status).toBe(429);
      expect(res.headers['retry-after']).toMatch(/^\d+$/);
    }
    // Nothing was spent while locked: once the lock is over, the emailed code still works.
    expect((await throttle(user.id)).failures).toBe(10);
    await app.strapi.db.connection('two_factor_throttles').where('user_id', user.id).update({ locked_until: Date.now() - 1 });
    // Ended behind the plugin's back (as in another process): this process forgets what it saw within a second.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await verify(app, { mfaToken, code: emailCode, method: 'email' })).status).toBe(200);
    expect((await app.http().get('/api/two-factor/status').set(auth(user))).body.backupCodesRemaining).toBe(10);
  });

  it('a guess at a lock this process saw runs no statement; an unlock by another process is seen within a second', async () => {
    await updateSettings(app, { maxFailures: 3, lockDuration: 60 });
    const { user, secret, mfaToken } = await armed();
    for (let i = 0; i < 3; i++) expect((await verify(app, { mfaToken, code: '000000x' })).status).toBe(400);
    const statements: string[] = [];
    const listener = (query: { sql: string }) => statements.push(query.sql);
    app.strapi.db.connection.on('query', listener);
    let guessed;
    try {
      guessed = await verify(app, { mfaToken, code: codeAt(secret) });
    } finally {
      app.strapi.db.connection.off('query', listener);
    }
    expect(guessed.status).toBe(429);
    expect(guessed.body.error.details).toMatchObject({ code: 'LOCKED', retryAfter: expect.any(Number) });
    expect(Number(guessed.headers['retry-after'])).toBe(guessed.body.error.details.retryAfter);
    expect(statements.filter((sql) => /two_factor|up_users/.test(sql))).toEqual([]);
    // Another user's pending login is not touched by that memory.
    const other = await armed('lock-other');
    expect((await verify(app, { mfaToken: other.mfaToken, code: codeAt(other.secret, 1) })).status).toBe(200);

    // Unlocked in the database (an admin on another process): a second later this process agrees.
    await app.strapi.db.connection('two_factor_throttles').where('user_id', user.id).update({ failures: 0, locked_until: null });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const after = await verify(app, { mfaToken, code: codeAt(secret, 1) });
    expect(after.status, JSON.stringify(after.body)).toBe(200);
  });

  it('the lock time and the number of failures are operator settings', async () => {
    await updateSettings(app, { maxFailures: 3, lockDuration: 60 });
    const { user, mfaToken } = await armed();
    for (let i = 0; i < 3; i++) expect((await verify(app, { mfaToken, code: '000000x' })).status).toBe(400);
    const locked = await verify(app, { mfaToken, code: '000000x' });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect((await throttle(user.id)).failures).toBe(3);
  });

  it('a lock that has ended starts a fresh count: the next failure is the first, and the lock engages again at the Nth', async () => {
    await updateSettings(app, { maxFailures: 3, lockDuration: 60 });
    const { user, secret, mfaToken } = await armed();
    for (let i = 0; i < 3; i++) expect((await verify(app, { mfaToken, code: '000000x' })).status).toBe(400);
    expect((await verify(app, { mfaToken, code: '000000x' })).status).toBe(429);
    // The lock runs out (moved into the past); the process's memory of it lasts a second.
    await app.strapi.db.connection('two_factor_throttles').where('user_id', user.id).update({ locked_until: Date.now() - 1000 });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await verify(app, { mfaToken, code: '000000x' })).status).toBe(400);
    expect(await throttle(user.id)).toEqual({ failures: 1, lockedUntil: null });
    expect((await verify(app, { mfaToken, code: '000000x' })).status).toBe(400);
    expect((await verify(app, { mfaToken, code: '000000x' })).status).toBe(400);
    expect((await throttle(user.id)).lockedUntil).not.toBeNull();
    expect((await verify(app, { mfaToken, code: codeAt(secret) })).status).toBe(429);
  });
});

/** A TOTP user whose account this process has just seen locked (3 failures). */
async function knownLocked(prefix: string) {
  await updateSettings(app, { maxFailures: 3, lockDuration: 60 });
  const user = await registerUser(app, prefix);
  const { secret } = await enrolTotp(app, user);
  const login = await passwordLogin(app, user.email);
  const mfaToken: string = login.body.mfaToken;
  for (let i = 0; i < 3; i++) expect((await verify(app, { mfaToken, code: '000000x' })).status).toBe(400);
  return { user, secret, mfaToken, cookies: (login.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]) };
}

const forget = () => new Promise((resolve) => setTimeout(resolve, 1_100));
/** Every header but the date. */
const headersOf = (res: { headers: Record<string, unknown> }) => {
  const { date: _date, ...rest } = res.headers;
  return rest;
};

describe('a guess at a lock this process knows is answered before the router', () => {
  it('with the answer the route gives: status, body and every header (REST and compatibility path)', async () => {
    for (const path of ['/api/two-factor/verify', '/api/authentication/twoFa/verify']) {
      const { user, secret, mfaToken } = await knownLocked('early');
      // Forgotten by this process, locked in the database: the next guess goes to the route, which
      // reads the lock. It ends half a second past a whole second, so both answers say the same Retry-After.
      await forget();
      await app.strapi.db.connection('two_factor_throttles').where('user_id', user.id).update({ locked_until: Date.now() + 60_500 });
      const guess = () => app.http().post(path).set('Origin', 'http://front.test').send({ mfaToken, code: codeAt(secret) });
      const late = await routeCalls(app, guess);
      const early = await routeCalls(app, guess);
      expect([late.calls, early.calls], path).toEqual([1, 0]);
      expect(early.result.status).toBe(429);
      expect(early.result.body.error.details).toEqual({ code: 'LOCKED', retryAfter: 61 });
      expect(early.result.body).toEqual(late.result.body);
      expect(headersOf(early.result)).toEqual(headersOf(late.result));
      expect(early.result.headers['retry-after']).toBe('61');
    }
  });

  it('finds the pending login in its cookie as the route does', async () => {
    const { secret, mfaToken, cookies } = await knownLocked('early-cookie');
    const byBody = await verify(app, { mfaToken, code: codeAt(secret) });
    const byCookie = await routeCalls(app, () => app.http().post('/api/two-factor/verify').set('Cookie', cookies).send({ code: codeAt(secret) }));
    expect(byCookie.calls).toBe(0);
    expect(byCookie.result.status).toBe(429);
    expect(byCookie.result.body).toEqual(byBody.body);
  });

  it('leaves to the route a token it cannot trust, a malformed body, and other accounts', async () => {
    const { user, secret, mfaToken } = await knownLocked('early-forged');
    const keys = pluginService(app, 'keys').get();
    const claims = { challengeId: 'c'.repeat(32), userId: user.id, purpose: 'login' as const };
    const payload = signPendingToken(claims, keys.pendingToken, 60).split('.')[1];
    const untrusted = {
      'another key': signPendingToken(claims, randomBytes(32), 60),
      unsigned: `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`,
      'a setup login': signPendingToken({ ...claims, purpose: 'setup' }, keys.pendingToken, 60),
    };
    for (const [what, token] of Object.entries(untrusted)) {
      const { result, calls } = await routeCalls(app, () => verify(app, { mfaToken: token, code: codeAt(secret) }));
      expect([result.status, result.body.error?.details?.code, calls], what).toEqual([401, 'PENDING_EXPIRED', 1]);
    }
    // Expired and signed with the right key: the route's answer too.
    const expired = signPendingToken(claims, keys.pendingToken, 1);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    await app.strapi.db.connection('two_factor_throttles').where('user_id', user.id).update({ locked_until: Date.now() + 60_000 });
    await verify(app, { mfaToken, code: codeAt(secret) }); // the route reads the lock again
    const late = await routeCalls(app, () => verify(app, { mfaToken: expired, code: codeAt(secret) }));
    expect([late.result.status, late.calls]).toEqual([401, 1]);
    // The body is checked before anything: a malformed request is the route's 400, locked or not.
    const malformed = await verify(app, { mfaToken, method: 'sms-please' });
    expect([malformed.status, malformed.body.error.details.code]).toEqual([400, 'INVALID_INPUT']);
    // Another account's login goes to the route and succeeds.
    const other = await registerUser(app, 'early-other');
    const { secret: otherSecret } = await enrolTotp(app, other);
    const otherToken = await pendingLogin(app, other);
    const ok = await routeCalls(app, () => verify(app, { mfaToken: otherToken, code: codeAt(otherSecret, 1) }));
    expect([ok.result.status, ok.calls]).toEqual([200, 1]);
  });

  it('an unlock in the database (another process) is seen within a second', async () => {
    const { user, secret, mfaToken } = await knownLocked('early-unlock');
    await app.strapi.db.connection('two_factor_throttles').where('user_id', user.id).update({ failures: 0, locked_until: null });
    // Up to a second the memory may still answer 429: never longer.
    await forget();
    const after = await routeCalls(app, () => verify(app, { mfaToken, code: codeAt(secret, 1) }));
    expect([after.result.status, after.calls]).toEqual([200, 1]);
  });
});

describe('concurrency: 50 parallel guesses (R1, O5)', () => {
  it('under the lock threshold the counter ends at exactly 50, and the code took exactly codeAttempts guesses', async () => {
    await updateSettings(app, { maxFailures: 100 });
    const { user, mfaToken, emailCode } = await armed('par');
    const wrong = wrongOf(emailCode);
    const results = await Promise.all(Array.from({ length: 50 }, () => verify(app, { mfaToken, code: wrong, method: 'email' })));
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(400));
    expect(await throttle(user.id)).toEqual({ failures: 50, lockedUntil: null });
    const [row] = await app.strapi.db.connection('two_factor_challenges').where('user_id', user.id).where('purpose', 'login');
    expect(Number(row.attempts)).toBe(5);
    // The code is dead (O5): even the right one fails now.
    expect((await verify(app, { mfaToken, code: emailCode, method: 'email' })).status).toBe(400);
  });

  it('at the threshold exactly N answers are 400, the rest 429, and the lock is engaged', async () => {
    const { user, secret, mfaToken } = await armed('par');
    const results = await Promise.all(
      Array.from({ length: 50 }, () => verify(app, { mfaToken, code: wrongOf(codeAt(secret)), method: 'totp' }))
    );
    expect(results.filter((r) => r.status === 400)).toHaveLength(10);
    expect(results.filter((r) => r.status === 429)).toHaveLength(40);
    const state = await throttle(user.id);
    expect(state.failures).toBe(10);
    expect(state.lockedUntil).not.toBeNull();
  });

  it('while locked, 50 parallel right codes of every kind get 429 and spend nothing', async () => {
    const { user, secret, backupCodes, mfaToken, emailCode } = await armed('par');
    await Promise.all(Array.from({ length: 10 }, () => verify(app, { mfaToken, code: '00000x' })));
    const before = await throttle(user.id);
    expect(before.failures).toBe(10);
    const rights = [codeAt(secret), codeAt(secret, 1), emailCode, ...backupCodes];
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => verify(app, { mfaToken, code: rights[i % rights.length] }))
    );
    expect(results.map((r) => r.status)).toEqual(Array(50).fill(429));
    expect(results.some((r) => r.body.jwt)).toBe(false);
    expect(await throttle(user.id)).toEqual(before);
    expect((await app.http().get('/api/two-factor/status').set(auth(user))).body.backupCodesRemaining).toBe(10);
  });
});

describe('send limits (O4, R2)', () => {
  it('a resend inside the cooldown is refused with Retry-After and the live code stays valid', async () => {
    setSendLimits(app, { cooldown: 30 });
    const { user, mfaToken, emailCode } = await armed();
    const again = await send(app, { mfaToken, method: 'email' });
    expect(again.status).toBe(429);
    expect(again.body.error.message).toBe('Please wait before requesting another code');
    expect(Number(again.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(again.headers['retry-after'])).toBeLessThanOrEqual(30);
    expect(mail.to(user.email)).toHaveLength(2);
    expect((await verify(app, { mfaToken, code: emailCode })).status).toBe(200);
  });

  it('20 parallel sends on one login inside the cooldown: exactly one mail', async () => {
    setSendLimits(app, { cooldown: 30 });
    const user = await registerUser(app, 'burst');
    await enrolEmail(app, mail, user);
    const mfaToken = await pendingLogin(app, user);
    const results = await Promise.all(Array.from({ length: 20 }, () => send(app, { mfaToken, method: 'email' })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 429)).toHaveLength(19);
    await new Promise((r) => setTimeout(r, 200));
    expect(mail.to(user.email)).toHaveLength(2);
  });

  it('per account: 20 parallel sends against a limit of 5 give exactly 5 mails', async () => {
    const user = await registerUser(app, 'acct');
    await enrolEmail(app, mail, user);
    await resetSendCounters();
    setSendLimits(app, { perAccount: { max: 5, window: 3600 } });
    const tokens = await Promise.all(Array.from({ length: 20 }, () => pendingLogin(app, user)));
    const results = await Promise.all(tokens.map((mfaToken) => send(app, { mfaToken, method: 'email' })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(5);
    const refused = results.filter((r) => r.status === 429);
    expect(refused).toHaveLength(15);
    expect(refused[0].body.error.message).toBe('Too many codes requested. Try again later.');
    expect(Number(refused[0].headers['retry-after'])).toBeGreaterThan(3500);
    await new Promise((r) => setTimeout(r, 200));
    expect(mail.to(user.email)).toHaveLength(1 + 5);
  });

  it('per IP: X-Forwarded-For is not trusted without a proxy setting (R2)', async () => {
    const users = await Promise.all([0, 1, 2, 3].map(() => registerUser(app, 'ip')));
    for (const user of users) await enrolEmail(app, mail, user);
    await resetSendCounters();
    setSendLimits(app, { perIp: { max: 3, window: 3600 } });
    const statuses: number[] = [];
    for (const [i, user] of users.entries()) {
      const mfaToken = await pendingLogin(app, user);
      const res = await app.http().post('/api/two-factor/send').set('X-Forwarded-For', `203.0.113.${i + 1}`).send({ mfaToken, method: 'email' });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('per IP: behind a trusted proxy (Strapi `proxy: true`), each forwarded client has its own count', async () => {
    const users = await Promise.all([0, 1, 2].map(() => registerUser(app, 'proxy')));
    for (const user of users) await enrolEmail(app, mail, user);
    await resetSendCounters();
    setSendLimits(app, { perIp: { max: 1, window: 3600 } });
    const koa = app.strapi.server.app as { proxy: boolean };
    koa.proxy = true;
    try {
      const statuses: number[] = [];
      for (const [i, user] of users.entries()) {
        const mfaToken = await pendingLogin(app, user);
        const ip = i < 2 ? `203.0.113.${i + 1}` : '203.0.113.1';
        statuses.push((await app.http().post('/api/two-factor/send').set('X-Forwarded-For', ip).send({ mfaToken, method: 'email' })).status);
      }
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      koa.proxy = false;
    }
  });

  it('old counters are pruned, live ones kept', async () => {
    await resetSendCounters();
    const limits = pluginService(app, 'rateLimits');
    expect(await limits.hit('ip:198.51.100.7', 5, 3600)).toEqual({ ok: true });
    await app.strapi.db.query('plugin::two-factor.rate-limit').create({ data: { bucket: 'ip:198.51.100.8', hits: 3, windowStart: Date.now() - 3 * 3600_000 } });
    await limits.prune(2 * 3600);
    const left = await app.strapi.db.connection('two_factor_rate_limits').select('bucket');
    expect(left.map((r: { bucket: string }) => r.bucket)).toEqual(['ip:198.51.100.7']);
  });

  it('a failed delivery does not use up the account limit', async () => {
    const user = await registerUser(app, 'refund');
    await enrolEmail(app, mail, user);
    await resetSendCounters();
    setSendLimits(app, { perAccount: { max: 1, window: 3600 }, cooldown: 30 });
    const mfaToken = await pendingLogin(app, user);
    mail.refuse({ code: 451, message: 'busy' });
    expect((await send(app, { mfaToken, method: 'email' })).status).toBe(503);
    mail.refuse(null);
    expect((await send(app, { mfaToken, method: 'email' })).status).toBe(200);
    expect((await send(app, { mfaToken: await pendingLogin(app, user), method: 'email' })).status).toBe(429);
  });
});
