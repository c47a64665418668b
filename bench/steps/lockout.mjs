// 6. Lockout under attack: wrong codes at one account from many connections, while another
// user logs in; that login's latency is compared with the same login on an idle server.
import { cannon } from '../lib/load.mjs';
import { passwordLogin } from '../lib/flows.mjs';
import { wrongCode } from '../lib/totp.mjs';
import { median, ms, timed } from '../lib/stats.mjs';

export async function lockout(ctx) {
  const { cfg, servers, cheapBook } = ctx;
  const url = servers.on.url;
  const probe = () => timed(() => passwordLogin(url, servers.on.plainUser));
  const idle = [];
  const underAttack = [];
  let statuses = {};

  // Idle, attack, idle: the idle figure is taken on both sides of the attack.
  for (let round = 0; round < 2; round += 1) {
    for (let i = 0; i < cfg.probeLogins; i += 1) idle.push(await probe());
    if (round === 1) break;
    const { user } = await cheapBook.next();
    const { mfaToken } = await passwordLogin(url, user.email);
    let done = false;
    const attack = ctx.profiled('attack', () => cannon({
      url,
      method: 'POST',
      path: '/api/two-factor/verify',
      next: () => ({ body: { mfaToken, code: wrongCode(user.secret) } }),
      connections: cfg.attackConnections,
      amount: cfg.attackCodes,
    })).finally(() => {
      done = true;
    });
    // Let the attack reach full speed before timing other logins.
    await new Promise((resolve) => setTimeout(resolve, 500));
    while (!done) underAttack.push(await probe());
    const result = await attack;
    for (const [status, n] of Object.entries(result.statuses)) statuses[status] = (statuses[status] || 0) + n;
    ctx.attackRps = result.rps;
  }
  const ratio = median(underAttack) / median(idle);
  const shown = Object.entries(statuses)
    .map(([status, n]) => `${status}×${n}`)
    .join(' ');
  return [
    {
      figure: `Another user's login during ${cfg.attackCodes} wrong codes at one account (${cfg.attackConnections} conns) / idle`,
      measured: `${ms(median(underAttack))} / ${ms(median(idle))} median (${underAttack.length} logins under attack); attack answered ${shown} at ${ctx.attackRps.toFixed(0)} req/s`,
      value: ratio,
      shown: `${ratio.toFixed(3)}×`,
      target: '≤ 2×',
      met: ratio <= 2,
    },
  ];
}
