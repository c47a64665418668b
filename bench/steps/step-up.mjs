// Step-up verify: POST /api/two-factor/step-up with a current TOTP code and the user's JWT, vs
// the 2FA verify of a login (POST /api/two-factor/verify), the same number of each, alternately.
import { cannon, unexpected } from '../lib/load.mjs';
import { verify } from '../lib/flows.mjs';
import { mintLogins, totpVerifyRound } from './verify.mjs';
import { pool } from '../lib/http.mjs';
import { median } from '../lib/stats.mjs';

/** `count` users with a JWT of a finished 2FA login (their cost is not measured). */
const signedIn = async (ctx, count) => {
  const logins = await mintLogins(ctx, count);
  const { servers } = ctx;
  await servers.on.durable(false);
  try {
    return await pool(count, 4, async (i) => ({ jwt: (await verify(servers.on.url, logins[i].mfaToken, logins[i].code)).jwt, user: logins[i].user }));
  } finally {
    await servers.on.durable(true);
  }
};

export async function stepUp(ctx) {
  const { cfg, servers, cheapBook } = ctx;
  const url = servers.on.url;
  const amount = Math.min(cfg.verifyAmount, 200);
  const stepRuns = [];
  const verifyRuns = [];
  for (let round = 0; round < cfg.rounds; round += 1) {
    const sessions = await signedIn(ctx, amount);
    // Each session steps up with its own user's next code.
    const requests = [];
    for (const session of sessions) {
      const { code } = await cheapBook.nextFor(session.user);
      requests.push({ headers: { authorization: `Bearer ${session.jwt}` }, body: { code } });
    }
    let i = 0;
    const stepped = await ctx.profiled(`step-up-${round}`, () =>
      cannon({ url, method: 'POST', path: '/api/two-factor/step-up', next: () => requests[i++ % requests.length], connections: cfg.connections, amount })
    );
    const bad = unexpected(stepped.statuses);
    if (bad) throw new Error(`step-up answered ${bad}`);
    stepRuns.push(stepped);

    verifyRuns.push(await totpVerifyRound(ctx, amount));
  }
  const stepP50 = median(stepRuns.map((r) => r.latency.p50));
  const verifyP50 = median(verifyRuns.map((r) => r.latency.p50));
  const stepRps = median(stepRuns.map((r) => r.rps));
  const verifyRps = median(verifyRuns.map((r) => r.rps));
  const ratio = stepP50 / verifyP50;
  return [
    {
      figure: `Step-up verify / 2FA verify, median latency (${cfg.connections} connections, ${amount} each)`,
      measured: `${stepP50} / ${verifyP50} ms p50; ${stepRps.toFixed(0)} / ${verifyRps.toFixed(0)} req/s`,
      value: ratio,
      shown: `${ratio.toFixed(3)}×`,
      target: '≤ 1.1×',
      met: ratio <= 1.1,
    },
  ];
}
