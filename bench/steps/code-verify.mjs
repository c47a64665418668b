// Email and SMS code verify: POST /api/two-factor/verify { mfaToken, code, method } with a code the
// server mailed to the bench's SMTP server (or texted to its webhook sink), against the TOTP verify
// of as many other pending logins, alternately. The sends and deliveries happen before each round.
import { codeLogins, codeUsers } from '../lib/codes.mjs';
import { median } from '../lib/stats.mjs';
import { totpVerifyRound, verifyRound } from './verify.mjs';

const METHODS = ['email', 'sms'];
const NAMES = { email: 'Email', sms: 'SMS' };
const WARM_UP = 20;

/** One round: a pending login per user, its code sent and read back (not timed), then the verifies. */
async function codeVerifyRound(ctx, users, method, profile) {
  const logins = await codeLogins(ctx, users, method);
  return verifyRound(ctx, { logins, body: ({ mfaToken, code }) => ({ mfaToken, code, method }), profile, what: `${method} verify` });
}

export async function codeVerify(ctx) {
  const { cfg } = ctx;
  const amount = Math.min(cfg.verifyAmount, 200);
  const users = {};
  for (const method of METHODS) users[method] = (await codeUsers(ctx, method)).slice(0, amount);
  // Uncounted: the code path's first requests (module loads, JIT).
  for (const method of METHODS) await codeVerifyRound(ctx, users[method].slice(0, WARM_UP), method);
  await totpVerifyRound(ctx, WARM_UP);

  const runs = { email: [], sms: [], totp: [] };
  for (let round = 0; round < cfg.rounds; round += 1) {
    // Email first in one round, SMS first in the next: neither always follows the TOTP round.
    for (const method of round % 2 ? [...METHODS].reverse() : METHODS) {
      runs[method].push(await codeVerifyRound(ctx, users[method], method, `${method}-verify-${round}`));
    }
    runs.totp.push(await totpVerifyRound(ctx, amount));
  }
  const p50 = (list) => median(list.map((r) => r.latency.p50));
  const rps = (list) => median(list.map((r) => r.wallRps));
  return METHODS.map((method) => {
    const ratio = p50(runs[method]) / p50(runs.totp);
    return {
      figure: `${NAMES[method]} code verify / TOTP verify, median latency (${cfg.connections} connections, ${amount} each)`,
      measured: `${p50(runs[method])} / ${p50(runs.totp)} ms p50; ${rps(runs[method]).toFixed(0)} / ${rps(runs.totp).toFixed(0)} req/s`,
      value: ratio,
      shown: `${ratio.toFixed(3)}×`,
      target: 'info',
      met: null,
      rounds: { p50: [runs[method], runs.totp].map((list) => list.map((r) => r.latency.p50)) },
    };
  });
}
