import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startApp, type TestApp } from '../helpers/strapi';
import { enrolTotp, registerUser, type TestUser } from '../helpers/flows';

/**
 * docs/security.md L5: an unknown account, a wrong password and a 2FA user with a wrong password get
 * the same status and body, on every face that takes a password.
 */
let app: TestApp;
let plain: TestUser;
let twoFactor: TestUser;
const WRONG = 'Not-the-password-1';

beforeAll(async () => {
  app = await startApp();
  plain = await registerUser(app);
  twoFactor = await registerUser(app);
  await enrolTotp(app, twoFactor);
});
afterAll(async () => {
  await app?.stop();
});

const gql = (query: string, variables: Record<string, unknown>) => app.http().post('/graphql').send({ query, variables });

const faces: Record<string, (email: string) => Promise<{ status: number; body: unknown }>> = {
  'REST /api/auth/local': (email) => app.http().post('/api/auth/local').send({ identifier: email, password: WRONG }),
  'REST /api/authentication/local': (email) => app.http().post('/api/authentication/local').send({ email, password: WRONG }),
  'GraphQL login': (email) =>
    gql('mutation($i: UsersPermissionsLoginInput!) { login(input: $i) { jwt } }', { i: { identifier: email, password: WRONG } }),
  'GraphQL authenticate (Craft)': (email) =>
    gql('mutation($e: String!, $p: String!) { authenticate(email: $e, password: $p) { jwt requiresTwoFactor } }', { e: email, p: WRONG }),
  'GraphQL signin (NYYU)': (email) => gql('mutation($e: String!, $p: String!) { signin(email: $e, password: $p) { status token } }', { e: email, p: WRONG }),
};

describe('no user enumeration (L5)', () => {
  for (const [face, attempt] of Object.entries(faces)) {
    it(`${face}: unknown account, wrong password and 2FA user with a wrong password answer alike`, async () => {
      const answers = [await attempt('nobody-at-all@example.com'), await attempt(plain.email), await attempt(twoFactor.email)];
      const shapes = answers.map((r) => JSON.stringify({ status: r.status, body: r.body }));
      expect(shapes[1]).toBe(shapes[0]);
      expect(shapes[2]).toBe(shapes[0]);
      expect(shapes[0]).not.toMatch(/jwt":"|mfaToken|TWO_FACTOR/);
    });
  }
});
