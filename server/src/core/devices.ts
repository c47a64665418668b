import { createHash, randomBytes } from 'node:crypto';

/** A remembered device's token: 256 random bits, base64url (43 characters). */
export const newDeviceToken = (): string => randomBytes(32).toString('base64url');

/** What a device token looks like; anything else is not looked up (a huge or odd value costs nothing). */
export const isDeviceTokenShape = (value: unknown): value is string => typeof value === 'string' && /^[A-Za-z0-9_-]{43}$/.test(value);

/**
 * Ties a pending login or a remembered device to the password it was opened with: a password
 * change or reset changes the stored hash, and so ends both, in every process, with no hook.
 */
export const passwordFingerprint = (passwordHash: string | null | undefined): string =>
  createHash('sha256').update(passwordHash ?? '').digest('hex').slice(0, 32);

// Order matters: Edge and Opera carry "Chrome", Chrome carries "Safari", iOS carries "Mac OS X".
const BROWSERS: [RegExp, string][] = [
  [/Edg(e|A|iOS)?\//, 'Edge'],
  [/OPR\/|Opera/, 'Opera'],
  [/SamsungBrowser\//, 'Samsung Internet'],
  [/Firefox\/|FxiOS\//, 'Firefox'],
  [/Chrome\/|CriOS\/|Chromium\//, 'Chrome'],
  [/Safari\//, 'Safari'],
];
const SYSTEMS: [RegExp, string][] = [
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Android/, 'Android'],
  [/CrOS/, 'ChromeOS'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/Linux/, 'Linux'],
];

const first = (list: [RegExp, string][], agent: string) => list.find(([pattern]) => pattern.test(agent))?.[1];

/** A short name for a User-Agent: "Chrome on macOS", "Safari on iOS", "Unknown device". */
export function deviceLabel(userAgent: string | null | undefined): string {
  const agent = String(userAgent ?? '').slice(0, 512);
  const browser = first(BROWSERS, agent);
  const system = first(SYSTEMS, agent);
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? 'Unknown device';
}
