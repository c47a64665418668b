import type { Core } from '@strapi/strapi';

/**
 * Table and column names of a plugin model, for the few statements the query engine cannot
 * express (arithmetic in SET: counters that must be exact under concurrency).
 */
export const tableOf = (strapi: Core.Strapi, uid: string): string =>
  strapi.db.metadata.get(uid).tableName;

export const columnOf = (strapi: Core.Strapi, uid: string, attribute: string): string => {
  const column = strapi.db.metadata.get(uid).attributes[attribute] as { columnName?: string } | undefined;
  return column?.columnName ?? attribute.replace(/[A-Z]/g, (c: string) => `_${c.toLowerCase()}`);
};

/** biginteger columns come back as strings on PostgreSQL. */
export const toNumber = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value);

/** A number going into SQL text must be a plain integer. */
export const integer = (value: number): number => {
  if (!Number.isSafeInteger(value)) throw new TypeError('Expected an integer');
  return value;
};

/**
 * The row `where` names, created from `data` when there is none. Of parallel creators the unique
 * index lets one win; the others read its row. Not inside a transaction: on PostgreSQL the
 * refused insert would abort it.
 */
export const findOrCreate = async (
  strapi: Core.Strapi,
  uid: string,
  where: Record<string, unknown>,
  data: Record<string, unknown>,
  select?: string[]
): Promise<any> => {
  const query = strapi.db.query(uid);
  const existing = await query.findOne({ where, ...(select ? { select } : {}) });
  if (existing) return existing;
  try {
    return await query.create({ data, ...(select ? { select } : {}) });
  } catch (error) {
    const again = await query.findOne({ where, ...(select ? { select } : {}) });
    if (!again) throw error;
    return again;
  }
};

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
