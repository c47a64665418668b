import type { Core } from '@strapi/strapi';

/**
 * Table and column names of a plugin model, for the few statements the query engine cannot
 * express (arithmetic in SET: counters that must be exact under concurrency).
 */
export const tableOf = (strapi: Core.Strapi, uid: string): string =>
  (strapi.db.metadata.get(uid as any) as any).tableName;

export const columnOf = (strapi: Core.Strapi, uid: string, attribute: string): string => {
  const meta = strapi.db.metadata.get(uid as any) as any;
  return meta.attributes[attribute]?.columnName ?? attribute.replace(/[A-Z]/g, (c: string) => `_${c.toLowerCase()}`);
};

/** biginteger columns come back as strings on PostgreSQL. */
export const toNumber = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);

/** Knex's affected-row count, whatever the dialect returns. */
export const affected = (result: unknown): number =>
  typeof result === 'number' ? result : Array.isArray(result) ? result.length : Number(result) || 0;

/**
 * Runs raw knex statements on the caller's transaction when there is one, as the query engine
 * does (Strapi keeps the transaction in async context and hands it to a nested callback). Outside
 * one, on the plain connection. A raw statement on the plain connection inside a transaction
 * would wait for a second connection: on SQLite, whose pool has one, it would never get it.
 */
export const withKnex = async <T>(strapi: Core.Strapi, fn: (knex: any) => Promise<T>): Promise<T> => {
  if (!strapi.db.inTransaction()) return fn(strapi.db.connection);
  return (await strapi.db.transaction(({ trx }: any) => fn(trx))) as T;
};
