import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startApp, type TestApp } from '../helpers/strapi';
import { register } from './graphql-helpers';

/**
 * Without @strapi/plugin-graphql (the host app's GRAPHQL=off), the plugin starts without error
 * and without a GraphQL surface; REST is unaffected.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startApp({ GRAPHQL: 'off' });
});
afterAll(async () => {
  await app?.stop();
});

describe('GraphQL plugin absent', () => {
  it('starts the plugin with no GraphQL surface', async () => {
    expect(app.strapi.plugin('graphql')).toBeUndefined();
    expect(app.strapi.plugin('two-factor')).toBeDefined();
    const res = await app.http().post('/graphql').send({ query: '{ twoFactorStatus { enabled } }' });
    // Nothing serves /graphql: Koa's router refuses the method (405) or finds no route (404).
    expect([404, 405]).toContain(res.status);
    expect(res.body?.data).toBeUndefined();
  });

  it('keeps REST working: login, enrol, status', async () => {
    const { jwt } = await register(app, 'rest@example.com', 'Password123!');
    const enable = await app.http().post('/api/two-factor/enable').set('Authorization', `Bearer ${jwt}`).send({ method: 'totp' });
    expect(enable.status).toBe(200);
    expect(enable.body.secret).toMatch(/^[A-Z2-7]+$/);
    const status = await app.http().get('/api/two-factor/status').set('Authorization', `Bearer ${jwt}`);
    expect(status.body).toEqual({ enabled: false, methods: [], backupCodesRemaining: 0 });
  });
});
