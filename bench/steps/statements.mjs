// 0. Statements and commits per path: what the plugin asks of the database for one request. The
// count does not depend on how busy the machine is, so it is a figure of its own beside the
// throughput rows (each path once per round; the median round is shown).
import { mintLogins } from './verify.mjs';
import { expectStatus, request } from '../lib/http.mjs';
import { PASSWORD, passwordLogin, verifyOverGraphql } from '../lib/flows.mjs';
import { codeUsers, sendCode } from '../lib/codes.mjs';
import { wrongCode } from '../lib/totp.mjs';
import { median } from '../lib/stats.mjs';

const describe = (t) => `${t.reads + t.writes} (${t.reads} reads, ${t.writes} writes), ${t.commits} commit${t.commits === 1 ? '' : 's'}`;

/** The round whose statement count is the median one. */
const typical = (tallies) => {
  const total = (t) => t.reads + t.writes;
  const middle = median(tallies.map(total));
  return tallies.find((t) => total(t) === middle) ?? tallies[0];
};

export async function statements(ctx) {
  const { cfg, servers, cheapBook } = ctx;
  const { on, off } = servers;
  const verifyBody = async (code) => {
    const [login] = await mintLogins(ctx, 1);
    return { body: { mfaToken: login.mfaToken, code: code ? code(login) : login.code }, user: login.user };
  };
  const paths = {
    verify: [],
    wrong: [],
    locked: [],
    passwordStep: [],
    plainOn: [],
    plainOff: [],
    graphqlVerify: [],
    emailSend: [],
    emailVerify: [],
    smsSend: [],
    smsVerify: [],
  };
  const users = { email: await codeUsers(ctx, 'email'), sms: await codeUsers(ctx, 'sms') };
  for (let round = 0; round < cfg.rounds; round += 1) {
    const ok = await verifyBody();
    paths.verify.push(await on.tally(() => expectStatus(200, on.url, 'POST', '/api/two-factor/verify', ok)));

    const wrong = await verifyBody((login) => wrongCode(login.user.secret));
    paths.wrong.push(await on.tally(() => expectStatus(400, on.url, 'POST', '/api/two-factor/verify', wrong)));

    // Wrong codes until the account locks, then one more guess at the locked account.
    const locked = await verifyBody((login) => wrongCode(login.user.secret));
    let status = 0;
    for (let i = 0; i < 50 && status !== 429; i += 1) status = (await request(on.url, 'POST', '/api/two-factor/verify', locked)).status;
    if (status !== 429) throw new Error('fifty wrong codes did not lock the account');
    // Locked for the lock duration: later steps must not draw its codes.
    cheapBook.retire(locked.user);
    paths.locked.push(await on.tally(() => expectStatus(429, on.url, 'POST', '/api/two-factor/verify', locked)));

    const { user } = await cheapBook.next();
    paths.passwordStep.push(await on.tally(() => expectStatus(200, on.url, 'POST', '/api/auth/local', { body: { identifier: user.email, password: PASSWORD } })));
    for (const [server, list] of [
      [on, paths.plainOn],
      [off, paths.plainOff],
    ]) {
      list.push(await server.tally(() => expectStatus(200, server.url, 'POST', '/api/auth/local', { body: { identifier: server.cheapPlainUser, password: PASSWORD } })));
    }

    const graphql = await verifyBody();
    paths.graphqlVerify.push(await on.tally(() => verifyOverGraphql(on.url, graphql.body.mfaToken, graphql.body.code)));

    // An emailed (texted) code: the send, with its delivery, then the verify with the code that arrived.
    for (const method of ['email', 'sms']) {
      const user = users[method][round];
      const { mfaToken } = await passwordLogin(on.url, user.email);
      let code;
      paths[`${method}Send`].push(await on.tally(async () => (code = await sendCode(ctx, user, method, mfaToken))));
      paths[`${method}Verify`].push(await on.tally(() => expectStatus(200, on.url, 'POST', '/api/two-factor/verify', { body: { mfaToken, code, method } })));
    }
  }
  const verify = typical(paths.verify);
  const wrong = typical(paths.wrong);
  const locked = typical(paths.locked);
  const passwordStep = typical(paths.passwordStep);
  const plainOn = typical(paths.plainOn);
  const plainOff = typical(paths.plainOff);
  const graphqlVerify = typical(paths.graphqlVerify);
  const emailSend = typical(paths.emailSend);
  const emailVerify = typical(paths.emailVerify);
  const smsSend = typical(paths.smsSend);
  const smsVerify = typical(paths.smsVerify);
  const extra = { reads: plainOn.reads - plainOff.reads, writes: plainOn.writes - plainOff.writes };
  if (process.env.BENCH_SQL === '1') {
    for (const [name, t] of Object.entries({ verify, wrong, locked, passwordStep, plainOn, plainOff, graphqlVerify, emailSend, emailVerify, smsSend, smsVerify })) {
      process.stderr.write(`\n${name}:\n${t.statements.map((sql) => `  ${sql.slice(0, 160)}`).join('\n')}\n`);
    }
  }
  return [
    {
      figure: 'Statements: successful TOTP verify',
      measured: describe(verify),
      value: verify.reads + verify.writes,
      shown: `${verify.reads + verify.writes} / ${verify.commits}`,
      target: '≤ 7 statements / 1 commit',
      met: verify.reads + verify.writes <= 7 && verify.commits <= 1,
    },
    {
      figure: 'Statements: wrong-code verify',
      measured: describe(wrong),
      value: wrong.reads + wrong.writes,
      shown: `${wrong.reads + wrong.writes} / ${wrong.commits}`,
      target: '–',
      met: null,
    },
    {
      figure: 'Statements: a guess at a locked account',
      measured: describe(locked),
      value: locked.reads + locked.writes,
      shown: `${locked.reads} reads, ${locked.writes} writes`,
      target: '≤ 2 reads, no write',
      met: locked.reads <= 2 && locked.writes === 0,
    },
    {
      figure: 'Statements: password step of a 2FA user',
      measured: describe(passwordStep),
      value: passwordStep.reads + passwordStep.writes,
      shown: `${passwordStep.reads + passwordStep.writes} / ${passwordStep.commits}`,
      target: '–',
      met: null,
    },
    {
      figure: 'Statements: login of a user without 2FA, plugin on / off',
      measured: `${describe(plainOn)} / ${describe(plainOff)}`,
      value: extra.reads,
      shown: `+${extra.reads} reads, +${extra.writes} writes`,
      target: '≤ 1 extra read',
      met: extra.reads <= 1 && extra.writes <= 0,
    },
    ...[
      ['successful GraphQL twoFactorVerify (TOTP)', graphqlVerify],
      ['successful email code verify', emailVerify],
      ['successful SMS code verify', smsVerify],
      ['send of an email code (POST /api/two-factor/send)', emailSend],
      ['send of an SMS code (POST /api/two-factor/send)', smsSend],
    ].map(([path, t]) => ({
      figure: `Statements: ${path}`,
      measured: describe(t),
      value: t.reads + t.writes,
      shown: `${t.reads + t.writes} / ${t.commits}`,
      target: '–',
      met: null,
    })),
  ];
}
