// 6. Lockout under attack: wrong codes at one account from many connections, while another
// user logs in; that login's latency is compared with the same login on an idle server.
import { cannon } from '../lib/load.mjs';
import { passwordLogin } from '../lib/flows.mjs';
import { wrongCode } from '../lib/totp.mjs';
import { median, ms, timed } from '../lib/stats.mjs';

/** Times `probe` logins, one after another, for as long as `load` runs. */
async function during(load, probe) {
  let done = false;
  const running = load().finally(() => {
    done = true;
  });
  // Let the load reach full speed before timing other logins.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const times = [];
  while (!done) times.push(await probe());
  return { times, result: await running };
}

const statusText = (statuses) =>
  Object.entries(statuses)
    .map(([status, n]) => `${status}×${n}`)
    .join(' ');

export async function lockout(ctx) {
  const { cfg, servers, cheapBook } = ctx;
  const url = servers.on.url;
  const probe = () => timed(() => passwordLogin(url, servers.on.plainUser));
  const idle = [];
  const idleRound = async () => {
    for (let i = 0; i < cfg.probeLogins; i += 1) idle.push(await probe());
  };

  // Idle, attack, idle, then the same flood of Strapi's cheapest authenticated request as a control.
  await idleRound();
  const { user } = await cheapBook.next();
  const { mfaToken } = await passwordLogin(url, user.email);
  const attack = await during(
    () =>
      ctx.profiled('attack', () =>
        cannon({
          url,
          method: 'POST',
          path: '/api/two-factor/verify',
          next: () => ({ body: { mfaToken, code: wrongCode(user.secret) } }),
          connections: cfg.attackConnections,
          amount: cfg.attackCodes,
        })
      ),
    probe
  );
  await idleRound();
  const control = cfg.attackControl
    ? await during(
        () =>
          cannon({
            url,
            path: '/api/users/me',
            headers: { authorization: `Bearer ${servers.on.plainJwt}` },
            connections: cfg.attackConnections,
            amount: cfg.attackCodes,
          }),
        probe
      )
    : null;

  const ratio = median(attack.times) / median(idle);
  const rows = [
    {
      figure: `Another user's login during ${cfg.attackCodes} wrong codes at one account (${cfg.attackConnections} conns) / idle`,
      measured: `${ms(median(attack.times))} / ${ms(median(idle))} median (${attack.times.length} logins under attack); attack answered ${statusText(attack.result.statuses)} at ${attack.result.rps.toFixed(0)} req/s`,
      value: ratio,
      shown: `${ratio.toFixed(3)}×`,
      target: '≤ 2×',
      met: ratio <= 2,
    },
  ];
  if (control) {
    const controlRatio = median(control.times) / median(idle);
    rows.push({
      figure: `  control: the same login during ${cfg.attackCodes} GET /api/users/me (${cfg.attackConnections} conns) / idle`,
      measured: `${ms(median(control.times))} / ${ms(median(idle))} median; flood answered ${statusText(control.result.statuses)} at ${control.result.rps.toFixed(0)} req/s`,
      value: controlRatio,
      shown: `${controlRatio.toFixed(3)}×`,
      target: 'info',
      met: null,
    });
  }
  return rows;
}
