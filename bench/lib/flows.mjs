// The HTTP flows the steps need: registering, enrolling an authenticator app, logging in.
import { codeAt, currentStep } from './totp.mjs';
import { expectStatus, pool } from './http.mjs';

export const PASSWORD = 'Bench-Password-9';

/** A user registered through users-permissions' own route (bcrypt cost 10, as in production). */
export async function registerUser(base, name) {
  const body = await expectStatus(200, base, 'POST', '/api/auth/local/register', {
    body: { username: name, email: `${name}@bench.test`, password: PASSWORD },
  });
  return { id: body.user.id, email: `${name}@bench.test`, jwt: body.jwt };
}

/** A plain password login; answers its body (a JWT, or the 2FA challenge). */
export const passwordLogin = (base, identifier) =>
  expectStatus(200, base, 'POST', '/api/auth/local', { body: { identifier, password: PASSWORD } });

/**
 * Enrols an authenticator app (enable, then confirm with a code of the previous step, so the
 * current and next steps stay free for logins). Returns { secret, lastStep }.
 */
export async function enrolTotp(base, jwt) {
  const { secret } = await expectStatus(200, base, 'POST', '/api/two-factor/enable', { jwt, body: { method: 'totp' } });
  // Near the end of a step the previous one would expire on the way: take the current one then.
  const step = Date.now() % 30000 < 27000 ? currentStep() - 1 : currentStep();
  await expectStatus(200, base, 'POST', '/api/two-factor/confirm', { jwt, body: { method: 'totp', code: codeAt(secret, step) } });
  return { secret, lastStep: step };
}

/** The second step of a 2FA login. */
export const verify = (base, mfaToken, code) =>
  expectStatus(200, base, 'POST', '/api/two-factor/verify', { body: { mfaToken, code } });

/** A full 2FA login: password step, then the TOTP code. Answers the JWT. */
export async function twoFactorLogin(base, identifier, code) {
  const challenge = await passwordLogin(base, identifier);
  if (!challenge.mfaToken) throw new Error(`expected a 2FA challenge for ${identifier}`);
  const { jwt } = await verify(base, challenge.mfaToken, typeof code === 'function' ? code() : code);
  if (!jwt) throw new Error('verify answered no jwt');
  return jwt;
}

/**
 * `count` users seeded with a cheap password hash (bench/server.mjs) and enrolled in TOTP over
 * the API. Returns [{ email, secret, lastStep }].
 */
export async function cheapTotpUsers(server, prefix, count, concurrency = 4) {
  await server.seed(prefix, count, PASSWORD);
  return pool(count, concurrency, async (i) => {
    const email = `${prefix}${i}@bench.test`;
    const { jwt } = await passwordLogin(server.url, email);
    return { email, ...(await enrolTotp(server.url, jwt)) };
  });
}

/** The native GraphQL second step (docs/graphql.md), with the fields a REST verify answers. */
export const GRAPHQL_VERIFY = `mutation($mfaToken: String!, $code: String!) {
  twoFactorVerify(mfaToken: $mfaToken, code: $code) { jwt user { id username email } }
}`;

/** A GraphQL answer is 200 with `errors` when it fails: counted under its error code, not as a 200. */
export const graphqlAnswer = (status, body) => {
  if (status === 200 && body.includes('"jwt"') && !body.includes('"errors"')) return 200;
  return `${status}+${/"code":"([A-Z_]+)"/.exec(body)?.[1] ?? 'errors'}`;
};

/** twoFactorVerify over GraphQL; answers the JWT. */
export async function verifyOverGraphql(base, mfaToken, code) {
  const answer = await expectStatus(200, base, 'POST', '/graphql', { body: { query: GRAPHQL_VERIFY, variables: { mfaToken, code } } });
  const jwt = answer?.data?.twoFactorVerify?.jwt;
  if (!jwt) throw new Error(`twoFactorVerify answered ${JSON.stringify(answer).slice(0, 300)}`);
  return jwt;
}
