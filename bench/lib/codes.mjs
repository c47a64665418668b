// Users whose second factor is an emailed or texted code, and their pending logins with a code
// the server sent (bench/lib/delivery.mjs reads it back). Nothing here is timed.
import { expectStatus, pool } from './http.mjs';
import { passwordLogin, PASSWORD } from './flows.mjs';

/** Where a user's codes arrive: the account's email address, or the phone it enrolled. */
const inboxOf = (ctx, method) => (method === 'email' ? ctx.delivery.mail : ctx.delivery.sms);
const addressOf = (user, method) => (method === 'email' ? user.email : user.phone);

/** A distinct E.164 number per user (US 555 range). */
const phoneOf = (i) => `+1415555${String(1000 + i).padStart(4, '0')}`;

/**
 * Users seeded with a cheap password hash and enrolled in `method` over the API (enable, read the
 * code, confirm), made once per method: as many as the code steps need. Answers [{ email, phone? }].
 */
export async function codeUsers(ctx, method) {
  ctx.codeUsers ??= {};
  if (ctx.codeUsers[method]) return ctx.codeUsers[method];
  const { cfg, servers } = ctx;
  const server = servers.on;
  const count = Math.max(cfg.rounds, Math.min(cfg.verifyAmount, 200));
  const inbox = inboxOf(ctx, method);
  await server.durable(false);
  try {
    await server.seed(method, count, PASSWORD);
    ctx.codeUsers[method] = await pool(count, 4, async (i) => {
      const user = { email: `${method}${i}@bench.test`, ...(method === 'sms' ? { phone: phoneOf(i) } : {}) };
      const { jwt } = await passwordLogin(server.url, user.email);
      const before = inbox.count(addressOf(user, method));
      await expectStatus(200, server.url, 'POST', '/api/two-factor/enable', { jwt, body: { method, ...(user.phone ? { phone: user.phone } : {}) } });
      const code = await inbox.code(addressOf(user, method), before + 1);
      await expectStatus(200, server.url, 'POST', '/api/two-factor/confirm', { jwt, body: { method, code } });
      return user;
    });
  } finally {
    await server.durable(true);
  }
  return ctx.codeUsers[method];
}

/** Sends the pending login `mfaToken` a code by `method` and reads it back from the sink. */
export async function sendCode(ctx, user, method, mfaToken) {
  const inbox = inboxOf(ctx, method);
  const before = inbox.count(addressOf(user, method));
  await expectStatus(200, ctx.servers.on.url, 'POST', '/api/two-factor/send', { body: { mfaToken, method } });
  return inbox.code(addressOf(user, method), before + 1);
}

/** A pending login per user with its code delivered, opened before a round (not timed). */
export async function codeLogins(ctx, users, method) {
  const server = ctx.servers.on;
  await server.durable(false);
  try {
    return await pool(users.length, 4, async (i) => {
      const { mfaToken } = await passwordLogin(server.url, users[i].email);
      return { mfaToken, code: await sendCode(ctx, users[i], method, mfaToken), method };
    });
  } finally {
    await server.durable(true);
  }
}
