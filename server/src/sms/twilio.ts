import { post, SmsDeliveryFailure, timeoutOf, type SmsProvider } from './types';

export const TWILIO_API_URL = 'https://api.twilio.com';

/**
 * Twilio's Messages API: POST {apiUrl}/2010-04-01/Accounts/{accountSid}/Messages.json,
 * form-encoded To, From (or MessagingServiceSid) and Body, HTTP basic auth accountSid:authToken.
 * `apiUrl` is overridable (a regional edge, or a local server in tests).
 */
export const twilioProvider = (options: Record<string, unknown>): SmsProvider => {
  const accountSid = String(options.accountSid);
  const authToken = String(options.authToken);
  const base = String(options.apiUrl || TWILIO_API_URL).replace(/\/+$/, '');
  const url = `${base}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  const timeout = timeoutOf(options);
  return {
    async send({ to, body }) {
      const form = new URLSearchParams({ To: to, Body: body });
      if (options.messagingServiceSid) form.set('MessagingServiceSid', String(options.messagingServiceSid));
      else form.set('From', String(options.from));
      const res = await post(
        url,
        { method: 'POST', headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body: form.toString() },
        timeout
      );
      if (res.ok) {
        await res.arrayBuffer().catch(() => undefined);
        return;
      }
      // Twilio's error body is { code, message, more_info, status }: safe to log, unlike the request.
      let detail = '';
      try {
        const error = (await res.json()) as { code?: unknown; message?: unknown };
        detail = [error.code, typeof error.message === 'string' ? error.message.slice(0, 200) : undefined].filter(Boolean).join(' ');
      } catch {
        // not JSON: the status says enough
      }
      throw new SmsDeliveryFailure(`Twilio answered HTTP ${res.status}${detail ? ` (${detail})` : ''}`);
    },
  };
};
