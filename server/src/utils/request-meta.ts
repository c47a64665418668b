/** What the audit log keeps of a request: where it came from, never what it carried. */
export interface RequestMeta {
  ip?: string;
  userAgent?: string;
}

export const requestMeta = (ctx: any): RequestMeta => ({
  // ctx.ip honours X-Forwarded-For only when the app set `proxy: true`: a client cannot pick its address.
  ip: typeof ctx?.ip === 'string' ? ctx.ip : undefined,
  userAgent: typeof ctx?.get === 'function' ? String(ctx.get('user-agent') || '').slice(0, 512) || undefined : undefined,
});
