// A login through a remembered device (password + the device token) vs a plain login of a user
// without 2FA, on the same server: both hash the password once (cost 10), the device adds its
// lookup, its last-used time and an audit event.
import { cannon, unexpected } from '../lib/load.mjs';
import { PASSWORD, passwordLogin } from '../lib/flows.mjs';
import { expectStatus } from '../lib/http.mjs';
import { median, ms } from '../lib/stats.mjs';

export async function deviceLogin(ctx) {
  const { cfg, servers, realBook } = ctx;
  const server = servers.on;
  await server.settings({ trustedDevices: { enabled: true, days: 30 } });
  try {
    const { user, code } = await realBook.next();
    const { mfaToken } = await passwordLogin(server.url, user.email);
    const { deviceToken } = await expectStatus(200, server.url, 'POST', '/api/two-factor/verify', { body: { mfaToken, code, trustDevice: true } });
    if (!deviceToken) throw new Error('verify with trustDevice answered no deviceToken');

    const run = async (identifier, headers, duration) => {
      const result = await cannon({
        url: server.url,
        method: 'POST',
        path: '/api/auth/local',
        headers,
        body: { identifier, password: PASSWORD },
        connections: cfg.loginConnections,
        duration,
      });
      const bad = unexpected(result.statuses);
      if (bad) throw new Error(`login answered ${bad}`);
      return result;
    };
    const remembered = () => run(user.email, { 'x-two-factor-device': deviceToken }, cfg.loginSeconds);
    const plain = () => run(server.plainUser, {}, cfg.loginSeconds);
    // The device's logins must be real logins (a JWT each), not 2FA challenges.
    const probe = await expectStatus(200, server.url, 'POST', '/api/auth/local', {
      body: { identifier: user.email, password: PASSWORD },
      headers: { 'x-two-factor-device': deviceToken },
    });
    if (!probe.jwt) throw new Error('a login with the device token answered no JWT');
    await run(user.email, { 'x-two-factor-device': deviceToken }, 2);
    await run(server.plainUser, {}, 2);
    const runs = { device: [], plain: [] };
    for (let round = 0; round < cfg.rounds; round += 1) {
      runs.device.push(await ctx.profiled(`device-login-${round}`, remembered));
      runs.plain.push(await plain());
    }
    const p50 = (name) => median(runs[name].map((r) => r.latency.p50));
    const ratio = p50('device') / p50('plain');
    return [
      {
        figure: 'Login through a remembered device / plain login (POST /api/auth/local, one connection)',
        measured: `${ms(p50('device'))} / ${ms(p50('plain'))} median`,
        value: ratio,
        shown: `${ratio.toFixed(3)}×`,
        target: '≤ 1.05×',
        met: ratio <= 1.05,
      },
    ];
  } finally {
    await server.settings({ trustedDevices: { enabled: false, days: 30 } });
  }
}
