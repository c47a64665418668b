import type { Core } from '@strapi/strapi';
import type request from 'supertest';
import { totpCode } from '../../server/src/core';

/**
 * Admin-side fixtures shared by the admin API suite and the browser suite: admin roles with a
 * chosen set of the plugin's actions, users-permissions users of a given role, TOTP enrolment.
 */
export const PLUGIN_ACTIONS = ['settings.read', 'settings.update', 'users.read', 'users.reset', 'events.read'].map(
  (a) => `plugin::two-factor.${a}`
);

type Http = () => ReturnType<typeof request>;

/** An active admin whose only role grants exactly `actions` (none: an admin without the plugin). */
export async function createAdmin(strapi: Core.Strapi, input: { email: string; password: string; actions: string[]; roleName: string }) {
  const roles = strapi.service('admin::role') as any;
  const role = await roles.create({ name: input.roleName, description: `test role ${input.roleName}` });
  if (input.actions.length) await roles.assignPermissions(role.id, input.actions.map((action) => ({ action, subject: null })));
  await (strapi.service('admin::user') as any).create({
    email: input.email,
    firstname: 'Test',
    lastname: input.roleName,
    password: input.password,
    registrationToken: null,
    isActive: true,
    roles: [role.id],
  });
  return role;
}

export async function adminToken(http: Http, email: string, password: string): Promise<string> {
  const res = await http().post('/admin/login').send({ email, password });
  if (res.status !== 200 || !res.body?.data?.token) throw new Error(`admin login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.data.token;
}

/** A users-permissions role of this type, created when missing. */
export async function ensureRole(strapi: Core.Strapi, type: string, name = type): Promise<number> {
  const roles = strapi.db.query('plugin::users-permissions.role');
  const existing = await roles.findOne({ where: { type } });
  if (existing) return existing.id;
  return (await roles.create({ data: { type, name, description: `test role ${name}` } })).id;
}

/** A confirmed local user of the given role (default: authenticated). */
export async function createUser(strapi: Core.Strapi, input: { username: string; email: string; password: string; roleType?: string }) {
  const role = await ensureRole(strapi, input.roleType ?? 'authenticated');
  return (strapi.plugin('users-permissions').service('user') as any).add({
    username: input.username,
    email: input.email,
    password: input.password,
    provider: 'local',
    confirmed: true,
    blocked: false,
    role,
  });
}

export async function login(http: Http, identifier: string, password: string) {
  return http().post('/api/auth/local').send({ identifier, password });
}

/** Enrols an authenticator app for a signed-in user; answers the secret and the backup codes. */
export async function enrolTotp(http: Http, jwt: string) {
  const enable = await http().post('/api/two-factor/enable').set('Authorization', `Bearer ${jwt}`).send({ method: 'totp' });
  if (enable.status !== 200) throw new Error(`enable failed: ${enable.status} ${JSON.stringify(enable.body)}`);
  const confirm = await http()
    .post('/api/two-factor/confirm')
    .set('Authorization', `Bearer ${jwt}`)
    .send({ method: 'totp', code: totpCode(enable.body.secret) });
  if (confirm.status !== 200) throw new Error(`confirm failed: ${confirm.status} ${JSON.stringify(confirm.body)}`);
  return { secret: enable.body.secret as string, backupCodes: confirm.body.backupCodes as string[] };
}
