import type { Zod } from './zod';
import { json } from './zod';
import { LIMITS } from '../../services/settings';
import { EVENT_TYPES, METHODS } from '../../vocabulary';

/** The admin panel's API (docs/admin.md, "Admin API"). */
export const adminSchemas = (z: Zod) => {
  const whole = z.number().int();
  const settings = z.object({
    enabled: z.boolean(),
    methods: z.object(Object.fromEntries(METHODS.map((m) => [m, z.boolean()])) as Record<(typeof METHODS)[number], ReturnType<Zod['boolean']>>),
    enforcedRoles: z.array(z.string()).describe('users-permissions role types whose users must use a second factor'),
    issuer: z.string(),
    ...(Object.fromEntries(Object.keys(LIMITS).map((key) => [key, whole])) as Record<keyof typeof LIMITS, typeof whole>),
    trustedDevices: z.object({ enabled: z.boolean(), days: whole.describe('1 to 90') }).describe('Remembered devices'),
    passkeys: z.object({ passwordless: z.boolean().describe('A passkey with user verification signs in on its own') }).describe('Passkeys'),
  });
  const role = z.object({ type: z.string(), name: z.string() });
  const view = settings.extend({
    smsAvailable: z.boolean(),
    passkeysAvailable: z.boolean().describe('Whether config passkeys.rpId and passkeys.origins are set'),
    roles: z.array(role),
    limits: z.record(z.string(), z.tuple([z.number(), z.number()])).describe('[min, max] of each number'),
  });
  const change = settings.partial().extend({
    methods: settings.shape.methods.partial().optional(),
    trustedDevices: settings.shape.trustedDevices.partial().optional(),
    passkeys: settings.shape.passkeys.partial().optional(),
  });

  const page = { page: whole.min(1).optional(), pageSize: whole.min(1).max(100).optional() };
  const pagination = z.object({ page: whole, pageSize: whole, total: whole, pageCount: whole });
  const userState = z.object({
    id: whole,
    methods: z.array(z.enum(METHODS)),
    backupCodesRemaining: whole,
    lockedUntil: z.string().nullable(),
    keyMissing: z.boolean().describe('The authenticator secret was sealed with a key that is no longer configured'),
    devices: whole.describe('Remembered devices whose logins skip the second factor'),
    passkeys: whole.describe('Passkeys registered (the reset removes them)'),
  });
  const user = userState.extend({
    username: z.string().nullable(),
    email: z.string().nullable(),
    blocked: z.boolean(),
    role: role.nullable(),
    setupRequiredBy: z.string().nullable().describe('A required role, no factor yet, inside the grace period: the deadline (ISO 8601)'),
  });
  const event = z.object({
    id: whole,
    type: z.enum(EVENT_TYPES),
    userId: whole.nullable(),
    user: z.object({ id: whole, username: z.string().nullable(), email: z.string().nullable() }).nullable(),
    method: z.string().nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    details: z.unknown(),
    createdAt: z.string(),
  });

  return {
    settings: { response: view },
    // The whole GET answer may be sent back: its read-only keys are ignored.
    updateSettings: json(change.extend(view.pick({ smsAvailable: true, roles: true, limits: true }).partial().shape), view),
    users: {
      request: { query: { ...page, search: z.string().max(100).optional().describe('Part of a username or email') } },
      response: z.object({ results: z.array(user), pagination }),
    },
    reset: { request: { params: { id: whole.min(1) } }, response: userState },
    unlock: { request: { params: { id: whole.min(1) } }, response: userState },
    revokeDevices: { request: { params: { id: whole.min(1) } }, response: z.object({ id: whole, devices: whole }) },
    events: {
      request: {
        query: {
          ...page,
          user: z.string().max(255).optional().describe('A user id, username or email'),
          type: z.enum(EVENT_TYPES).optional(),
        },
      },
      response: z.object({ results: z.array(event), pagination }),
    },
  };
};
