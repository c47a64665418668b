import { PLUGIN_ID } from '../utils/plugin';
import { withRetryAfter } from './errors';

/**
 * Auth rules of the operations, through the graphql plugin's resolvers config. Public ones check
 * their own credential (password, mfa token, or a JWT the enrolment services resolve, as the
 * REST routes do); the others need a users-permissions JWT whose role has the same action as the
 * matching REST route, so one checkbox under Roles governs both faces.
 */
export const pub = { auth: false, middlewares: [withRetryAfter] };

export const scoped = (action: 'manage.status' | 'manage.enable' | 'manage.backupCodes' | 'manage.disable') => ({
  auth: { scope: [`plugin::${PLUGIN_ID}.${action}`] },
  middlewares: [withRetryAfter],
});

/** What each dialect adds to the schema. */
export interface Dialect {
  typeDefs: string;
  resolvers: Record<string, Record<string, unknown>>;
  resolversConfig: Record<string, unknown>;
}
