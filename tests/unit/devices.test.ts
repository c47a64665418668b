import { describe, it, expect } from 'vitest';
import { deviceLabel, isDeviceTokenShape, newDeviceToken, passwordFingerprint, renderNotice } from '../../server/src/core';

/** The pure parts of remembered devices: the token, its shape check, the User-Agent label, the notice. */
describe('remembered devices (core)', () => {
  it('makes 256-bit base64url tokens, each new', () => {
    const tokens = new Set(Array.from({ length: 100 }, newDeviceToken));
    expect(tokens.size).toBe(100);
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
      expect(isDeviceTokenShape(token)).toBe(true);
    }
    for (const value of ['', 'a'.repeat(42), 'a'.repeat(44), `${'a'.repeat(42)}=`, 42, null, { a: 1 }, ['x']]) {
      expect(isDeviceTokenShape(value)).toBe(false);
    }
  });

  it.each([
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36', 'Chrome on macOS'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0', 'Firefox on Windows'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1', 'Safari on iOS'],
    ['Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15', 'Safari on macOS'],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0', 'Edge on Windows'],
    ['Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36', 'Chrome on Android'],
    ['Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0 Mobile/15E148 Safari/604.1', 'Chrome on iOS'],
    ['Mozilla/5.0 (X11; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0', 'Firefox on Linux'],
    ['curl/8.5.0', 'Unknown device'],
    ['', 'Unknown device'],
    [undefined, 'Unknown device'],
  ])('labels %s as %s', (agent, label) => {
    expect(deviceLabel(agent)).toBe(label);
  });

  it('fingerprints a password hash, the same for the same hash only', () => {
    expect(passwordFingerprint('$2a$10$abc')).toBe(passwordFingerprint('$2a$10$abc'));
    expect(passwordFingerprint('$2a$10$abc')).not.toBe(passwordFingerprint('$2a$10$abd'));
    expect(passwordFingerprint(null)).toBe(passwordFingerprint(''));
  });

  it('has a notice for a remembered device, with where it came from', () => {
    const notice = renderNotice('device.trusted', { appName: 'Shop', username: 'ada', time: '2026-01-01 10:00 UTC', origin: 'IP 1.2.3.4, Chrome' });
    expect(notice.subject).toBe('A device was remembered for your Shop account');
    expect(notice.text).toContain('IP 1.2.3.4, Chrome');
    expect(notice.text).toContain('2026-01-01 10:00 UTC');
  });
});
