/** Pure, framework-free building blocks of the plugin (no Strapi import below this folder). */
export * from './totp';
export * from './encryption';
export * from './backup-codes';
export * from './otp-codes';
export * from './pending-token';
export * from './qr';
export * from './messages';
export * from './notices';
export * from './devices';
