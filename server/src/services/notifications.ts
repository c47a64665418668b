import type { Core } from '@strapi/strapi';
import { describeOrigin, describeRemoved, formatUtc, methodNoun, minutesOf, renderNotice, type NoticeEvent } from '../core';
import type { PluginConfig } from '../config';
import { PLUGIN_ID, UID, getService } from '../utils/plugin';
import type { RequestMeta } from '../utils/request-meta';

export interface NoticeInput {
  userId: number;
  /** The method added, removed or used; none for a whole-account change. */
  method?: string | null;
  meta?: RequestMeta;
  /** backup_code.used: codes left. */
  remaining?: number;
  /** admin.reset: the confirmed methods and the unused backup codes the reset removed. */
  removed?: { methods: string[]; backupCodes: number };
}

/**
 * Tells users of security changes on their account by email (docs/security.md L3), through Strapi's
 * email plugin. A notice goes out only once what it reports is committed, and never holds up
 * or fails the request: a mail server that is slow or down costs a line in the log.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const config = () => strapi.config.get(`plugin::${PLUGIN_ID}`) as PluginConfig;

  const deliver = async (event: NoticeEvent, input: NoticeInput, at: Date) => {
    const email = strapi.plugin('email');
    if (!email) return;
    const user = await strapi.db.query(UID.user).findOne({ where: { id: input.userId }, select: ['username', 'email'] });
    if (!user?.email) return;
    const settings = await getService(strapi, 'settings').get();
    const { appName, email: from, notifications } = config();
    const notice = renderNotice(
      event,
      {
        appName: appName || settings.issuer,
        username: user.username || user.email,
        method: input.method ? methodNoun(input.method) : 'every method',
        time: formatUtc(at),
        // An admin's reset came from the admin's browser: its address says nothing to the user.
        origin: event === 'admin.reset' ? 'an administrator, from the admin panel' : describeOrigin(input.meta),
        remaining: input.remaining ?? '',
        minutes: minutesOf(settings.lockDuration),
        removed: input.removed ? describeRemoved(input.removed.methods, input.removed.backupCodes) : '',
      },
      notifications.templates?.[event]
    );
    await email.service('email').send({
      to: user.email,
      ...(from?.from ? { from: from.from } : {}),
      ...(from?.replyTo ? { replyTo: from.replyTo } : {}),
      ...notice,
      // Lets mail filters (and the tests) tell a notice from a code.
      headers: { 'X-Two-Factor-Notice': event },
    });
  };

  return {
    /**
     * Mails the user about `event` when the current transaction commits (not at all if it rolls
     * back), or at once outside one. Resolves before the mail is sent; never throws.
     */
    async notify(event: NoticeEvent, input: NoticeInput): Promise<void> {
      const { notifications } = config();
      if (!notifications?.enabled || notifications.events?.[event] === false) return;
      const at = new Date();
      const send = () => {
        deliver(event, input, at).catch((error: unknown) => {
          const reason = error instanceof Error ? error.message : String(error);
          strapi.log.warn(`two-factor: could not send the ${event} notice to user ${input.userId}: ${reason.slice(0, 300)}`);
        });
      };
      if (!strapi.db.inTransaction()) return send();
      // Nested, this joins the caller's transaction: the callback waits for its commit.
      await strapi.db.transaction(async ({ onCommit }) => onCommit(send));
    },
  };
};
