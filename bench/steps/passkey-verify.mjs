// Passkey verify: POST /api/two-factor/verify { method: "passkey", response } (a WebAuthn
// assertion checked by @simplewebauthn/server, its challenge and the counter updated in the
// attempt's transaction) against the TOTP verify of as many other pending logins, alternately.
import { cannon, unexpected } from '../lib/load.mjs';
import { passwordLogin, PASSWORD } from '../lib/flows.mjs';
import { expectStatus, pool } from '../lib/http.mjs';
import { median } from '../lib/stats.mjs';
import { BenchPasskey } from '../lib/webauthn.mjs';
import { totpVerifyRound } from './verify.mjs';

/** `count` users whose first factor is a passkey (seeded with a cheap hash, registered over the API). */
const passkeyUsers = async (server, count) => {
  await server.seed('passkey', count, PASSWORD);
  return pool(count, 4, async (i) => {
    const email = `passkey${i}@bench.test`;
    const { jwt } = await passwordLogin(server.url, email);
    const device = new BenchPasskey();
    const options = await expectStatus(200, server.url, 'POST', '/api/two-factor/passkeys/options', { jwt, body: {} });
    await expectStatus(200, server.url, 'POST', '/api/two-factor/passkeys', { jwt, body: { response: device.register(options) } });
    return { email, device };
  });
};

/** Pending logins, each with its passkey challenge answered (opened before the round, not timed). */
const assertedLogins = (server, users) =>
  pool(users.length, 4, async (i) => {
    const { mfaToken } = await passwordLogin(server.url, users[i].email);
    const options = await expectStatus(200, server.url, 'POST', '/api/two-factor/passkeys/challenge', { body: { mfaToken } });
    return { mfaToken, response: users[i].device.assert(options) };
  });

export async function passkeyVerify(ctx) {
  const { cfg, servers } = ctx;
  const server = servers.on;
  const url = server.url;
  const amount = Math.min(cfg.verifyAmount, 200);
  await server.settings({ methods: { passkey: true } });
  await server.durable(false);
  const users = await passkeyUsers(server, amount);
  await server.durable(true);
  const passkeyRuns = [];
  const totpRuns = [];
  for (let round = 0; round < cfg.rounds; round += 1) {
    await server.durable(false);
    const asserted = await assertedLogins(server, users);
    await server.durable(true);
    let i = 0;
    const passkeyRun = await ctx.profiled(`passkey-verify-${round}`, () =>
      cannon({
        url,
        method: 'POST',
        path: '/api/two-factor/verify',
        next: () => {
          const { mfaToken, response } = asserted[i++ % asserted.length];
          return { body: { mfaToken, method: 'passkey', response } };
        },
        connections: cfg.connections,
        amount,
      })
    );
    const bad = unexpected(passkeyRun.statuses);
    if (bad) throw new Error(`passkey verify answered ${bad}`);
    passkeyRuns.push(passkeyRun);

    totpRuns.push(await totpVerifyRound(ctx, amount));
  }
  const passkeyP50 = median(passkeyRuns.map((r) => r.latency.p50));
  const totpP50 = median(totpRuns.map((r) => r.latency.p50));
  const passkeyRps = median(passkeyRuns.map((r) => r.rps));
  const totpRps = median(totpRuns.map((r) => r.rps));
  const ratio = passkeyP50 / totpP50;
  return [
    {
      figure: `Passkey verify / TOTP verify, median latency (${cfg.connections} connections, ${amount} each)`,
      measured: `${passkeyP50} / ${totpP50} ms p50; ${passkeyRps.toFixed(0)} / ${totpRps.toFixed(0)} req/s`,
      value: ratio,
      shown: `${ratio.toFixed(3)}×`,
      target: '≤ 1.5×',
      met: ratio <= 1.5,
    },
  ];
}
