// 1. Overhead on users without 2FA: POST /api/auth/local with the plugin vs the same app without.
import { cannon, unexpected } from '../lib/load.mjs';
import { PASSWORD } from '../lib/flows.mjs';
import { median, ms } from '../lib/stats.mjs';

const loginRounds = async (ctx, identifierOf) => {
  const { cfg, servers } = ctx;
  const runs = { on: [], off: [] };
  const run = async (server, duration) => {
    const result = await cannon({
      url: server.url,
      method: 'POST',
      path: '/api/auth/local',
      body: { identifier: identifierOf(server), password: PASSWORD },
      connections: cfg.loginConnections,
      duration,
    });
    const bad = unexpected(result.statuses);
    if (bad) throw new Error(`login answered ${bad}`);
    return result;
  };
  // Warm-up, not counted: the first logins of a process run cold (JIT, caches).
  for (const name of ['on', 'off']) await run(servers[name], 2);
  for (let round = 0; round < cfg.rounds; round += 1) {
    for (const name of ['on', 'off']) runs[name].push(await run(servers[name], cfg.loginSeconds));
  }
  const p50 = (name) => median(runs[name].map((r) => r.latency.p50));
  const rps = (name) => median(runs[name].map((r) => r.rps));
  return { on: p50('on'), off: p50('off'), rpsOn: rps('on'), rpsOff: rps('off') };
};

export async function overhead(ctx) {
  const real = await loginRounds(ctx, (server) => server.plainUser);
  const cheap = await loginRounds(ctx, (server) => server.cheapPlainUser);
  return [
    {
      figure: 'Login without 2FA, plugin on / off (POST /api/auth/local)',
      measured: `${ms(real.on)} / ${ms(real.off)} median; ${real.rpsOn.toFixed(1)} / ${real.rpsOff.toFixed(1)} req/s`,
      value: real.on / real.off,
      shown: `${(real.on / real.off).toFixed(3)}×`,
      target: '≤ 1.05×',
      met: real.on / real.off <= 1.05,
    },
    {
      figure: '  same, user with a cost-4 bcrypt hash (the plugin\'s own cost shows)',
      measured: `${ms(cheap.on)} / ${ms(cheap.off)} median; +${ms(cheap.on - cheap.off)} per login`,
      value: cheap.on / cheap.off,
      shown: `${(cheap.on / cheap.off).toFixed(3)}×`,
      target: 'info',
      met: null,
    },
  ];
}
