/** Shapes of the admin API's answers (docs/admin.md, server/src/services/admin-*.ts). */

import type { Method } from '../../../server/src/vocabulary';

export const NUMBER_FIELDS = [
  'codeLifetime',
  'maxFailures',
  'lockDuration',
  'codeAttempts',
  'backupCodeCount',
  'totpWindow',
  'enforcementGraceDays',
] as const;
export type NumberField = (typeof NUMBER_FIELDS)[number];

export interface Settings extends Record<NumberField, number> {
  enabled: boolean;
  methods: Record<Method, boolean>;
  enforcedRoles: string[];
  issuer: string;
  trustedDevices: { enabled: boolean; days: number };
  passkeys: { passwordless: boolean };
}

export interface SettingsView extends Settings {
  smsAvailable: boolean;
  passkeysAvailable: boolean;
  roles: { type: string; name: string }[];
  limits: Record<NumberField | 'trustedDevicesDays', [number, number]>;
}

export interface Pagination {
  page: number;
  pageSize: number;
  total: number;
  pageCount: number;
}

export interface UserRow {
  id: number;
  username: string | null;
  email: string | null;
  blocked: boolean;
  role: { type: string; name: string } | null;
  methods: Method[];
  backupCodesRemaining: number;
  lockedUntil: string | null;
  /** A confirmed authenticator secret that the configured keys cannot decrypt (a key went missing). */
  keyMissing: boolean;
  /** A user of a required role without a factor, inside the grace period: the ISO deadline. */
  setupRequiredBy: string | null;
  /** Remembered devices whose logins skip the second factor. */
  devices: number;
  /** Passkeys registered. */
  passkeys: number;
}

export interface EventRow {
  id: number;
  type: string;
  userId: number | null;
  user: { id: number; username: string | null; email: string | null } | null;
  method: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown> | null;
  createdAt: string;
}
