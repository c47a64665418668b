// autocannon runs against one server: throughput and latency of one kind of request.
import autocannon from 'autocannon';

/**
 * Runs autocannon and answers { rps, wallRps, latency: { p50, p97_5, p99, mean }, count, statuses }.
 * `rps` is over autocannon's duration (whole seconds for a fixed `amount`), `wallRps` over this
 * call's own clock.
 * `amount` (a fixed number of requests) wins over `duration` (seconds).
 * `next()` (optional) gives each request's { body, headers } as it is sent. `answer(status, body)`
 * (optional) names what an answer counts as in `statuses` (GraphQL answers its errors with 200).
 */
export async function cannon({ url, method = 'GET', path, headers = {}, body, next, answer, connections, duration, amount }) {
  const statuses = {};
  const started = performance.now();
  const result = await autocannon({
    url: url + path,
    connections,
    ...(amount ? { amount } : { duration }),
    timeout: 60,
    requests: [
      {
        method,
        headers: { 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        ...(next
          ? {
              setupRequest: (request) => {
                const part = next();
                return {
                  ...request,
                  ...(part.body !== undefined ? { body: JSON.stringify(part.body) } : {}),
                  headers: { ...request.headers, ...(part.headers || {}) },
                };
              },
            }
          : {}),
        onResponse: (status, responseBody) => {
          const key = answer ? answer(status, String(responseBody ?? '')) : status;
          statuses[key] = (statuses[key] || 0) + 1;
        },
      },
    ],
  });
  const wallSeconds = (performance.now() - started) / 1000;
  const seconds = result.duration;
  const count = Object.values(statuses).reduce((a, b) => a + b, 0);
  return {
    rps: count / seconds,
    wallRps: count / wallSeconds,
    latency: { p50: result.latency.p50, p97_5: result.latency.p97_5, p99: result.latency.p99, mean: result.latency.mean },
    count,
    statuses,
    errors: result.errors + result.timeouts,
  };
}

/** Statuses other than `expected`, as "429×9990" text, or '' when all were as expected. */
export const unexpected = (statuses, expected = [200]) =>
  Object.entries(statuses)
    .filter(([status]) => !expected.includes(Number(status)))
    .map(([status, n]) => `${status}×${n}`)
    .join(' ');
