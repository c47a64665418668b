/**
 * The texts that carry an emailed or texted code, and the phone numbers they may go to.
 * Templates use the `<%= name %>` placeholders of Strapi's own email templates, but nothing in
 * them is evaluated: only known names are replaced, and HTML gets its values escaped.
 */

export type TemplateVars = Record<string, string | number>;

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]);

/** Replaces `<%= name %>` with vars[name]; an unknown name is left as it is, so a typo shows. */
export function renderTemplate(template: string, vars: TemplateVars, options: { html?: boolean } = {}): string {
  return template.replace(/<%=\s*([A-Za-z_][A-Za-z0-9_]*)\s*%>/g, (whole, name: string) => {
    if (!Object.prototype.hasOwnProperty.call(vars, name)) return whole;
    const value = String(vars[name]);
    return options.html ? escapeHtml(value) : value;
  });
}

/** E.164: '+', a country code that does not start with 0, at most 15 digits in all. */
export const isE164 = (phone: unknown): phone is string => typeof phone === 'string' && /^\+[1-9][0-9]{6,14}$/.test(phone);

/** Whole minutes, rounded up, for "valid for N minutes". */
export const minutesOf = (seconds: number): number => Math.max(1, Math.ceil(seconds / 60));
