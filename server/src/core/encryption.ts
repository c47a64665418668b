/**
 * AES-256-GCM for TOTP secrets at rest (T6), with key rotation.
 *
 * Blob format: `v1.<kid>.<iv>.<tag>.<ciphertext>` (base64url parts). The key id lets a
 * keyring hold the current key plus older ones, so rotating the configured key does not
 * lock out enrolled users (services/key-rotation.ts rewrites old blobs with the current key).
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

export interface Keyring {
  current: Buffer;
  previous?: Buffer[];
}

const VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12; // GCM's native nonce size
const TAG_BYTES = 16; // full tag: never accept truncated ones
const AAD_LABEL = 'two-factor:totp-secret';
const HKDF_SALT = 'strapi-plugin-two-factor';
const HKDF_INFO = 'two-factor:totp-secret-key:v1';
/** A passphrase shorter than this is refused: HKDF adds no strength to a weak one. */
export const MIN_KEY_MATERIAL_LENGTH = 16;

const DECRYPT_ERROR = 'Cannot decrypt secret';

/**
 * 32-byte key from configuration: 64 hex chars or base64 of exactly 32 bytes are used
 * as-is, anything else goes through HKDF-SHA256 (fine for high-entropy strings such as
 * Strapi's generated app keys; not a password hash).
 */
export function deriveKey(material: string): Buffer {
  if (typeof material !== 'string') throw new TypeError('Key material must be a string');
  const m = material.trim();
  if (/^[0-9a-fA-F]{64}$/.test(m)) return Buffer.from(m, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(m) || /^[A-Za-z0-9_-]{43}$/.test(m)) {
    const raw = Buffer.from(m, 'base64');
    if (raw.length === KEY_BYTES) return raw;
  }
  if (m.length < MIN_KEY_MATERIAL_LENGTH) {
    throw new RangeError(`Key material must be at least ${MIN_KEY_MATERIAL_LENGTH} characters`);
  }
  return Buffer.from(hkdfSync('sha256', Buffer.from(m, 'utf8'), HKDF_SALT, HKDF_INFO, KEY_BYTES));
}

/** Short public identifier of a key: first 8 hex chars of its SHA-256. */
export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

function assertKey(key: unknown): asserts key is Buffer {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) throw new TypeError('Encryption keys must be 32-byte Buffers');
}

function aad(context?: string): Buffer {
  // Optional context (e.g. the owning row id) stops a blob being copied to another row.
  return Buffer.from(context === undefined ? AAD_LABEL : `${AAD_LABEL}:${context}`, 'utf8');
}

/** Strict base64url: reject anything Node would silently skip or normalise. */
function decodePart(part: string): Buffer | null {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) return null;
  const buf = Buffer.from(part, 'base64url');
  return buf.toString('base64url') === part ? buf : null;
}

interface ParsedBlob {
  kid: string;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

function parseBlob(blob: unknown): ParsedBlob | null {
  if (typeof blob !== 'string' || blob.length > 4096) return null;
  const parts = blob.split('.');
  if (parts.length !== 5 || parts[0] !== VERSION) return null;
  const [, kid, ivPart, tagPart, ctPart] = parts as [string, string, string, string, string];
  if (!/^[0-9a-f]{8}$/.test(kid)) return null;
  const iv = decodePart(ivPart);
  const tag = decodePart(tagPart);
  const ciphertext = decodePart(ctPart);
  if (!iv || !tag || !ciphertext || iv.length !== IV_BYTES || tag.length !== TAG_BYTES) return null;
  return { kid, iv, tag, ciphertext };
}

export function encryptSecret(plaintext: string, keyring: Keyring, context?: string): string {
  if (typeof plaintext !== 'string') throw new TypeError('plaintext must be a string');
  assertKey(keyring?.current);
  const iv = randomBytes(IV_BYTES); // random 96-bit IV: never reused under one key in practice
  const cipher = createCipheriv('aes-256-gcm', keyring.current, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(context));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, keyId(keyring.current), iv, tag, ciphertext]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

/** Throws `Error('Cannot decrypt secret')` on any problem; the message never carries the blob or a key. */
export function decryptSecret(blob: string, keyring: Keyring, context?: string): string {
  const parsed = parseBlob(blob);
  if (!parsed) throw new Error(DECRYPT_ERROR);
  const keys = [keyring?.current, ...(keyring?.previous ?? [])].filter(
    (k): k is Buffer => Buffer.isBuffer(k) && k.length === KEY_BYTES && keyId(k) === parsed.kid,
  );
  // Usually one key; a 32-bit kid collision just means trying both.
  for (const key of keys) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, parsed.iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(context));
      decipher.setAuthTag(parsed.tag);
      return Buffer.concat([decipher.update(parsed.ciphertext), decipher.final()]).toString('utf8');
    } catch {
      // try the next candidate; the generic error below hides which step failed
    }
  }
  throw new Error(DECRYPT_ERROR);
}
