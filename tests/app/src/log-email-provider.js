'use strict';

/**
 * The host app's email provider when no SMTP server is configured (SMTP_HOST unset): it writes
 * each message, code included, to the Strapi log and sends nothing. A development aid so a
 * person can try email two-factor with `npm start`; never use it where the log is kept.
 */
module.exports = ({ log, defaultFrom }) => ({
  async send(options) {
    const lines = [
      `From: ${options.from || defaultFrom}`,
      `To: ${options.to}`,
      `Subject: ${options.subject}`,
      '',
      options.text || options.html || '',
    ];
    log.info(`[host app mail log: SMTP_HOST is not set, nothing was sent]\n${lines.join('\n')}`);
  },
});
