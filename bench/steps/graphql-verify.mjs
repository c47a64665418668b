// GraphQL verify: the native twoFactorVerify mutation on POST /graphql against REST's POST
// /api/two-factor/verify, as many pending logins each with a fresh TOTP code, alternately.
import { GRAPHQL_VERIFY, graphqlAnswer } from '../lib/flows.mjs';
import { median } from '../lib/stats.mjs';
import { mintLogins, totpVerifyRound, verifyRound } from './verify.mjs';

const WARM_UP = 20;

async function graphqlVerifyRound(ctx, amount, profile) {
  const logins = await mintLogins(ctx, amount);
  return verifyRound(ctx, {
    logins,
    path: '/graphql',
    body: ({ mfaToken, code }) => ({ query: GRAPHQL_VERIFY, variables: { mfaToken, code } }),
    answer: graphqlAnswer,
    profile,
    what: 'twoFactorVerify',
  });
}

export async function graphqlVerify(ctx) {
  const { cfg } = ctx;
  const amount = Math.min(cfg.verifyAmount, 200);
  // Uncounted: the first GraphQL requests (schema caches, JIT).
  await graphqlVerifyRound(ctx, WARM_UP);
  await totpVerifyRound(ctx, WARM_UP);
  const graphqlRuns = [];
  const restRuns = [];
  for (let round = 0; round < cfg.rounds; round += 1) {
    // GraphQL first in one round, REST first in the next.
    if (round % 2) restRuns.push(await totpVerifyRound(ctx, amount));
    graphqlRuns.push(await graphqlVerifyRound(ctx, amount, `graphql-verify-${round}`));
    if (!(round % 2)) restRuns.push(await totpVerifyRound(ctx, amount));
  }
  const graphqlP50 = median(graphqlRuns.map((r) => r.latency.p50));
  const restP50 = median(restRuns.map((r) => r.latency.p50));
  const graphqlRps = median(graphqlRuns.map((r) => r.wallRps));
  const restRps = median(restRuns.map((r) => r.wallRps));
  const ratio = graphqlP50 / restP50;
  return [
    {
      figure: `GraphQL twoFactorVerify / REST verify, median latency (${cfg.connections} connections, ${amount} each)`,
      measured: `${graphqlP50} / ${restP50} ms p50; ${graphqlRps.toFixed(0)} / ${restRps.toFixed(0)} req/s; throughput ${(graphqlRps / restRps).toFixed(3)}×`,
      value: ratio,
      shown: `${ratio.toFixed(3)}×`,
      target: 'info',
      met: null,
      rounds: { p50: [graphqlRuns, restRuns].map((list) => list.map((r) => r.latency.p50)) },
    },
  ];
}
