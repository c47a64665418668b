import type { PendingLogin } from '../services/login';

/**
 * What the users-permissions guard decided, kept on the request for the GraphQL face: it calls
 * users-permissions' actions through mutations that pass on only `jwt` and `user`, so it reads
 * here whether a pending login replaced the tokens, or the full answer (refreshToken in refresh
 * mode).
 */
const PENDING = 'twoFactorPending';
const ISSUED = 'twoFactorIssued';

export const clearRecorded = (ctx: any) => {
  if (!ctx?.state) return;
  delete ctx.state[PENDING];
  delete ctx.state[ISSUED];
};

export const recordPending = (ctx: any, pending: PendingLogin) => {
  if (ctx?.state) ctx.state[PENDING] = pending;
};
export const recordIssued = (ctx: any) => {
  if (ctx?.state) ctx.state[ISSUED] = ctx.body;
};
export const pendingOf = (ctx: any): PendingLogin | undefined => ctx?.state?.[PENDING];
export const issuedOf = (ctx: any): { jwt?: string; refreshToken?: string } | undefined => ctx?.state?.[ISSUED];
