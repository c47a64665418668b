import { post, SmsDeliveryFailure, timeoutOf, type SmsProvider } from './types';

/**
 * POSTs `{ "to": "+14155551234", "body": "…" }` as JSON to `url`; any 2xx answer is a delivery.
 * `headers` (e.g. an Authorization header) are sent as given.
 */
export const webhookProvider = (options: Record<string, unknown>): SmsProvider => {
  const url = String(options.url);
  const headers = (options.headers && typeof options.headers === 'object' ? options.headers : {}) as Record<string, string>;
  const timeout = timeoutOf(options);
  return {
    async send({ to, body }) {
      const res = await post(
        url,
        { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ to, body }) },
        timeout
      );
      // The answer is read and dropped: a webhook may echo the message, which holds the code.
      await res.arrayBuffer().catch(() => undefined);
      if (!res.ok) throw new SmsDeliveryFailure(`webhook answered HTTP ${res.status}`);
    },
  };
};
