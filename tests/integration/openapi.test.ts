import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { APP_DIR, startApp, type TestApp } from '../helpers/strapi';
import { adminToken, createUser, ensureRole } from '../helpers/admin';
import { PASSWORD, awayFromStepEnd, codeAt, passwordLogin, registerUser, updateSettings } from '../helpers/flows';

/**
 * The plugin's routes document themselves: Strapi's OpenAPI generator (what `strapi openapi
 * generate` runs, docs/development.md) gives each of them its request body and its 200 answer,
 * and users-permissions' `POST /auth/local` its 2FA-required answer. The declared answers are
 * the real ones, and declaring them changes no answer: a bad body is still the plugin's 400.
 */
type RouteType = 'content-api' | 'admin';
const { generate } = createRequire(path.join(APP_DIR, 'package.json'))('@strapi/openapi') as {
  generate: (strapi: unknown, options: { type: RouteType }) => { document: any };
};

const SUPER = { email: 'openapi-admin@example.com', password: 'SuperPassw0rd!' };
// Routes that take no body although they change something: their input is the `:id` in their path.
const BODILESS = new Set(['POST /two-factor/passkeys/login/options', 'POST /two-factor/users/{id}/reset', 'POST /two-factor/users/{id}/unlock', 'POST /two-factor/users/{id}/revoke-devices']);

let app: TestApp;

beforeAll(async () => {
  app = await startApp({ ADMIN_EMAIL: SUPER.email, ADMIN_PASSWORD: SUPER.password });
});
afterAll(async () => {
  await app?.stop();
});

interface PluginRoute {
  type: RouteType;
  method: string;
  /** As the document names it: prefixed, `:id` written `{id}`. */
  path: string;
  /** The path Strapi serves, for requests. */
  url: string;
  response?: Parser;
  body?: Parser;
}
type Parser = { safeParse(value: unknown): { success: boolean; error?: unknown } };

/** Every route the plugin registered, from Strapi's own route table (instantiated at boot). */
const pluginRoutes = (): PluginRoute[] =>
  Object.values(app.strapi.plugin('two-factor').routes as Record<string, any>).flatMap((router) =>
    router.routes.map((route: any) => {
      const prefix = route.config && 'prefix' in route.config ? route.config.prefix : router.prefix;
      const url = `${prefix}${route.path}`;
      return {
        type: router.type,
        method: route.method,
        path: url.replace(/:(\w+)/g, '{$1}'),
        url: router.type === 'content-api' ? `/api${url}` : url,
        response: route.response,
        body: route.request?.body?.['application/json'],
      };
    })
  );

const documents = () => ({
  'content-api': generate(app.strapi, { type: 'content-api' }).document,
  admin: generate(app.strapi, { type: 'admin' }).document,
});

const okSchema = (operation: any) => operation?.responses?.['200']?.content?.['application/json']?.schema;

describe('the OpenAPI document', () => {
  it('has every plugin route with its request body, path parameters and 200 answer', () => {
    const docs = documents();
    const routes = pluginRoutes();
    expect(routes.filter((r) => r.type === 'content-api').length).toBe(26);
    expect(routes.filter((r) => r.type === 'admin').length).toBe(7);
    for (const route of routes) {
      const name = `${route.method} ${route.path}`;
      const operation = docs[route.type].paths?.[route.path]?.[route.method.toLowerCase()];
      expect(operation, `${name} in the ${route.type} document`).toBeDefined();
      const answer = okSchema(operation);
      expect(typeof answer, `${name}: 200 answer`).toBe('object');
      expect(answer.type ?? answer.anyOf, `${name}: 200 schema`).toBeDefined();
      const takesBody = ['POST', 'PUT', 'PATCH'].includes(route.method) && !BODILESS.has(name);
      if (takesBody) {
        const body = operation.requestBody?.content?.['application/json']?.schema;
        expect(body?.type, `${name}: request body`).toBe('object');
        expect(Object.keys(body.properties ?? {}).length, `${name}: body fields`).toBeGreaterThan(0);
      } else {
        expect(operation.requestBody, `${name}: no request body`).toBeUndefined();
      }
      const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const declared = (operation.parameters ?? []).filter((p: any) => p.in === 'path').map((p: any) => p.name);
      expect(declared, `${name}: path parameters`).toEqual(params);
    }
  });

  it("documents the admin list routes' query parameters", () => {
    const { admin } = documents();
    const names = (p: string) => (admin.paths[p].get.parameters ?? []).map((q: any) => q.name).sort();
    expect(names('/two-factor/users')).toEqual(['page', 'pageSize', 'search']);
    expect(names('/two-factor/events')).toEqual(['page', 'pageSize', 'type', 'user']);
  });

  it("gives users-permissions' POST /auth/local the 2FA-required and setup-required answers beside its own, once per boot", async () => {
    const loginAnswers = () => okSchema(documents()['content-api'].paths['/auth/local'].post).anyOf as any[];
    const variants = loginAnswers();
    expect(variants).toHaveLength(3);
    expect(variants.some((v) => v.properties?.jwt)).toBe(true);
    expect(variants.some((v) => v.properties?.twoFaRequired && v.required?.includes('mfaToken'))).toBe(true);
    expect(variants.some((v) => v.properties?.twoFaSetupRequired)).toBe(true);
    // users-permissions keeps its routes for the process: a second boot must not add them again.
    await app.stop();
    app = await startApp({ ADMIN_EMAIL: SUPER.email, ADMIN_PASSWORD: SUPER.password });
    expect(loginAnswers()).toEqual(variants);
  });
});

describe('the declared answers', () => {
  const declared = (method: string, url: string) => {
    const found = pluginRoutes().find((r) => r.method === method && r.url === url);
    if (!found?.response) throw new Error(`no declared answer for ${method} ${url}`);
    return found;
  };
  const route = (method: string, url: string) => declared(method, url).response;
  const upLogin = () =>
    ((app.strapi.plugin('users-permissions').routes as any)['content-api'].routes as any[]).find(
      (r) => r.method === 'POST' && r.path === '/auth/local'
    ).response;
  const matches = (schema: Parser | undefined, res: { status: number; body: unknown }, name: string) => {
    expect(res.status, `${name}: ${JSON.stringify(res.body)}`).toBe(200);
    const parsed = schema!.safeParse(res.body) as { success: boolean; error?: unknown; data?: unknown };
    expect(parsed.success, `${name}: ${JSON.stringify(parsed.error)}`).toBe(true);
    // Every field of the answer is declared: zod drops the ones a schema does not name.
    expect(parsed.data, `${name}: fields the schema does not declare`).toEqual(res.body);
  };
  /** A declared request body takes this body as it is: it is valid, and no field is left out. */
  const takes = (schema: Parser | undefined, body: Record<string, unknown>, name: string) => {
    const parsed = schema!.safeParse(body) as { success: boolean; error?: unknown; data?: unknown };
    expect(parsed.success, `${name}: ${JSON.stringify(parsed.error)}`).toBe(true);
    expect(parsed.data, `${name}: fields the body schema does not declare`).toEqual(body);
  };
  const upLoginBody = () =>
    ((app.strapi.plugin('users-permissions').routes as any)['content-api'].routes as any[]).find(
      (r) => r.method === 'POST' && r.path === '/auth/local'
    ).request.body['application/json'];

  it('describe what the routes answer, from enrolment to a two-factor login', async () => {
    const user = await registerUser(app, 'openapi');
    const bearer = { Authorization: `Bearer ${user.jwt}` };
    matches(route('GET', '/api/two-factor/status'), await app.http().get('/api/two-factor/status').set(bearer), 'status');

    const enable = await app.http().post('/api/two-factor/enable').set(bearer).send({ method: 'totp' });
    matches(route('POST', '/api/two-factor/enable'), enable, 'enable');
    await awayFromStepEnd();
    const confirm = await app.http().post('/api/two-factor/confirm').set(bearer).send({ method: 'totp', code: codeAt(enable.body.secret, -1) });
    matches(route('POST', '/api/two-factor/confirm'), confirm, 'confirm');

    const pending = await passwordLogin(app, user.email);
    expect(pending.body.twoFaRequired).toBe(true);
    matches(upLogin(), pending, 'POST /api/auth/local');
    const verify = await app.http().post('/api/two-factor/verify').send({ mfaToken: pending.body.mfaToken, code: codeAt(enable.body.secret) });
    matches(route('POST', '/api/two-factor/verify'), verify, 'verify');
  });

  it('describe a remembered device: verify takes trustDevice and answers deviceToken; both password logins take deviceToken', async () => {
    await updateSettings(app, { trustedDevices: { enabled: true, days: 30 } });
    try {
      const user = await registerUser(app, 'openapi-device');
      const bearer = { Authorization: `Bearer ${user.jwt}` };
      const enable = await app.http().post('/api/two-factor/enable').set(bearer).send({ method: 'totp' });
      await awayFromStepEnd();
      await app.http().post('/api/two-factor/confirm').set(bearer).send({ method: 'totp', code: codeAt(enable.body.secret, -1) });

      const pending = await passwordLogin(app, user.email);
      const body = { mfaToken: pending.body.mfaToken, code: codeAt(enable.body.secret), trustDevice: true };
      takes(declared('POST', '/api/two-factor/verify').body, body, 'verify body');
      const verify = await app.http().post('/api/two-factor/verify').send(body);
      expect(verify.body.deviceToken).toEqual(expect.any(String));
      matches(route('POST', '/api/two-factor/verify'), verify, 'verify with trustDevice');

      const login = { identifier: user.email, password: PASSWORD, deviceToken: verify.body.deviceToken };
      takes(upLoginBody(), login, 'POST /api/auth/local body');
      takes(declared('POST', '/api/authentication/local').body, login, 'POST /api/authentication/local body');
      const remembered = await app.http().post('/api/authentication/local').send(login);
      expect(remembered.body.jwt).toEqual(expect.any(String));
      matches(route('POST', '/api/authentication/local'), remembered, 'password login by a remembered device');
    } finally {
      await updateSettings(app, { trustedDevices: { enabled: false, days: 30 } });
    }
  });

  it("describe a required role's grace period: the login answers twoFactorSetupRequiredBy", async () => {
    await ensureRole(app.strapi, 'openapi-staff', 'OpenAPI staff');
    const user = await createUser(app.strapi, { username: 'openapi-grace', email: 'openapi-grace@example.com', password: PASSWORD, roleType: 'openapi-staff' });
    await updateSettings(app, { enforcedRoles: ['openapi-staff'], enforcementGraceDays: 7 });
    try {
      const res = await passwordLogin(app, user.email);
      expect(res.body.twoFactorSetupRequiredBy).toEqual(expect.any(String));
      matches(upLogin(), res, 'POST /api/auth/local in a grace period');
      matches(route('POST', '/api/authentication/local'), await app.http().post('/api/authentication/local').send({ email: user.email, password: PASSWORD }), 'POST /api/authentication/local in a grace period');
    } finally {
      await updateSettings(app, { enforcedRoles: [], enforcementGraceDays: 0 });
    }
  });

  it('describe what the admin routes answer', async () => {
    const token = await adminToken(app.http, SUPER.email, SUPER.password);
    const get = (url: string) => app.http().get(url).set('Authorization', `Bearer ${token}`);
    const settings = await get('/two-factor/settings');
    matches(route('GET', '/two-factor/settings'), settings, 'settings');
    // The GET answer sent back as it came is a valid change, as the declared body says.
    expect(declared('PUT', '/two-factor/settings').body?.safeParse(settings.body).success).toBe(true);
    const update = await app.http().put('/two-factor/settings').set('Authorization', `Bearer ${token}`).send(settings.body);
    matches(route('PUT', '/two-factor/settings'), update, 'settings update');
    matches(route('GET', '/two-factor/users'), await get('/two-factor/users'), 'users');
    // A reset (after which the audit log names the user and the admin).
    const user = await registerUser(app, 'openapi-reset');
    const reset = await app.http().post(`/two-factor/users/${user.id}/reset`).set('Authorization', `Bearer ${token}`);
    matches(route('POST', '/two-factor/users/:id/reset'), reset, 'reset');
    matches(route('GET', '/two-factor/events'), await get('/two-factor/events'), 'events');
  });
});

describe('validation', () => {
  it("still answers a bad body with the plugin's 400, in Strapi's error format", async () => {
    const res = await app.http().post('/api/two-factor/verify').send({ code: '123456', method: 'pigeon' });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      data: null,
      error: {
        status: 400,
        name: 'ValidationError',
        message: 'method must be one of totp, email, sms, passkey, backup_code',
        details: expect.objectContaining({ code: 'INVALID_INPUT' }),
      },
    });
  });
});
