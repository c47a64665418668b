/**
 * The plugin's words, spelled once for the server and the admin panel (admin/src imports this
 * file): the second-factor methods and how each is named, and the audit event types. Pure
 * TypeScript with no import, so that both bundles compile it in. It lives in server/src because
 * the build emits declarations for server/src only, and the admin's declarations then point at
 * dist/server/src/vocabulary.d.ts. The factor content type's `method` enum
 * (content-types/factor/schema.json) is JSON and cannot import it: tests/unit/vocabulary.test.ts
 * keeps it equal to METHODS.
 */

/** The methods a user enrols, in the order every list shows them. */
export const METHODS = ['totp', 'email', 'sms', 'passkey'] as const;
export type Method = (typeof METHODS)[number];

/** What a code may be checked against: an enrolled method or a backup code. */
export const FACTOR_METHODS = [...METHODS, 'backup_code'] as const;
export type FactorMethod = (typeof FACTOR_METHODS)[number];

/** The methods whose codes are sent (emailed or texted) rather than computed by the user. */
export const CODE_METHODS = ['email', 'sms'] as const satisfies readonly Method[];
export type CodeMethod = (typeof CODE_METHODS)[number];

/**
 * The method answered with a WebAuthn assertion rather than a code, and registered with its own
 * ceremony (the passkey routes) rather than enable/confirm.
 */
export const PASSKEY = 'passkey' as const satisfies Method;

/** A method's name as a label: the admin's lists and the audit log, the server's error messages. */
export const METHOD_LABELS: Record<FactorMethod, string> = {
  totp: 'Authenticator app',
  email: 'Email',
  sms: 'SMS',
  passkey: 'Passkey',
  backup_code: 'Backup code',
};

/** A method inside a sentence ("your …", "their …"): the security notices, the admin's reset dialog. */
export const METHOD_NOUNS: Record<FactorMethod, string> = {
  totp: 'authenticator app',
  email: 'email codes',
  sms: 'SMS codes',
  passkey: 'passkeys',
  backup_code: 'backup code',
};

/** A method's switch on the admin's settings page. */
export const METHOD_SETTING_LABELS: Record<Method, string> = {
  totp: 'Authenticator app (TOTP)',
  email: 'Email code',
  sms: 'SMS code',
  passkey: 'Passkey (WebAuthn)',
};

/** Every type of audit event, in the order the admin's filter offers them. */
export const EVENT_TYPES = [
  'enrolment.started',
  'method.added',
  'method.removed',
  'enabled',
  'disabled',
  'login.challenged',
  'verify.succeeded',
  'verify.failed',
  'backup_code.used',
  'backup_codes.regenerated',
  'lockout',
  'admin.reset',
  'admin.unlock',
  'code.sent',
  'secret.reencrypted',
  'device.trusted',
  'device.used',
  'device.rejected',
  'device.revoked',
  'passkey.added',
  'passkey.removed',
  'passkey.renamed',
  'passkey.counter_regression',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** An event type as the audit log names it (the English of the admin's `events.type.<type>` ids). */
export const EVENT_LABELS: Record<EventType, string> = {
  'enrolment.started': 'Enrolment started',
  'method.added': 'Method added',
  'method.removed': 'Method removed',
  enabled: 'Two-factor enabled',
  disabled: 'Two-factor disabled',
  'login.challenged': 'Login asked for a second factor',
  'verify.succeeded': 'Code accepted',
  'verify.failed': 'Code refused',
  'backup_code.used': 'Backup code used',
  'backup_codes.regenerated': 'Backup codes regenerated',
  lockout: 'Account locked',
  'admin.reset': 'Reset by an administrator',
  'admin.unlock': 'Unlocked by an administrator',
  'code.sent': 'Code sent',
  'secret.reencrypted': 'Secret re-encrypted',
  'device.trusted': 'Device remembered',
  'device.used': 'Remembered device used',
  'device.rejected': 'Remembered device refused',
  'device.revoked': 'Remembered device revoked',
  'passkey.added': 'Passkey added',
  'passkey.removed': 'Passkey removed',
  'passkey.renamed': 'Passkey renamed',
  'passkey.counter_regression': 'Passkey refused: signature counter went back',
};

/** A type guard for a list of names: is `value` one of them? */
export const isOneOf =
  <T extends string>(list: readonly T[]) =>
  (value: unknown): value is T =>
    typeof value === 'string' && (list as readonly string[]).includes(value);

export const isFactorMethod = isOneOf(FACTOR_METHODS);
export const isEventType = isOneOf(EVENT_TYPES);
