import type { PendingLogin } from '../services/login';

/**
 * What the users-permissions guard decided, kept on the request for the GraphQL face: its
 * mutations call users-permissions' actions and pass on only `jwt` and `user`, so they read here
 * whether a pending login replaced the tokens. A GraphQL mutation marks its request first: the
 * pending login is then answered by GraphQL alone, with no REST cookie.
 */
const PENDING = 'twoFactorPending';
const GRAPHQL = 'twoFactorGraphql';
const SETUP_BY = 'twoFactorSetupRequiredBy';

export const markGraphql = (ctx: any) => {
  if (!ctx?.state) return;
  ctx.state[GRAPHQL] = true;
  delete ctx.state[PENDING];
  delete ctx.state[SETUP_BY];
};
export const isGraphql = (ctx: any): boolean => ctx?.state?.[GRAPHQL] === true;

export const recordPending = (ctx: any, pending: PendingLogin) => {
  if (ctx?.state) ctx.state[PENDING] = pending;
};
export const pendingOf = (ctx: any): PendingLogin | undefined => ctx?.state?.[PENDING];

/** A required role's set-up deadline, for a login that succeeded inside the grace period. */
export const recordSetupDeadline = (ctx: any, deadline: string) => {
  if (ctx?.state) ctx.state[SETUP_BY] = deadline;
};
export const setupDeadlineOf = (ctx: any): string | undefined => ctx?.state?.[SETUP_BY];
