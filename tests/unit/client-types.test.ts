import { describe, it, expect, expectTypeOf } from 'vitest';
import { z } from '@strapi/utils';
import type { ErrorCode } from '../../server/src/utils/errors';
import { CODE_METHODS, FACTOR_METHODS, METHODS } from '../../server/src/vocabulary';
import { loginSchemas } from '../../server/src/routes/schemas/login';
import { manageSchemas } from '../../server/src/routes/schemas/manage';
import { deviceSchemas } from '../../server/src/routes/schemas/devices';
import { passkeySchemas } from '../../server/src/routes/schemas/passkeys';
import type { Schema } from '../../server/src/routes/schemas/zod';
import type * as Client from '../../client/src';
import { TwoFactorError } from '../../client/src';
import { errorFromAnswer, parseRetryAfter } from '../../client/src/errors';

/**
 * The client's answer types (client/src/types.ts) against the schemas the routes declare
 * (server/src/routes/schemas). Where a schema keeps its zod type, the types are compared by the
 * compiler; where `json()` erases it to a plain Schema, its JSON Schema's properties are compared
 * with key lists the compiler holds equal to the client's types. The type assertions are checked by
 * `npm run typecheck` (tsconfig.tests.json), the JSON Schema comparisons by this run.
 */
type Login = ReturnType<typeof loginSchemas>;
type Manage = ReturnType<typeof manageSchemas>;
type Devices = ReturnType<typeof deviceSchemas>;
type Pending = ReturnType<Login['orPending']>['options'];

const login = loginSchemas(z);
const manage = manageSchemas(z);
const passkeys = passkeySchemas(z);

/** Exactly the keys of T, each once: a missing or unknown key is a compile error. */
const keysOf =
  <T>() =>
  <const K extends readonly (keyof T)[]>(...keys: K & ([Exclude<keyof T, K[number]>] extends [never] ? unknown : never)) =>
    [...keys].map(String).sort();

/** The property names of a JSON object schema (of each member, for a union), and the required ones. */
const shapeOf = (schema: Schema) => {
  const json = z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }) as any;
  const members: any[] = json.anyOf ?? json.oneOf ?? [json];
  return members.map((m) => ({ keys: Object.keys(m.properties ?? {}).sort(), required: [...(m.required ?? [])].sort() }));
};

describe('the client types match the routes’ declared answers', () => {
  it('method names: every method the server names is one the client knows', () => {
    expectTypeOf<(typeof METHODS)[number]>().toExtend<Client.Method>();
    expectTypeOf<(typeof FACTOR_METHODS)[number]>().toExtend<Client.FactorMethod>();
    expectTypeOf<(typeof CODE_METHODS)[number]>().toEqualTypeOf<Client.CodeMethod>();
  });

  it('error codes: every REST error code of the server is a code of TwoFactorError', () => {
    // The two 200 codes are GraphQL's: REST answers them as a login answer, not an error.
    expectTypeOf<Exclude<ErrorCode, 'TWO_FACTOR_REQUIRED' | 'TWO_FACTOR_SETUP_REQUIRED'>>().toExtend<Client.ServerErrorCode>();
  });

  it('the login answers (users-permissions tokens, 2FA required, setup required)', () => {
    expectTypeOf<z.infer<Login['issued']>>().toExtend<Client.IssuedTokens>();
    expectTypeOf<Pick<Client.IssuedTokens, 'jwt' | 'refreshToken' | 'user'>>().toExtend<z.infer<Login['issued']>>();
    expectTypeOf<z.infer<Pending[1]>>().toExtend<Client.TwoFaRequiredAnswer>();
    expectTypeOf<z.infer<Pending[2]>>().toExtend<Client.TwoFaSetupRequiredAnswer>();
  });

  it('status and remembered devices', () => {
    expectTypeOf<z.infer<Manage['status']['response']>>().toExtend<Client.TwoFactorStatus>();
    expectTypeOf<Omit<Client.TwoFactorStatus, 'methods'>>().toEqualTypeOf<Omit<z.infer<Manage['status']['response']>, 'methods'>>();
    expectTypeOf<z.infer<Devices['list']['response']>>().toEqualTypeOf<Client.RememberedDevice[]>();
    expectTypeOf<z.infer<Devices['revoke']['response']>>().toEqualTypeOf<Awaited<ReturnType<Client.TwoFactorClient['devices']['revoke']>>>();
    expectTypeOf<z.infer<Devices['revokeAll']['response']>>().toEqualTypeOf<Awaited<ReturnType<Client.TwoFactorClient['devices']['revokeAll']>>>();
  });

  it('enrolment, confirmation, backup codes, disable, step-up and send (schemas erased by json(): compared as JSON Schema)', () => {
    expect(shapeOf(manage.enable.response)).toEqual([
      { keys: keysOf<Client.AuthenticatorEnrolment>()('qrCode', 'qrCodeSvg', 'secret', 'otpauthUrl'), required: keysOf<Client.AuthenticatorEnrolment>()('qrCode', 'qrCodeSvg', 'secret', 'otpauthUrl') },
      { keys: keysOf<Client.CodeSentEnrolment>()('message'), required: ['message'] },
    ]);
    const [withLogin, confirmation] = shapeOf(manage.confirm.response);
    expect(confirmation).toEqual({ keys: keysOf<Client.Confirmation>()('enabled', 'methods', 'backupCodes'), required: ['enabled', 'methods'] });
    expect(withLogin.keys).toEqual(keysOf<Client.Confirmation & Pick<Client.IssuedTokens, 'jwt' | 'user' | 'refreshToken'>>()('enabled', 'methods', 'backupCodes', 'jwt', 'user', 'refreshToken'));
    expect(shapeOf(manage.backupCodes.response)).toEqual([{ keys: ['backupCodes'], required: ['backupCodes'] }]);
    expect(shapeOf(manage.disable.response)).toEqual([{ keys: keysOf<Client.DisableResult>()('enabled', 'methods'), required: ['enabled', 'methods'] }]);
    expect(shapeOf(manage.stepUp.response)).toEqual([{ keys: keysOf<Client.StepUpResult>()('freshUntil'), required: ['freshUntil'] }]);
    expect(shapeOf(login.send.response)).toEqual([{ keys: ['message'], required: ['message'] }]);
    expect(shapeOf(login.verify.response)[0].keys).toEqual(
      keysOf<Pick<Client.IssuedTokens, 'jwt' | 'user' | 'refreshToken' | 'deviceToken'>>()('jwt', 'user', 'refreshToken', 'deviceToken')
    );
  });

  it('passkeys: the list, an added passkey, a rename', () => {
    const fields = keysOf<Client.Passkey>()('id', 'name', 'createdAt', 'lastUsedAt', 'transports', 'backedUp', 'deviceType');
    expect(Object.keys((z.toJSONSchema(passkeys.list.response, { io: 'output', unrepresentable: 'any' }) as any).items.properties).sort()).toEqual(fields);
    expect(shapeOf(passkeys.rename.response)[0].keys).toEqual(fields);
    // Added with a JWT, or completing a setup-required login (then with its tokens too).
    const [added, completing] = shapeOf(passkeys.register.response);
    expect(added.keys).toEqual(keysOf<Client.PasskeyAdded>()('id', 'name', 'createdAt', 'lastUsedAt', 'transports', 'backedUp', 'deviceType', 'enabled', 'methods', 'backupCodes'));
    expect(completing.keys).toEqual(expect.arrayContaining(['jwt', 'user', ...added.keys]));
  });
});

describe('TwoFactorError from an answer', () => {
  it('takes the code and retryAfter from details, the header first', () => {
    const body = { data: null, error: { status: 429, name: 'RateLimitError', message: 'Too many failed attempts. Try again later.', details: { code: 'LOCKED', retryAfter: 840 } } };
    const fromHeader = errorFromAnswer(429, body, '839');
    expect({ code: fromHeader.code, status: fromHeader.status, message: fromHeader.message, retryAfter: fromHeader.retryAfter }).toEqual({
      code: 'LOCKED',
      status: 429,
      message: 'Too many failed attempts. Try again later.',
      retryAfter: 839,
    });
    // A browser on another origin cannot read Retry-After unless CORS exposes it: the details have it.
    expect(errorFromAnswer(429, body, null).retryAfter).toBe(840);
    expect(TwoFactorError.is(fromHeader, 'LOCKED')).toBe(true);
    expect(TwoFactorError.is(fromHeader, 'INVALID_CODE')).toBe(false);
  });

  it('gives an answer without a plugin code the code of its kind, as the plugin does for what it passes on', () => {
    const of = (status: number, name: string) => errorFromAnswer(status, { data: null, error: { status, name, message: 'm', details: {} } }, null).code;
    expect(of(400, 'ValidationError')).toBe('INVALID_INPUT');
    expect(of(400, 'ApplicationError')).toBe('REFUSED');
    expect(of(401, 'UnauthorizedError')).toBe('UNAUTHORIZED');
    expect(of(403, 'ForbiddenError')).toBe('FORBIDDEN');
    expect(of(429, 'RateLimitError')).toBe('RATE_LIMITED');
    expect(errorFromAnswer(502, undefined, null)).toMatchObject({ code: 'BAD_RESPONSE', status: 502 });
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('120')).toBe(120);
    expect(parseRetryAfter(new Date(Date.parse('2026-01-01T00:01:00Z')).toUTCString(), Date.parse('2026-01-01T00:00:00Z'))).toBe(60);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
