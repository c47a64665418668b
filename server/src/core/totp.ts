/**
 * TOTP / HOTP (RFC 6238 / RFC 4226) on top of otplib 13.
 *
 * Why a wrapper: otplib 13 `verify*` throws on malformed tokens and bad options and
 * returns an object, while the plugin needs a verifier that never throws (a bad code
 * must look exactly like a wrong code, never a 500) and that refuses replays.
 * The sync otplib variants are used: the default noble crypto plugin is synchronous,
 * so the hot path needs no promise.
 */
import { randomBytes } from 'node:crypto';
import { generateSync, verifySync, ScureBase32Plugin } from 'otplib';
import { normalizeNumericCode } from './otp-codes';

export type TotpAlgorithm = 'sha1' | 'sha256' | 'sha512';

export interface TotpOptions {
  algorithm?: TotpAlgorithm;
  digits?: 6 | 8;
  period?: number;
}

export interface VerifyTotpOptions extends TotpOptions {
  /** Steps accepted on each side of the current one (default 1). */
  window?: number;
  /** Last accepted time step: any step <= this is refused (replay protection). */
  afterTimeStep?: number | null;
  /** Unix time in seconds (default: now). Only the server clock should be passed. */
  time?: number;
}

export type VerifyTotpResult = { valid: true; timeStep: number } | { valid: false };

export const TOTP_DEFAULTS: Readonly<Required<TotpOptions>> = Object.freeze({
  algorithm: 'sha1',
  digits: 6,
  period: 30,
});

/** Upper bound on the verification window, far below otplib's own guardrail. */
export const MAX_TOTP_WINDOW = 10;
/** RFC 4226 section 4 asks for at least 128 bits; 160 bits (20 bytes) is the recommended size. */
export const MIN_SECRET_BYTES = 20;
// otplib refuses secrets above 64 bytes.
const MAX_SECRET_BYTES = 64;

const ALGORITHMS: readonly TotpAlgorithm[] = ['sha1', 'sha256', 'sha512'];

const base32 = new ScureBase32Plugin();

interface ResolvedOptions {
  algorithm: TotpAlgorithm;
  digits: 6 | 8;
  period: number;
}

function resolveOptions(opts: TotpOptions = {}): ResolvedOptions {
  const algorithm = opts.algorithm ?? TOTP_DEFAULTS.algorithm;
  const digits = opts.digits ?? TOTP_DEFAULTS.digits;
  const period = opts.period ?? TOTP_DEFAULTS.period;
  if (!ALGORITHMS.includes(algorithm)) throw new RangeError('Unsupported TOTP algorithm');
  if (digits !== 6 && digits !== 8) throw new RangeError('TOTP digits must be 6 or 8');
  if (!Number.isSafeInteger(period) || period < 1 || period > 3600) {
    throw new RangeError('TOTP period must be an integer between 1 and 3600 seconds');
  }
  return { algorithm, digits, period };
}

function resolveTime(time?: number): number {
  const t = time ?? Date.now() / 1000;
  if (!Number.isFinite(t) || t < 0) throw new RangeError('time must be a non-negative number of seconds');
  return Math.floor(t);
}

/** RFC 4648 base32 without padding (what authenticator apps expect). */
export function base32Encode(bytes: Uint8Array): string {
  return base32.encode(bytes, { padding: false });
}

/** Fresh secret from the OS CSPRNG (T2); never reuse one across enrolments. */
export function generateTotpSecret(bytes = MIN_SECRET_BYTES): string {
  if (!Number.isSafeInteger(bytes) || bytes < MIN_SECRET_BYTES || bytes > MAX_SECRET_BYTES) {
    throw new RangeError(`TOTP secrets must be between ${MIN_SECRET_BYTES} and ${MAX_SECRET_BYTES} bytes`);
  }
  return base32Encode(randomBytes(bytes));
}

/** Absolute RFC 6238 time-step counter, floor(t / period) with T0 = 0. */
export function currentTimeStep(time?: number, period = TOTP_DEFAULTS.period): number {
  resolveOptions({ period });
  return Math.floor(resolveTime(time) / period);
}

/** TOTP code for `time` (unix seconds, default now). Throws on a bad secret or options. */
export function totpCode(secretBase32: string, opts: TotpOptions & { time?: number } = {}): string {
  const { algorithm, digits, period } = resolveOptions(opts);
  return generateSync({ secret: secretBase32, algorithm, digits, period, epoch: resolveTime(opts.time) });
}

/** HOTP code for a counter (RFC 4226); used for the RFC vectors. */
export function hotpCode(secretBase32: string, counter: number, opts: Omit<TotpOptions, 'period'> = {}): string {
  const { algorithm, digits } = resolveOptions(opts);
  return generateSync({ secret: secretBase32, strategy: 'hotp', counter, algorithm, digits });
}

/**
 * Checks a code against the server clock. Never throws: malformed tokens, a broken
 * secret or invalid options all give `{ valid: false }` (fail closed).
 * On success `timeStep` is the absolute step of the matched code; store it and pass it
 * back as `afterTimeStep` (with an atomic compare-and-set) to refuse replays (T3).
 */
export function verifyTotp(secretBase32: string, token: unknown, opts: VerifyTotpOptions = {}): VerifyTotpResult {
  const invalid: VerifyTotpResult = { valid: false };
  try {
    const { algorithm, digits, period } = resolveOptions(opts);
    const window = opts.window ?? 1;
    if (!Number.isSafeInteger(window) || window < 0 || window > MAX_TOTP_WINDOW) return invalid;

    const code = normalizeNumericCode(token, digits);
    if (code === null || typeof secretBase32 !== 'string' || secretBase32.length === 0) return invalid;

    const epoch = resolveTime(opts.time);
    const current = Math.floor(epoch / period);

    let afterTimeStep: number | undefined;
    if (opts.afterTimeStep !== undefined && opts.afterTimeStep !== null) {
      // A corrupt stored step must not disable replay protection: fail closed.
      if (!Number.isSafeInteger(opts.afterTimeStep)) return invalid;
      // Negative means "nothing accepted yet"; otplib would throw on it.
      if (opts.afterTimeStep >= 0) afterTimeStep = opts.afterTimeStep;
      // Every step in the window is already used; otplib would throw here, so answer directly.
      if (afterTimeStep !== undefined && afterTimeStep >= current + window) return invalid;
    }

    const result = verifySync({
      secret: secretBase32,
      token: code,
      algorithm,
      digits,
      period,
      epoch,
      // Tolerance is in seconds; a multiple of the period gives exactly ±window steps.
      epochTolerance: window * period,
      afterTimeStep,
    });
    if (!result.valid || !('timeStep' in result)) return invalid;
    // Belt and braces: never trust the library alone with the window and replay rules.
    const step = result.timeStep;
    if (Math.abs(step - current) > window) return invalid;
    if (afterTimeStep !== undefined && step <= afterTimeStep) return invalid;
    return { valid: true, timeStep: step };
  } catch {
    return invalid;
  }
}

export interface OtpauthUriInput extends TotpOptions {
  issuer: string;
  account: string;
  secret: string;
}

/**
 * `otpauth://totp/<Issuer>:<account>?secret=…&issuer=…&algorithm=…&digits=…&period=…` (T8).
 * Built by hand: otplib's generateURI leaves a ':' inside the issuer unencoded and omits
 * default parameters; listing them all makes the app use exactly what the server verifies.
 * encodeURIComponent (not URLSearchParams) so spaces are %20, never '+'.
 */
export function otpauthUri(input: OtpauthUriInput): string {
  const { algorithm, digits, period } = resolveOptions(input);
  const { issuer, account, secret } = input;
  if (typeof issuer !== 'string' || issuer.length === 0) throw new TypeError('issuer is required');
  if (typeof account !== 'string' || account.length === 0) throw new TypeError('account is required');
  if (typeof secret !== 'string' || !/^[A-Z2-7]+$/.test(secret)) throw new TypeError('secret must be unpadded base32');
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = [
    `secret=${secret}`,
    `issuer=${encodeURIComponent(issuer)}`,
    `algorithm=${algorithm.toUpperCase()}`,
    `digits=${digits}`,
    `period=${period}`,
  ].join('&');
  return `otpauth://totp/${label}?${query}`;
}
