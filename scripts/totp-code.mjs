#!/usr/bin/env node
// An authenticator app for the README's walkthrough: prints the current 6-digit code (RFC 6238:
// SHA-1, 30-second steps) of a base32 secret, as Google Authenticator or any other app would show it.
//
//   node scripts/totp-code.mjs <secret>                 the code of now
//   node scripts/totp-code.mjs <secret> --after <code>  the next code: waits (up to 30 s) until
//                                                       the app would show a code other than <code>
//
// Standalone on purpose (node:crypto only): it checks the plugin from outside, as a phone does.
import { createHmac } from 'node:crypto';

const [secret, flag, previous] = process.argv.slice(2);
if (!secret || (flag && flag !== '--after') || (flag && !previous)) {
  console.error('usage: node scripts/totp-code.mjs <base32 secret> [--after <code>]');
  process.exit(2);
}

const base32 = (text) => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of text.replace(/[\s=-]/g, '').toUpperCase()) {
    const value = alphabet.indexOf(char);
    if (value < 0) throw new Error(`not base32: ${char}`);
    bits += value.toString(2).padStart(5, '0');
  }
  return Buffer.from(bits.match(/.{8}/g).map((byte) => parseInt(byte, 2)));
};

const codeAt = (ms) => {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(ms / 1000 / 30)));
  const mac = createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
};

let code = codeAt(Date.now());
while (previous && code === previous) {
  await new Promise((resolve) => setTimeout(resolve, 1000));
  code = codeAt(Date.now());
}
console.log(code);
