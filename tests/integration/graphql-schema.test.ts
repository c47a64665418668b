import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startApp, type TestApp } from '../helpers/strapi';
import { ok } from './graphql-helpers';

/**
 * The plugin's records are not content: the graphql plugin generates no type, query or mutation
 * for any of its content types, whichever the registry holds (none is listed by hand).
 */
let app: TestApp;
beforeAll(async () => {
  app = await startApp();
});
afterAll(async () => {
  await app?.stop();
});

const SCHEMA = /* GraphQL */ `
  query {
    __schema {
      types { name }
      queryType { fields { name args { name } type { ofType { ofType { ofType { name } } } } } }
      mutationType { fields { name } }
    }
  }
`;

describe('GraphQL schema', () => {
  it('has no type, query or mutation of any plugin content type', async () => {
    const { __schema } = await ok(app, SCHEMA);
    const types = new Set<string>(__schema.types.map((t: { name: string }) => t.name));
    const names = (fields: { name: string }[]) => new Set(fields.map((f) => f.name));
    const queries = names(__schema.queryType.fields);
    const mutations = names(__schema.mutationType.fields);
    const { naming } = app.strapi.plugin('graphql').service('utils') as any;
    const generated = (uid: string) => {
      const model = app.strapi.getModel(uid as any);
      const of = (...makers: string[]) => makers.map((maker) => naming[maker](model) as string);
      return {
        types: of('getTypeName', 'getFiltersInputTypeName', 'getContentTypeInputName', 'getEntityResponseCollectionName'),
        queries: of('getFindQueryName', 'getFindOneQueryName', 'getFindConnectionQueryName'),
        // Not the find names: the plugin's own `twoFactorBackupCodes` mutation shares one with backup-code's query.
        mutations: of('getCreateMutationTypeName', 'getUpdateMutationTypeName', 'getDeleteMutationTypeName'),
      };
    };

    // The names are found the way the graphql plugin makes them: a content type of another plugin is there.
    const user = generated('plugin::users-permissions.user');
    expect(types.has(user.types[0]), user.types[0]).toBe(true);
    expect(queries.has(user.queries[0]), user.queries[0]).toBe(true);

    const own = Object.keys(app.strapi.contentTypes).filter((uid) => uid.startsWith('plugin::two-factor.'));
    expect(own).toEqual(expect.arrayContaining(['plugin::two-factor.factor', 'plugin::two-factor.rate-limit']));
    // The plugin's own `twoFactorDevices` and `twoFactorPasskeys` queries (lists of
    // TwoFactorRememberedDevice, TwoFactorPasskeyItem) have the names the device and passkey
    // content types' find queries would have: checked below to be the plugin's, not generated.
    const OWN_QUERIES = new Set(['twoFactorDevices', 'twoFactorPasskeys']);
    const present = own.flatMap((uid) => {
      const made = generated(uid);
      return [
        ...made.types.filter((name) => types.has(name)),
        ...made.queries.filter((name) => queries.has(name) && !OWN_QUERIES.has(name)),
        ...made.mutations.filter((name) => mutations.has(name)),
      ].map((name) => `${uid}: ${name}`);
    });
    expect(present).toEqual([]);
    const devices = __schema.queryType.fields.find((f: { name: string }) => f.name === 'twoFactorDevices');
    expect(devices.type.ofType.ofType.ofType.name).toBe('TwoFactorRememberedDevice');
    expect(devices.args).toEqual([]);
    const passkeys = __schema.queryType.fields.find((f: { name: string }) => f.name === 'twoFactorPasskeys');
    expect(passkeys.type.ofType.ofType.ofType.name).toBe('TwoFactorPasskeyItem');
    expect(passkeys.args).toEqual([]);
  });
});
