/**
 * The emails that tell a user of a security change on their account (docs/security.md L3). They
 * carry what happened, when and from where, never a code, a secret or a link to act on.
 */
import { escapeHtml, renderTemplate, type TemplateVars } from './messages';
import { METHODS, METHOD_NOUNS, isFactorMethod, isOneOf, type EventType } from '../vocabulary';

export const NOTICE_EVENTS = [
  'enabled',
  'disabled',
  'method.added',
  'method.removed',
  'admin.reset',
  'backup_codes.regenerated',
  'backup_code.used',
  'lockout',
  'device.trusted',
  'passkey.added',
  'passkey.removed',
] as const satisfies readonly EventType[];
export type NoticeEvent = (typeof NOTICE_EVENTS)[number];

export const isNoticeEvent = isOneOf(NOTICE_EVENTS);

/** What `<%= method %>` reads for a factor (an unknown name reads as itself). */
export const methodNoun = (method: string): string => (isFactorMethod(method) ? METHOD_NOUNS[method] : method);

/** A notice's text; each field may use the placeholders of NoticeVars. Without `html`, the text is. */
export interface NoticeTemplate {
  subject: string;
  text: string;
  html?: string;
}

/**
 * Placeholders: `<%= appName %>`, `<%= username %>`, `<%= method %>` (a readable name),
 * `<%= time %>` (UTC), `<%= origin %>` (IP and browser of the request, or a note that an
 * administrator acted), `<%= remaining %>` (backup codes left), `<%= minutes %>` (lock length),
 * `<%= removed %>` (admin.reset: what the reset removed, e.g. "your authenticator app and your 10 backup codes").
 */
export type NoticeVars = TemplateVars;

const NOT_YOU = 'If this was not you, change your password now and contact the site administrator.';

export const DEFAULT_NOTICE_TEMPLATES: Record<NoticeEvent, NoticeTemplate> = {
  enabled: {
    subject: 'Two-factor authentication is on for your <%= appName %> account',
    text: [
      'Hello <%= username %>,',
      '',
      'Two-factor authentication was turned on for your <%= appName %> account on <%= time %>, with: <%= method %>.',
      'Request: <%= origin %>.',
      '',
      'Keep your backup codes somewhere safe: each one lets you in once if you lose your device.',
      NOT_YOU,
    ].join('\n'),
  },
  disabled: {
    subject: 'Two-factor authentication is off for your <%= appName %> account',
    text: [
      'Hello <%= username %>,',
      '',
      'Two-factor authentication was turned off for your <%= appName %> account on <%= time %>.',
      'Your sign-in now needs only your password. Request: <%= origin %>.',
      '',
      NOT_YOU,
    ].join('\n'),
  },
  'method.added': {
    subject: 'A two-factor method was added to your <%= appName %> account',
    text: [
      'Hello <%= username %>,',
      '',
      'A new two-factor method was added to your <%= appName %> account on <%= time %>: <%= method %>.',
      'Request: <%= origin %>.',
      '',
      NOT_YOU,
    ].join('\n'),
  },
  'method.removed': {
    subject: 'A two-factor method was removed from your <%= appName %> account',
    text: [
      'Hello <%= username %>,',
      '',
      'A two-factor method was removed from your <%= appName %> account on <%= time %>: <%= method %>.',
      'Two-factor authentication stays on with your other methods. Request: <%= origin %>.',
      '',
      NOT_YOU,
    ].join('\n'),
  },
  'admin.reset': {
    subject: 'Your two-factor authentication was reset',
    text: [
      'Hello <%= username %>,',
      '',
      'An administrator of <%= appName %> reset the two-factor authentication of your account on <%= time %>.',
      'Removed: <%= removed %>.',
      'You can set up two-factor authentication again from your account.',
      '',
      'If you did not ask for this, contact the site administrator now.',
    ].join('\n'),
  },
  'backup_codes.regenerated': {
    subject: 'New backup codes for your <%= appName %> account',
    text: [
      'Hello <%= username %>,',
      '',
      'New backup codes were made for your <%= appName %> account on <%= time %>; the old ones no longer work.',
      'Request: <%= origin %>.',
      '',
      NOT_YOU,
    ].join('\n'),
  },
  'backup_code.used': {
    subject: 'A backup code was used to sign in to your <%= appName %> account',
    text: [
      'Hello <%= username %>,',
      '',
      'A backup code was used for your <%= appName %> account on <%= time %>. Backup codes left: <%= remaining %>.',
      'Request: <%= origin %>.',
      '',
      'When few are left, make new ones from your account settings.',
      NOT_YOU,
    ].join('\n'),
  },
  lockout: {
    subject: 'Two-factor sign-in to your <%= appName %> account is locked',
    text: [
      'Hello <%= username %>,',
      '',
      'Too many wrong two-factor codes were entered for your <%= appName %> account; on <%= time %> it was',
      'locked for <%= minutes %> minutes. Last attempt: <%= origin %>.',
      '',
      'Whoever tried knew your password. If this was not you, change your password now and contact the site administrator.',
    ].join('\n'),
  },
  'device.trusted': {
    subject: 'A device was remembered for your <%= appName %> account',
    text: [
      'Hello <%= username %>,',
      '',
      'A device was remembered for your <%= appName %> account on <%= time %>: its sign-ins need only your password.',
      'Request: <%= origin %>.',
      '',
      'You can forget it, or every remembered device, from your account settings.',
      NOT_YOU,
    ].join('\n'),
  },
  'passkey.added': {
    subject: 'A passkey was added to your <%= appName %> account',
    text: [
      'Hello <%= username %>,',
      '',
      'A new passkey was added to your <%= appName %> account on <%= time %>.',
      'Request: <%= origin %>.',
      '',
      NOT_YOU,
    ].join('\n'),
  },
  'passkey.removed': {
    subject: 'A passkey was removed from your <%= appName %> account',
    text: [
      'Hello <%= username %>,',
      '',
      'A passkey was removed from your <%= appName %> account on <%= time %>. Your other passkeys keep working.',
      'Request: <%= origin %>.',
      '',
      NOT_YOU,
    ].join('\n'),
  },
};

export interface RenderedNotice {
  subject: string;
  text: string;
  html: string;
}

/** The literal parts of a text template escaped for HTML, its placeholders left to fill. */
const escapeLiterals = (template: string) =>
  template
    .split(/(<%=\s*[A-Za-z_][A-Za-z0-9_]*\s*%>)/)
    .map((part, i) => (i % 2 === 1 ? part : escapeHtml(part)))
    .join('');

const paragraphs = (text: string) =>
  text
    .split(/\n{2,}/)
    .map((block) => `<p>${block.split('\n').join('<br>')}</p>`)
    .join('\n');

/**
 * The notice for an event: the operator's template over the default, values escaped in the
 * HTML part, and a subject on one line (no header injection through a username).
 */
export function renderNotice(event: NoticeEvent, vars: NoticeVars, override?: Partial<NoticeTemplate>): RenderedNotice {
  const template = { ...DEFAULT_NOTICE_TEMPLATES[event], ...(override ?? {}) };
  return {
    subject: renderTemplate(template.subject, vars).replace(/[\r\n]+/g, ' '),
    text: renderTemplate(template.text, vars),
    // Placeholders are filled after the paragraphs are cut, and escaped, so a value cannot add markup.
    html: renderTemplate(template.html ?? paragraphs(escapeLiterals(template.text)), vars, { html: true }),
  };
}

/** `a`, `a and b`, `a, b and c`. */
export const listOf = (items: string[]): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;

/**
 * What an admin reset removed, in the user's words: only the methods they had (in a fixed
 * order), then their unused backup codes; the lock alone when there was nothing else.
 */
export function describeRemoved(methods: string[], backupCodes: number): string {
  const named = METHODS.filter((m) => methods.includes(m)).map((m) => `your ${METHOD_NOUNS[m]}`);
  if (backupCodes > 0) named.push(`your ${backupCodes} backup code${backupCodes === 1 ? '' : 's'}`);
  return named.length ? listOf(named) : 'the lock on your two-factor sign-in';
}

/** A readable line for where a request came from; user agents are cut to a sane length. */
export function describeOrigin(meta: { ip?: string | null; userAgent?: string | null } | undefined): string {
  const ip = meta?.ip || 'unknown address';
  const agent = meta?.userAgent ? meta.userAgent.replace(/[\r\n\t]+/g, ' ').slice(0, 160) : '';
  return agent ? `IP ${ip}, ${agent}` : `IP ${ip}`;
}

/** `2026-11-26 13:40 UTC`: the same for every reader, whatever the server's zone. */
export const formatUtc = (date: Date): string => `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
