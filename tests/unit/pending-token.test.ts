import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  PENDING_TOKEN_AUDIENCE,
  PENDING_TOKEN_ISSUER,
  signPendingToken,
  verifyPendingToken,
} from '../../server/src/core/pending-token';

const key = randomBytes(32);
const input = { challengeId: 'c0ffee-1', userId: 42, purpose: 'login' as const };
const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** A JWT signed with `key` and a pending token's claims, but for what `options` changes (undefined drops it). */
const signLike = (payload: object, options: jwt.SignOptions = {}) => {
  const opts: jwt.SignOptions = {
    algorithm: 'HS256',
    audience: PENDING_TOKEN_AUDIENCE,
    issuer: PENDING_TOKEN_ISSUER,
    jwtid: 'c',
    subject: '1',
    expiresIn: 60,
    ...options,
  };
  for (const k of Object.keys(opts) as Array<keyof jwt.SignOptions>) if (opts[k] === undefined) delete opts[k];
  return jwt.sign(payload, key, opts);
};

afterEach(() => {
  vi.useRealTimers();
});

describe('signPendingToken / verifyPendingToken', () => {
  it('round-trips with userId as a string', () => {
    const token = signPendingToken(input, key, 300);
    expect(verifyPendingToken(token, key)).toEqual({ challengeId: 'c0ffee-1', userId: '42', purpose: 'login' });
    expect(verifyPendingToken(signPendingToken({ ...input, userId: 'doc-abc', purpose: 'setup' }, key, 60), key)).toEqual({
      challengeId: 'c0ffee-1',
      userId: 'doc-abc',
      purpose: 'setup',
    });
  });

  it('carries the expected claims and header', () => {
    const token = signPendingToken(input, key, 300);
    const decoded = jwt.decode(token, { complete: true })!;
    expect(decoded.header).toMatchObject({ alg: 'HS256', typ: 'JWT' });
    const p = decoded.payload as jwt.JwtPayload;
    expect(p).toMatchObject({
      aud: PENDING_TOKEN_AUDIENCE,
      iss: PENDING_TOKEN_ISSUER,
      jti: 'c0ffee-1',
      sub: '42',
      purpose: 'login',
    });
    expect(p.exp! - p.iat!).toBe(300);
    expect(PENDING_TOKEN_AUDIENCE).toBe('two-factor:pending');
    expect(PENDING_TOKEN_ISSUER).toBe('strapi-plugin-two-factor');
  });

  it('refuses a tampered payload (same signature)', () => {
    const [h, , s] = signPendingToken(input, key, 300).split('.');
    const p = jwt.decode(signPendingToken(input, key, 300)) as jwt.JwtPayload;
    const forged = `${h}.${b64url({ ...p, sub: '1' })}.${s}`;
    expect(verifyPendingToken(forged, key)).toBeNull();
  });

  it('refuses a tampered signature', () => {
    const token = signPendingToken(input, key, 300);
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    expect(verifyPendingToken(`${token.slice(0, -2)}${last}${token.at(-1)}`, key)).toBeNull();
    expect(verifyPendingToken(token.slice(0, token.lastIndexOf('.') + 1), key)).toBeNull();
  });

  it('refuses an unsigned alg:none token crafted by hand', () => {
    const now = Math.floor(Date.now() / 1000);
    const payload = { purpose: 'login', aud: PENDING_TOKEN_AUDIENCE, iss: PENDING_TOKEN_ISSUER, jti: 'x', sub: '1', iat: now, exp: now + 300 };
    for (const alg of ['none', 'None', 'NONE']) {
      expect(verifyPendingToken(`${b64url({ alg, typ: 'JWT' })}.${b64url(payload)}.`, key)).toBeNull();
    }
    // and a none header re-using a valid signature
    const sig = signPendingToken(input, key, 300).split('.')[2];
    expect(verifyPendingToken(`${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.${sig}`, key)).toBeNull();
  });

  it('refuses HS512/HS384 tokens even under the right key (pinned algorithm list)', () => {
    for (const algorithm of ['HS384', 'HS512'] as const) {
      expect(verifyPendingToken(signLike({ purpose: 'login' }, { algorithm }), key)).toBeNull();
    }
  });

  it('refuses a token signed with another key', () => {
    expect(verifyPendingToken(signPendingToken(input, randomBytes(32), 300), key)).toBeNull();
  });

  it('refuses an expired token (fake clock)', () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
    const token = signPendingToken(input, key, 1);
    expect(verifyPendingToken(token, key)).not.toBeNull();
    vi.setSystemTime(new Date('2030-01-01T00:00:02Z'));
    expect(verifyPendingToken(token, key)).toBeNull();
  });

  const now = Math.floor(Date.now() / 1000);
  it.each<[string, object, jwt.SignOptions]>([
    ['whose exp is in the past', { purpose: 'login', exp: now - 10, iat: now - 100 }, { expiresIn: undefined }],
    ['without exp', { purpose: 'login' }, { expiresIn: undefined }],
    ['with wrong audience', { purpose: 'login' }, { audience: 'users-permissions' }],
    ['with no audience', { purpose: 'login' }, { audience: undefined }],
    ['with wrong issuer', { purpose: 'login' }, { issuer: 'someone-else' }],
    ['with no jti', { purpose: 'login' }, { jwtid: undefined }],
    ['with no subject', { purpose: 'login' }, { subject: undefined }],
  ])('refuses a token %s', (_label, payload, options) => {
    expect(verifyPendingToken(signLike(payload, options), key)).toBeNull();
  });

  it('refuses an unknown or missing purpose', () => {
    expect(verifyPendingToken(signLike({ purpose: 'admin' }), key)).toBeNull();
    expect(verifyPendingToken(signLike({ foo: 1 }), key)).toBeNull();
  });

  it('refuses a users-permissions style JWT signed with the same key', () => {
    const upJwt = jwt.sign({ id: 42 }, key, { expiresIn: '30d' });
    expect(verifyPendingToken(upJwt, key)).toBeNull();
  });

  it.each<[string, unknown]>([
    ['number', 123],
    ['null', null],
    ['undefined', undefined],
    ['object', {}],
    ['array', []],
    ['empty string', ''],
    ['garbage', 'not.a.jwt'],
    ['Buffer', Buffer.from('x')],
  ])('returns null for %s without throwing', (_label, value) => {
    expect(() => verifyPendingToken(value, key)).not.toThrow();
    expect(verifyPendingToken(value, key)).toBeNull();
  });

  it('returns null for tokens longer than 2048 chars, even validly signed', () => {
    const big = signLike({ purpose: 'login', pad: 'x'.repeat(2000) });
    expect(big.length).toBeGreaterThan(2048);
    expect(verifyPendingToken(big, key)).toBeNull();
  });

  it('returns null for a bad key instead of throwing', () => {
    const token = signPendingToken(input, key, 300);
    expect(verifyPendingToken(token, randomBytes(8))).toBeNull();
    expect(verifyPendingToken(token, undefined as unknown as Buffer)).toBeNull();
  });

  it('sign refuses bad input', () => {
    expect(() => signPendingToken({ ...input, challengeId: '' }, key, 300)).toThrow(TypeError);
    expect(() => signPendingToken({ ...input, userId: '' }, key, 300)).toThrow(TypeError);
    expect(() => signPendingToken({ ...input, purpose: 'admin' as 'login' }, key, 300)).toThrow(TypeError);
    expect(() => signPendingToken(input, randomBytes(16), 300)).toThrow(TypeError);
    expect(() => signPendingToken(input, key, 0)).toThrow(RangeError);
    expect(() => signPendingToken(input, key, -5)).toThrow(RangeError);
    expect(() => signPendingToken(input, key, 1.5)).toThrow(RangeError);
  });
});
