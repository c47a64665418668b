import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, codeOf, twoFactorError, withCode } from '../../server/src/utils/errors';
import { errors } from '@strapi/utils';

const docs = readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'errors.md'), 'utf8');

describe('the error code table', () => {
  it('docs/errors.md lists exactly the codes of the table, each with its status', () => {
    const rows = [...docs.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)].map(([, code, status]) => [code, Number(status)]);
    expect(rows.map(([code]) => code).sort()).toEqual(Object.keys(ERROR_CODES).sort());
    for (const [code, status] of rows) expect(status, String(code)).toBe(ERROR_CODES[code as keyof typeof ERROR_CODES].status);
  });

  it("an error made for a code has the class of the code's status, its message and the code in details", () => {
    const locked = twoFactorError('LOCKED', undefined, { retryAfter: 12 });
    expect(locked).toBeInstanceOf(errors.RateLimitError);
    expect(locked.message).toBe('Too many failed attempts. Try again later.');
    expect((locked as any).details).toEqual({ retryAfter: 12, code: 'LOCKED' });
    expect(twoFactorError('PENDING_EXPIRED')).toBeInstanceOf(errors.UnauthorizedError);
    expect(twoFactorError('STEP_UP_REQUIRED')).toBeInstanceOf(errors.ForbiddenError);
    expect(twoFactorError('INVALID_CODE')).toBeInstanceOf(errors.ValidationError);
    expect(twoFactorError('METHOD_NOT_ENABLED', 'SMS two-factor is not enabled for this account').message).toBe(
      'SMS two-factor is not enabled for this account'
    );
    expect(codeOf(twoFactorError('INVALID_CODE', '2FA code mismatch'))).toBe('INVALID_CODE');
  });

  it('withCode gives an error passed on without a code the code of its kind, and keeps a code it has', () => {
    const yup = new errors.ValidationError('method is required', { errors: [{ path: ['method'] }] });
    expect((withCode(yup) as any).details).toEqual({ errors: [{ path: ['method'] }], code: 'INVALID_INPUT' });
    expect(codeOf(withCode(new errors.ApplicationError('Your account has been blocked by an administrator')))).toBe('REFUSED');
    expect(codeOf(withCode(new errors.RateLimitError()))).toBe('RATE_LIMITED');
    expect(codeOf(withCode(twoFactorError('SEND_LIMIT', undefined, { retryAfter: 3 })))).toBe('SEND_LIMIT');
    const bug = new TypeError('x is undefined');
    expect(withCode(bug)).toBe(bug);
    expect(codeOf(bug)).toBeUndefined();
  });
});
