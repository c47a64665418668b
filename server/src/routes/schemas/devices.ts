import type { Zod } from './zod';

/** A user's remembered devices (docs/rest-api.md, "Remembered devices"). */
export const deviceSchemas = (z: Zod) => {
  const id = z.number().int();
  const device = z.object({
    id,
    label: z.string().describe('Browser and system, from the User-Agent of the verify that remembered it'),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    expiresAt: z.string().describe('When it stops being trusted (ISO 8601)'),
    current: z.boolean().describe("The request's own device token (cookie or X-Two-Factor-Device) is this device's"),
  });
  return {
    list: { response: z.array(device) },
    revoke: { request: { params: { id: id.min(1) } }, response: z.object({ id }) },
    /** Strapi parses no DELETE body by default: the step-up code comes in the X-Two-Factor-Code header. */
    revokeAll: { response: z.object({ revoked: z.number().int().describe('How many devices were forgotten') }) },
  };
};
