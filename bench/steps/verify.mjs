// 3. Verify throughput: POST /api/two-factor/verify with TOTP codes vs GET /api/users/me.
import { cannon, unexpected } from '../lib/load.mjs';
import { passwordLogin } from '../lib/flows.mjs';
import { pool } from '../lib/http.mjs';
import { median } from '../lib/stats.mjs';

/** Pending logins with a fresh code each (and their user), opened before the round (their cost is not measured). */
export const mintLogins = async (ctx, count) => {
  const { servers, cheapBook } = ctx;
  const taken = [];
  for (let i = 0; i < count; i += 1) taken.push(await cheapBook.next());
  await servers.on.durable(false);
  try {
    return await pool(count, 4, async (i) => {
      const { mfaToken } = await passwordLogin(servers.on.url, taken[i].user.email);
      return { mfaToken, code: taken[i].code, user: taken[i].user };
    });
  } finally {
    await servers.on.durable(true);
  }
};

/**
 * One round of verifies, one per pending login in `logins` (opened before it): `body(login)` is
 * its request's body, `answer` as for cannon. `profile`: the CPU profile's name; `what` names the
 * path when an answer is not a 200.
 */
export async function verifyRound(ctx, { logins, path = '/api/two-factor/verify', body, answer, profile, what }) {
  let i = 0;
  const load = () =>
    cannon({
      url: ctx.servers.on.url,
      method: 'POST',
      path,
      next: () => ({ body: body(logins[i++ % logins.length]) }),
      answer,
      connections: ctx.cfg.connections,
      amount: logins.length,
    });
  const result = profile ? await ctx.profiled(profile, load) : await load();
  const bad = unexpected(result.statuses);
  if (bad) throw new Error(`${what} answered ${bad}`);
  return result;
}

/**
 * One round of `amount` TOTP verifies on pending logins opened before it: the figure itself, and
 * the baseline the step-up, passkey, code and GraphQL steps alternate with.
 */
export async function totpVerifyRound(ctx, amount, profile) {
  const logins = await mintLogins(ctx, amount);
  return verifyRound(ctx, { logins, body: ({ mfaToken, code }) => ({ mfaToken, code }), profile, what: 'TOTP verify' });
}

export async function verifyThroughput(ctx) {
  const { cfg, servers } = ctx;
  const url = servers.on.url;
  const verifyRuns = [];
  const meRuns = [];
  for (let round = 0; round < cfg.rounds; round += 1) {
    verifyRuns.push(await totpVerifyRound(ctx, cfg.verifyAmount, `verify-${round}`));

    const me = await ctx.profiled(`users-me-${round}`, () =>
      cannon({
        url,
        path: '/api/users/me',
        headers: { authorization: `Bearer ${servers.on.plainJwt}` },
        connections: cfg.connections,
        duration: cfg.meSeconds,
      })
    );
    const badMe = unexpected(me.statuses);
    if (badMe) throw new Error(`users/me answered ${badMe}`);
    meRuns.push(me);
  }
  const rps = median(verifyRuns.map((r) => r.rps));
  const meRps = median(meRuns.map((r) => r.rps));
  const p50 = median(verifyRuns.map((r) => r.latency.p50));
  const meP50 = median(meRuns.map((r) => r.latency.p50));
  return [
    {
      figure: `Verify throughput / GET /api/users/me (${cfg.connections} connections)`,
      measured: `${rps.toFixed(0)} / ${meRps.toFixed(0)} req/s; p50 ${p50} / ${meP50} ms`,
      value: rps / meRps,
      shown: `${(rps / meRps).toFixed(3)}×`,
      target: '≥ 0.8×',
      met: rps / meRps >= 0.8,
    },
  ];
}
