import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startApp, type TestApp } from '../helpers/strapi';
import request from 'supertest';
import { PASSWORD, codeAt, enrolTotp, passwordLogin, registerUser, routeCalls, updateSettings, type HttpApp } from '../helpers/flows';
import { gql } from './graphql-helpers';

/**
 * With users-permissions' request limiter on (its default: 10 requests a minute), the plugin's
 * public routes that check a password or a code are limited as `/api/auth/local` is: per path and
 * client IP, whatever the body says. Each test uses its own route, so each starts a fresh count.
 */
const MAX = 10;
let app: TestApp;

beforeAll(async () => {
  app = await startApp({ USERS_PERMISSIONS_RATELIMIT: 'on' });
});
afterAll(async () => {
  await app?.stop();
});

/** The statuses of `count` requests, one after the other. */
async function statuses(count: number, send: (i: number) => Promise<{ status: number }>) {
  const out: number[] = [];
  for (let i = 0; i < count; i += 1) out.push((await send(i)).status);
  return out;
}

describe("users-permissions' limiter on the plugin's routes", () => {
  it('the compatibility login cannot be split by a new body.email per request, and the right password is refused after the limit', async () => {
    const user = await registerUser(app, 'quinn');
    const wrong = await statuses(MAX, (i) =>
      app.http().post('/api/authentication/local').send({ identifier: user.username, email: `x${i}@a.b`, password: 'wrong' })
    );
    expect(wrong).toEqual(Array(MAX).fill(400));
    const right = await app.http().post('/api/authentication/local').send({ identifier: user.username, email: 'new@a.b', password: PASSWORD });
    expect(right.status).toBe(429);
    expect(right.body.error.name).toBe('RateLimitError');
    expect(right.body.error.details.code).toBe('RATE_LIMITED');
    // It is the same login as /api/auth/local, and counts there too.
    expect((await app.http().post('/api/auth/local').send({ identifier: user.username, password: PASSWORD })).status).toBe(429);
  });

  it('verify: REST and GraphQL share one count per client, whatever email the body carries', async () => {
    const rest = await statuses(MAX - 1, (i) => app.http().post('/api/two-factor/verify').send({ mfaToken: 'x', code: '123456', email: `v${i}@a.b` }));
    expect(rest).toEqual(Array(MAX - 1).fill(401));
    const graphql = await gql(app, `mutation { twoFactorVerify(mfaToken: "x", code: "123456") { jwt } }`);
    expect(graphql.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const limited = await app.http().post('/api/two-factor/verify').send({ mfaToken: 'x', code: '123456', email: 'last@a.b' });
    expect(limited.status).toBe(429);
    const limitedGraphql = await gql(app, `mutation { twoFactorVerify(mfaToken: "x", code: "123456") { jwt } }`);
    expect(limitedGraphql.body.errors?.[0]?.extensions?.code).toBe('STRAPI_RATE_LIMIT_ERROR');
    expect(limitedGraphql.body.errors?.[0]?.extensions?.details?.code).toBe('RATE_LIMITED');
    // The NYYU code step is the same question: it is counted with verify.
    const nyyu = await gql(app, `mutation { confirm2FA(email: "a@b.c", token: "x", code: [{ key: "app", value: "123456" }]) { status } }`);
    expect(nyyu.body.errors?.[0]?.extensions?.code).toBe('STRAPI_RATE_LIMIT_ERROR');
  });

  it('every other public route that checks a code or a token is limited the same way', async () => {
    for (const path of ['/api/two-factor/confirm', '/api/two-factor/send', '/api/authentication/twoFa/verify']) {
      const body = path.endsWith('send') ? { mfaToken: 'x', method: 'email' } : { mfaToken: 'x', code: '123456', method: 'totp' };
      const answers = await statuses(MAX + 1, (i) => app.http().post(path).send({ ...body, email: `${i}@a.b` }));
      expect(answers.slice(0, MAX).every((s) => s !== 429), `${path}: ${answers}`).toBe(true);
      expect(answers[MAX], path).toBe(429);
    }
  });

  it('the limit counts requests per client: a signed-in user starting enrolments is limited too', async () => {
    const user = await registerUser(app, 'enabler');
    const enable = () => app.http().post('/api/two-factor/enable').set('Authorization', `Bearer ${user.jwt}`).send({ method: 'totp' });
    expect(await statuses(MAX, enable)).toEqual(Array(MAX).fill(200));
    expect((await enable()).status).toBe(429);
  });

  it('a guess at a locked account answered before the router still counts for its client', async () => {
    await updateSettings(app, { maxFailures: 3, lockDuration: 60 });
    // A client of its own (a trusted proxy forwards its address): a fresh count on every path.
    const koa = app.strapi.server.app as { proxy: boolean };
    koa.proxy = true;
    try {
      const ip = '203.0.113.50';
      const client = { http: () => request.agent(app.strapi.server.httpServer).set('X-Forwarded-For', ip) } as unknown as HttpApp;
      const user = await registerUser(client, 'lockedguess');
      const { secret } = await enrolTotp(client, user);
      const { mfaToken } = (await passwordLogin(client, user.email)).body;
      for (const path of ['/api/two-factor/verify', '/api/authentication/twoFa/verify']) {
        const guess = (code: string) => client.http().post(path).send({ mfaToken, code });
        // 3 failures lock the account (on the first path); every guess after them is LOCKED,
        // most answered before the router, and all of them count: the next one is the limiter's.
        const failures = path.endsWith('two-factor/verify') ? 3 : 0;
        const { result: answers, calls } = await routeCalls(app, () => statuses(MAX, (i) => guess(i < failures ? '000000x' : codeAt(secret))));
        expect(answers, path).toEqual([...Array(failures).fill(400), ...Array(MAX - failures).fill(429)]);
        expect(calls, path).toBeLessThan(MAX);
        const over = await guess(codeAt(secret));
        expect([over.status, over.body.error.details.code], path).toEqual([429, 'RATE_LIMITED']);
      }
    } finally {
      koa.proxy = false;
    }
  });
});
