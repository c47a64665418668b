import { expect } from 'vitest';
import { totpCode, currentTimeStep } from '../../server/src/core';
import type { TestApp } from '../helpers/strapi';

/** One GraphQL request to the host app; `auth` is sent as a Bearer token. */
export async function gql(app: TestApp, query: string, variables: Record<string, unknown> = {}, auth?: string) {
  const req = app.http().post('/graphql').set('Content-Type', 'application/json');
  if (auth) req.set('Authorization', `Bearer ${auth}`);
  const res = await req.send({ query, variables });
  return res;
}

/** The data of a request that must succeed. */
export async function ok(app: TestApp, query: string, variables: Record<string, unknown> = {}, auth?: string) {
  const res = await gql(app, query, variables, auth);
  expect(res.body.errors, JSON.stringify(res.body.errors)).toBeUndefined();
  expect(res.status).toBe(200);
  return res.body.data;
}

/** The single error of a request that must fail, never an internal one. */
export async function fails(app: TestApp, query: string, variables: Record<string, unknown> = {}, auth?: string) {
  const res = await gql(app, query, variables, auth);
  expect(res.body.errors, JSON.stringify(res.body)).toHaveLength(1);
  const [error] = res.body.errors;
  expect(error.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
  expect(error.message).not.toMatch(/Internal Server Error/);
  return { error, res };
}

/** A users-permissions account made through its public registration, and its JWT. */
export async function register(app: TestApp, email: string, password: string, username = email.split('@')[0]) {
  const res = await app.http().post('/api/auth/local/register').send({ username, email, password });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return { id: res.body.user.id as number, jwt: res.body.jwt as string };
}

/** Codes of the authenticator app: `step` 0 is now, 1 the next 30 s step (the window is ±1). */
export const code = (secret: string, step = 0) => totpCode(secret, { time: (currentTimeStep() + step) * 30 });

export const LOGIN = /* GraphQL */ `
  mutation Login($identifier: String!, $password: String!) {
    login(input: { identifier: $identifier, password: $password }) { jwt user { id username email } }
  }
`;

/**
 * `actual` has the shape of a seed's documented answer: the same keys all the way down, strings
 * and numbers where it shows them (their values are examples), and its exact null and boolean values.
 */
export function expectShape(actual: unknown, documented: unknown, path = 'answer'): void {
  if (documented === null || typeof documented === 'boolean') {
    expect(actual, path).toBe(documented);
  } else if (typeof documented === 'string' || typeof documented === 'number') {
    expect(typeof actual, path).toBe(typeof documented);
  } else if (Array.isArray(documented)) {
    expect(Array.isArray(actual), path).toBe(true);
  } else {
    expect(actual, path).toBeTypeOf('object');
    expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(documented as object).sort());
    for (const [key, value] of Object.entries(documented as object)) expectShape((actual as any)[key], value, `${path}.${key}`);
  }
}
