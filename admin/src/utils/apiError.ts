/** The message of a Strapi error answer (`{ error: { message } }`), else the fetch error's own. */
export const apiErrorMessage = (error: unknown, fallback: string): string => {
  const message = (error as any)?.response?.data?.error?.message ?? (error as any)?.message;
  return typeof message === 'string' && message ? message : fallback;
};
