// A small JSON client over Node's fetch (keep-alive), for set-up and for the login loops that
// time whole logins; autocannon drives the throughput steps.

export class HttpError extends Error {}

export async function request(base, method, path, { body, jwt, headers: extra = {} } = {}) {
  const headers = { 'content-type': 'application/json', ...extra };
  if (jwt) headers.authorization = `Bearer ${jwt}`;
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, body: json };
}

/** Like request, but anything other than `expected` is an error (the bench could not run). */
export async function expectStatus(expected, base, method, path, options) {
  const res = await request(base, method, path, options);
  if (res.status !== expected) {
    throw new HttpError(`${method} ${path} answered ${res.status}, expected ${expected}: ${JSON.stringify(res.body).slice(0, 300)}`);
  }
  return res.body;
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` at a time. */
export async function pool(count, concurrency, task) {
  let next = 0;
  const results = new Array(count);
  const worker = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}
