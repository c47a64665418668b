import * as utils from '@strapi/utils';

/** Strapi's own zod: the OpenAPI generator reads schemas of its instance. */
export type Zod = typeof utils.z;
export type Schema = utils.z.ZodType;

/**
 * What a route declares for `strapi openapi generate`: its input and its 200 answer. Strapi
 * validates none of it for a plugin's routes; the controllers' yup validators decide what is
 * refused, with the messages of docs/errors.md.
 */
export interface RouteSchemas {
  request?: { body?: { 'application/json': Schema }; params?: Record<string, Schema>; query?: Record<string, Schema> };
  response: Schema;
}

/** A JSON request body and the answer. */
export const json = (body: Schema, response: Schema): RouteSchemas => ({
  request: { body: { 'application/json': body } },
  response,
});

/**
 * Builds an area's schemas with Strapi's zod. A Strapi 5 release older than the `z` export of
 * `@strapi/utils` gets none: its routes are then undocumented, and work the same.
 */
export const withZod = <T>(build: (z: Zod) => T): T | undefined => {
  const z = (utils as { z?: Zod }).z;
  return z ? build(z) : undefined;
};
