import type { Core } from '@strapi/strapi';
import type { PluginConfig } from '../config';
import { PLUGIN_ID, UID, getService } from '../utils/plugin';

/** The name of the job in `strapi.cron`. */
const CLEANUP_JOB = `${PLUGIN_ID}.cleanup`;

/**
 * Removes rows nothing can use any more: send-limit counters whose window ended long ago (one
 * per client IP would otherwise stay forever), pending logins past their expiry, enrolments
 * never confirmed in time, remembered devices past theirs. Every rule already refuses such
 * rows; this only keeps the tables small. Run by Strapi's cron (bootstrap); each process may
 * run it, a repeat deletes nothing.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => {
  const config = () => strapi.config.get(`plugin::${PLUGIN_ID}`) as PluginConfig;

  return {
    async run() {
      const now = Date.now();
      const { perAccount, perIp } = config().sendLimits;
      await getService(strapi, 'rateLimits').prune(2 * Math.max(perAccount.window, perIp.window));
      // Enrolment and step-up rows are one per user and method, reused by every send: they stay.
      await strapi.db.query(UID.challenge).deleteMany({ where: { purpose: { $in: ['login', 'setup', 'fresh', 'passkey-register', 'passkey-login', 'passkey-passwordless'] }, expiresAt: { $lt: now } } });
      await strapi.db.query(UID.factor).deleteMany({ where: { confirmedAt: null, expiresAt: { $lt: new Date(now) } } });
      await strapi.db.query(UID.device).deleteMany({ where: { expiresAt: { $lt: new Date(now) } } });
    },

    /** Puts `run` on Strapi's cron at the configured rule (on by default). */
    schedule() {
      const { cleanup } = config();
      if (!cleanup.enabled) return;
      strapi.cron.add({
        [CLEANUP_JOB]: {
          task: async () => {
            try {
              await this.run();
            } catch (error) {
              strapi.log.error(`two-factor: clean-up failed: ${(error as Error).message}`);
            }
          },
          options: { rule: cleanup.rule },
        },
      });
    },
  };
};
