import { errors, yup, validateYupSchema } from '@strapi/utils';
import { EVENT_TYPES, METHODS, isEventType } from '../vocabulary';

/**
 * Shapes of the admin API's input. Types and known keys are checked here; ranges, roles and
 * "SMS needs a provider" are the settings service's rules, so the API and the page agree.
 */
/** Every problem in one message, as the settings service reports its own ('a; b'). */
const validator = (schema: yup.AnySchema, options: { strict?: boolean } = {}) => {
  const check = validateYupSchema(schema, options);
  return async (input: unknown): Promise<any> => {
    try {
      return await check(input);
    } catch (error) {
      const details = error instanceof errors.ValidationError ? (error.details as { errors?: { message: string }[] }) : undefined;
      const problems = details?.errors ?? [];
      if (problems.length > 1) throw new errors.ValidationError(problems.map((p) => p.message).join('; '), details);
      throw error;
    }
  };
};

const whole = (name: string) =>
  yup.number().strict().typeError(`${name} must be a number`).integer(`${name} must be a whole number`);

/** Keys of the GET answer that are read-only: a client may send the answer back as it got it. */
const READ_ONLY = ['smsAvailable', 'passkeysAvailable', 'roles', 'limits'];

const settingsFields = {
  enabled: yup.boolean().strict().typeError('enabled must be true or false'),
  methods: yup
    .object(
      Object.fromEntries(METHODS.map((m) => [m, yup.boolean().strict().typeError(`methods.${m} must be true or false`)]))
    )
    .strict()
    .noUnknown(true, `Unknown methods: \${unknown} (known: ${METHODS.join(', ')})`)
    .typeError('methods must be an object'),
  enforcedRoles: yup
    .array(yup.string().strict().typeError('enforcedRoles must hold role types (strings)'))
    .strict()
    .typeError('enforcedRoles must be a list of role types'),
  issuer: yup.string().strict().typeError('issuer must be a string'),
  codeLifetime: whole('codeLifetime'),
  maxFailures: whole('maxFailures'),
  lockDuration: whole('lockDuration'),
  codeAttempts: whole('codeAttempts'),
  backupCodeCount: whole('backupCodeCount'),
  totpWindow: whole('totpWindow'),
  enforcementGraceDays: whole('enforcementGraceDays'),
  trustedDevices: yup
    .object({
      enabled: yup.boolean().strict().typeError('trustedDevices.enabled must be true or false'),
      days: whole('trustedDevices.days'),
    })
    .strict()
    .noUnknown(true, 'Unknown trustedDevices settings: ${unknown} (known: enabled, days)')
    .typeError('trustedDevices must be an object'),
  passkeys: yup
    .object({ passwordless: yup.boolean().strict().typeError('passkeys.passwordless must be true or false') })
    .strict()
    .noUnknown(true, 'Unknown passkeys settings: ${unknown} (known: passwordless)')
    .typeError('passkeys must be an object'),
};
const SETTINGS_KEYS = Object.keys(settingsFields);

const settingsSchema = yup
  .object(settingsFields)
  .typeError('The request body must be a JSON object')
  .test('known-keys', function check(value) {
    const unknown = Object.keys(value ?? {}).filter((k) => !SETTINGS_KEYS.includes(k) && !READ_ONLY.includes(k));
    return unknown.length ? this.createError({ message: `Unknown settings: ${unknown.join(', ')}` }) : true;
  });

const validateSettingsShape = validator(settingsSchema);

/** The settings change, read-only keys dropped. */
export const validateSettings = async (body: unknown) => {
  const value = (await validateSettingsShape(body ?? {})) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !READ_ONLY.includes(key)));
};

const page = {
  page: yup.number().typeError('page must be a number').integer('page must be a whole number').min(1, 'page must be 1 or more').default(1),
  pageSize: yup
    .number()
    .typeError('pageSize must be a number')
    .integer('pageSize must be a whole number')
    .min(1, 'pageSize must be from 1 to 100')
    .max(100, 'pageSize must be from 1 to 100')
    .default(25),
};

// Query strings are cast (strict off): '2' is page 2.
/**
 * A query-string text: a plain string only. Koa's parser turns `search[$ne]=1` into an object,
 * which yup's cast would otherwise pass on (and `trim` fail on, a 500).
 */
const text = (name: string, max: number) =>
  yup
    .mixed()
    .test('is-text', `${name} must be a string`, (value) => value === undefined || typeof value === 'string')
    .transform((value) => (typeof value === 'string' ? value.trim() : value))
    .test('max', `${name} is too long`, (value) => typeof value !== 'string' || value.length <= max);

export const validateUsersQuery = validator(
  yup.object({ ...page, search: text('search', 100) }),
  { strict: false }
);

export const validateEventsQuery = validator(
  yup.object({
    ...page,
    user: text('user', 255),
    type: text('type', 64).test('known', `type must be one of ${EVENT_TYPES.join(', ')}`, (value) =>
      value === undefined || value === '' || isEventType(value)
    ),
  }),
  { strict: false }
);

export const validateUserId = validator(
  yup.object({
    id: yup.number().typeError('id must be a user id').integer('id must be a user id').min(1, 'id must be a user id').required(),
  }),
  { strict: false }
);
