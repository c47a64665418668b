import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  decryptSecret,
  deriveKey,
  encryptSecret,
  keyId,
  type Keyring,
} from '../../server/src/core/encryption';

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const keyA = randomBytes(32);
const keyB = randomBytes(32);
const ring: Keyring = { current: keyA };

/** Replace one character of a base64url part with another valid one. */
function flipPart(blob: string, index: number): string {
  const parts = blob.split('.');
  const p = parts[index]!;
  const c = p[0] === 'A' ? 'B' : 'A';
  parts[index] = c + p.slice(1);
  return parts.join('.');
}

describe('encryptSecret / decryptSecret', () => {
  it('round-trips', () => {
    expect(decryptSecret(encryptSecret(SECRET, ring), ring)).toBe(SECRET);
    expect(decryptSecret(encryptSecret('', ring), ring)).toBe('');
    expect(decryptSecret(encryptSecret('ünïcødé ✓', ring), ring)).toBe('ünïcødé ✓');
  });

  it('has the v1.<kid>.<iv>.<tag>.<ct> format with a 12-byte IV and 16-byte tag', () => {
    const blob = encryptSecret(SECRET, ring);
    const parts = blob.split('.');
    expect(parts).toHaveLength(5);
    expect(parts[0]).toBe('v1');
    expect(parts[1]).toBe(keyId(keyA));
    for (const p of parts.slice(2)) expect(p).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(parts[2]!, 'base64url')).toHaveLength(12);
    expect(Buffer.from(parts[3]!, 'base64url')).toHaveLength(16);
    expect(Buffer.from(parts[4]!, 'base64url')).toHaveLength(Buffer.byteLength(SECRET));
  });

  it('produces a different ciphertext and IV every time', () => {
    const blobs = new Set(Array.from({ length: 50 }, () => encryptSecret(SECRET, ring)));
    expect(blobs.size).toBe(50);
    const ivs = new Set([...blobs].map((b) => b.split('.')[2]));
    expect(ivs.size).toBe(50);
  });

  it('contains no plaintext substring', () => {
    const blob = encryptSecret(SECRET, ring);
    for (let i = 0; i + 6 <= SECRET.length; i++) expect(blob).not.toContain(SECRET.slice(i, i + 6));
    expect(blob).not.toContain(Buffer.from(SECRET).toString('base64url').slice(0, 8));
  });

  it.each([
    ['version', 0],
    ['kid', 1],
    ['iv', 2],
    ['tag', 3],
    ['ciphertext', 4],
  ])('throws when the %s part is tampered', (_name, index) => {
    const blob = encryptSecret(SECRET, ring);
    const tampered = index === 0 ? `v2${blob.slice(2)}` : flipPart(blob, index);
    expect(tampered).not.toBe(blob);
    expect(() => decryptSecret(tampered, ring)).toThrow('Cannot decrypt secret');
  });

  it('throws on every single-bit flip of the ciphertext', () => {
    const blob = encryptSecret(SECRET, ring);
    const parts = blob.split('.');
    const ct = Buffer.from(parts[4]!, 'base64url');
    for (let bit = 0; bit < ct.length * 8; bit += 7) {
      const copy = Buffer.from(ct);
      copy[bit >> 3]! ^= 1 << (bit & 7);
      const t = [...parts.slice(0, 4), copy.toString('base64url')].join('.');
      expect(() => decryptSecret(t, ring)).toThrow('Cannot decrypt secret');
    }
  });

  it.each([
    ['empty', ''],
    ['garbage', 'not-a-blob'],
    ['too few parts', 'v1.abcdef12.AAAA'],
    ['too many parts', `${'x'}.v1.a.b.c.d`],
    ['padding characters', 'v1.abcdef12.AAAAAAAAAAAAAAAA==.AAAAAAAAAAAAAAAAAAAAAA.AAAA'],
    ['non-string', 42 as unknown as string],
    ['null', null as unknown as string],
  ])('throws the generic error on malformed input: %s', (_name, blob) => {
    expect(() => decryptSecret(blob, ring)).toThrow(new Error('Cannot decrypt secret'));
  });

  it('refuses a non-canonical base64url tag that decodes to the same bytes', () => {
    const parts = encryptSecret(SECRET, ring).split('.');
    const tag = parts[3]!; // 22 chars for 16 bytes: the last char has 4 unused low bits
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet[alphabet.indexOf(tag.at(-1)!) ^ 1]!;
    const sloppy = tag.slice(0, -1) + last;
    expect(Buffer.from(sloppy, 'base64url').equals(Buffer.from(tag, 'base64url'))).toBe(true);
    parts[3] = sloppy;
    expect(() => decryptSecret(parts.join('.'), ring)).toThrow('Cannot decrypt secret');
  });

  it('refuses a truncated tag', () => {
    const parts = encryptSecret(SECRET, ring).split('.');
    parts[3] = Buffer.from(parts[3]!, 'base64url').subarray(0, 12).toString('base64url');
    expect(() => decryptSecret(parts.join('.'), ring)).toThrow('Cannot decrypt secret');
  });

  it('throws with a wrong key, without leaking the blob or the key', () => {
    const blob = encryptSecret(SECRET, ring);
    let message = '';
    try {
      decryptSecret(blob, { current: keyB });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe('Cannot decrypt secret');
    expect(message).not.toContain(blob.split('.')[4]);
    expect(message).not.toContain(keyA.toString('hex').slice(0, 8));
  });

  it('throws with a wrong key that has a forged kid', () => {
    // a blob whose kid claims key B but whose ciphertext was made with key A
    const parts = encryptSecret(SECRET, ring).split('.');
    parts[1] = keyId(keyB);
    expect(() => decryptSecret(parts.join('.'), { current: keyB })).toThrow('Cannot decrypt secret');
  });

  it('binds the optional context into the AAD', () => {
    const blob = encryptSecret(SECRET, ring, 'user:1');
    expect(decryptSecret(blob, ring, 'user:1')).toBe(SECRET);
    expect(() => decryptSecret(blob, ring, 'user:2')).toThrow('Cannot decrypt secret');
    expect(() => decryptSecret(blob, ring)).toThrow('Cannot decrypt secret');
    expect(() => decryptSecret(encryptSecret(SECRET, ring), ring, 'user:1')).toThrow('Cannot decrypt secret');
  });

  it('refuses keys that are not 32-byte buffers when encrypting', () => {
    expect(() => encryptSecret(SECRET, { current: randomBytes(16) })).toThrow(TypeError);
    expect(() => encryptSecret(SECRET, { current: 'k'.repeat(32) as unknown as Buffer })).toThrow(TypeError);
  });
});

describe('key rotation', () => {
  it('decrypts a blob made with the old key through previous[]', () => {
    const oldBlob = encryptSecret(SECRET, { current: keyA });
    const rotated: Keyring = { current: keyB, previous: [randomBytes(32), keyA] };
    expect(decryptSecret(oldBlob, rotated)).toBe(SECRET);
    expect(() => decryptSecret(oldBlob, { current: keyB })).toThrow('Cannot decrypt secret');
  });

  it('re-encrypting an old-key blob with the rotated keyring seals it under the new key id', () => {
    const oldBlob = encryptSecret(SECRET, { current: keyA });
    const rotated: Keyring = { current: keyB, previous: [keyA] };
    expect(oldBlob.split('.')[1]).toBe(keyId(keyA));
    const fresh = encryptSecret(decryptSecret(oldBlob, rotated), rotated);
    expect(fresh.split('.')[1]).toBe(keyId(keyB));
    expect(decryptSecret(fresh, rotated)).toBe(SECRET);
  });
});

describe('keyId', () => {
  it('is the first 8 hex chars of sha256(key)', () => {
    expect(keyId(keyA)).toBe(createHash('sha256').update(keyA).digest('hex').slice(0, 8));
    expect(keyId(keyA)).toMatch(/^[0-9a-f]{8}$/);
    expect(keyId(keyA)).not.toBe(keyId(keyB));
  });
});

describe('deriveKey', () => {
  it('uses 64 hex chars raw', () => {
    const hex = keyA.toString('hex');
    expect(deriveKey(hex).equals(keyA)).toBe(true);
    expect(deriveKey(hex.toUpperCase()).equals(keyA)).toBe(true);
  });

  it('uses base64 / base64url of exactly 32 bytes raw', () => {
    expect(deriveKey(keyA.toString('base64')).equals(keyA)).toBe(true);
    expect(deriveKey(keyA.toString('base64url')).equals(keyA)).toBe(true);
  });

  it('derives a 32-byte key from a passphrase via HKDF, deterministically', () => {
    const k = deriveKey('correct horse battery staple');
    expect(k).toHaveLength(32);
    expect(deriveKey('correct horse battery staple').equals(k)).toBe(true);
    expect(deriveKey('correct horse battery stapler').equals(k)).toBe(false);
    expect(k.toString('utf8')).not.toContain('correct');
  });

  it('hashes base64 of a different length (e.g. a 16-byte Strapi app key) instead of using it raw', () => {
    const appKey = randomBytes(16).toString('base64');
    const k = deriveKey(appKey);
    expect(k).toHaveLength(32);
    expect(k.subarray(0, 16).equals(Buffer.from(appKey, 'base64'))).toBe(false);
  });

  it('hashes 63/65 hex chars instead of using them raw', () => {
    expect(deriveKey(keyA.toString('hex').slice(0, 63))).toHaveLength(32);
    expect(deriveKey(keyA.toString('hex').slice(0, 63)).equals(keyA)).toBe(false);
  });

  it('refuses empty or short material', () => {
    expect(() => deriveKey('')).toThrow();
    expect(() => deriveKey('short')).toThrow(RangeError);
    expect(() => deriveKey(undefined as unknown as string)).toThrow(TypeError);
  });

  it('derived keys work for encryption', () => {
    const k: Keyring = { current: deriveKey('a long configuration passphrase') };
    expect(decryptSecret(encryptSecret(SECRET, k), k)).toBe(SECRET);
  });
});
