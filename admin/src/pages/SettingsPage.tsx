import * as React from 'react';
import {
  Box,
  Button,
  Checkbox,
  Field,
  Flex,
  Grid,
  NumberInput,
  TextInput,
  Typography,
} from '@strapi/design-system';
import { Check } from '@strapi/icons';
import { Layouts, Page, useFetchClient, useNotification, useRBAC } from '@strapi/strapi/admin';
import { PERMISSIONS } from '../permissions';
import { ToggleField } from '../components/ToggleField';
import { useT } from '../utils/useT';
import { apiErrorMessage } from '../utils/apiError';
import { validateSettings, type Problem } from '../utils/validate';
import { NUMBER_FIELDS, type NumberField, type Settings, type SettingsView } from '../utils/types';
import { TrustedDevicesSettings } from '../components/TrustedDevicesSettings';
import { METHODS, METHOD_SETTING_LABELS } from '../../../server/src/vocabulary';

const NUMBER_LABELS: Record<NumberField, [string, string]> = {
  codeLifetime: ['Code lifetime (seconds)', 'How long an emailed or texted code stays valid.'],
  maxFailures: ['Attempts before lock', 'Wrong codes an account may enter, across all methods, before its second factor locks.'],
  lockDuration: ['Lock time (seconds)', 'How long a locked account must wait before trying again.'],
  codeAttempts: ['Guesses per emailed or texted code', 'After this many wrong guesses a code is dead and a new one must be sent.'],
  backupCodeCount: ['Backup codes per user', 'How many one-time recovery codes a user gets.'],
  totpWindow: ['TOTP window (steps of 30 s)', 'Authenticator codes accepted before and after the current one, for clock drift.'],
  enforcementGraceDays: [
    'Grace period (days)',
    'Days a user of a required role may still sign in without a factor, from when the role was required or they joined it. 0: set up at the next login.',
  ],
};

/** The lockout section's fields; the grace period sits with the required roles. */
const LIMIT_FIELDS = NUMBER_FIELDS.filter((field) => field !== 'enforcementGraceDays');

const pick = (view: SettingsView): Settings => ({
  enabled: view.enabled,
  methods: { ...view.methods },
  passkeys: { ...view.passkeys },
  enforcedRoles: [...view.enforcedRoles],
  issuer: view.issuer,
  codeLifetime: view.codeLifetime,
  maxFailures: view.maxFailures,
  lockDuration: view.lockDuration,
  codeAttempts: view.codeAttempts,
  backupCodeCount: view.backupCodeCount,
  totpWindow: view.totpWindow,
  enforcementGraceDays: view.enforcementGraceDays,
  trustedDevices: { ...view.trustedDevices },
});

const SettingsPage = () => {
  const { t } = useT();
  const { get, put } = useFetchClient();
  const { toggleNotification } = useNotification();
  const {
    isLoading: loadingPermissions,
    allowedActions: { canUpdate },
  } = useRBAC(PERMISSIONS.updateSettings);

  const [view, setView] = React.useState<SettingsView | null>(null);
  const [values, setValues] = React.useState<Settings | null>(null);
  const [problems, setProblems] = React.useState<Problem[]>([]);
  const [failed, setFailed] = React.useState(false);
  const [saving, setSaving] = React.useState(false);

  React.useEffect(() => {
    get<SettingsView>('/two-factor/settings')
      .then(({ data }) => {
        setView(data);
        setValues(pick(data));
      })
      .catch(() => setFailed(true));
  }, [get]);

  if (failed) return <Page.Error />;
  if (loadingPermissions || !view || !values) return <Page.Loading />;

  const modified = JSON.stringify(values) !== JSON.stringify(pick(view));
  const set = (change: Partial<Settings>) => {
    setValues({ ...values, ...change });
    setProblems([]);
  };
  const problemOf = (field: string) => problems.find((p) => p.field === field);
  const problemText = (problem?: Problem) => {
    if (!problem) return undefined;
    if (problem.kind === 'range') return t('settings.error.range', 'Enter a whole number from {min} to {max}.', { min: problem.min, max: problem.max });
    if (problem.kind === 'issuer') return t('settings.error.issuer', 'Enter 1 to 64 characters.');
    return t('settings.error.noMethod', 'Switch on at least one method before requiring two-factor for a role.');
  };

  const save = async (event: React.FormEvent) => {
    event.preventDefault();
    const found = validateSettings(values, view.limits);
    setProblems(found);
    if (found.length) {
      toggleNotification({ type: 'warning', message: t('settings.invalid', 'Some settings need fixing before they can be saved.') });
      return;
    }
    setSaving(true);
    try {
      const { data } = await put<SettingsView>('/two-factor/settings', values);
      setView(data);
      setValues(pick(data));
      toggleNotification({ type: 'success', message: t('settings.saved', 'Two-factor settings saved') });
    } catch (error) {
      toggleNotification({ type: 'danger', message: apiErrorMessage(error, t('error.generic', 'Something went wrong')) });
    } finally {
      setSaving(false);
    }
  };

  const roles = view.roles.filter((role) => role.type !== 'public');
  const readOnly = !canUpdate;

  const numberField = (field: NumberField) => {
    const [min, max] = view.limits[field];
    return (
      <Field.Root
        name={field}
        error={problemText(problemOf(field))}
        hint={`${t(`settings.${field}.hint`, NUMBER_LABELS[field][1])} ${t('settings.range', '({min} to {max})', { min, max })}`}
      >
        <Field.Label>{t(`settings.${field}`, NUMBER_LABELS[field][0])}</Field.Label>
        <NumberInput name={field} value={values[field]} disabled={readOnly} onValueChange={(value) => set({ [field]: value } as Partial<Settings>)} />
        <Field.Hint />
        <Field.Error />
      </Field.Root>
    );
  };

  return (
    <Page.Main aria-busy={saving}>
      <Page.Title>{t('settings.title', 'Two-factor authentication')}</Page.Title>
      <form onSubmit={save} noValidate>
        <Layouts.Header
          title={t('settings.title', 'Two-factor authentication')}
          subtitle={t('settings.subtitle', 'Second factors for users signing in with Users & Permissions')}
          primaryAction={
            <Button type="submit" startIcon={<Check />} loading={saving} disabled={!modified || readOnly} size="S">
              {t('settings.save', 'Save')}
            </Button>
          }
        />
        <Layouts.Content>
          <Flex direction="column" alignItems="stretch" gap={6}>
            <Section title={t('settings.section.general', 'General')}>
              <Grid.Root gap={6}>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <ToggleField
                    name="enabled"
                    label={t('settings.enabled', 'Two-factor authentication')}
                    hint={t('settings.enabled.hint', 'Off suspends two-factor for every user: logins ask for the password only. Factors are kept and apply again when you switch it back on.')}
                    checked={values.enabled}
                    disabled={readOnly}
                    onChange={(enabled) => set({ enabled })}
                  />
                </Grid.Item>
                <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
                  <Field.Root name="issuer" error={problemText(problemOf('issuer'))} hint={t('settings.issuer.hint', 'The name authenticator apps show beside the code.')}>
                    <Field.Label>{t('settings.issuer', 'Issuer name')}</Field.Label>
                    <TextInput name="issuer" value={values.issuer} disabled={readOnly} onChange={(e: React.ChangeEvent<HTMLInputElement>) => set({ issuer: e.target.value })} />
                    <Field.Hint />
                    <Field.Error />
                  </Field.Root>
                </Grid.Item>
              </Grid.Root>
            </Section>

            <Section
              title={t('settings.section.methods', 'Methods')}
              description={t('settings.methods.hint', 'Switching a method off stops new enrolments of it. Users who already have it keep using it to sign in, so it is never a way around two-factor; reset a user to remove their factors.')}
            >
              <Flex direction="column" alignItems="stretch" gap={3}>
                {METHODS.map((method) => {
                  const unavailable = (method === 'sms' && !view.smsAvailable) || (method === 'passkey' && !view.passkeysAvailable);
                  return (
                    <Box key={method}>
                      <Checkbox
                        name={`methods.${method}`}
                        checked={values.methods[method]}
                        disabled={readOnly || unavailable}
                        onCheckedChange={(checked) => set({ methods: { ...values.methods, [method]: checked === true } })}
                      >
                        {t(`settings.method.${method}`, METHOD_SETTING_LABELS[method])}
                      </Checkbox>
                      {unavailable && (
                        <Typography variant="pi" textColor="neutral600" tag="p" paddingLeft={6}>
                          {method === 'passkey'
                            ? t('settings.passkey.unavailable', 'Configure passkeys.rpId and passkeys.origins in the two-factor entry of config/plugins to offer passkeys.')
                            : t('settings.sms.unavailable', 'SMS module required: configure an SMS provider (sms in the two-factor entry of config/plugins) to offer SMS codes.')}
                        </Typography>
                      )}
                    </Box>
                  );
                })}
                {values.methods.passkey && (
                  <Box paddingLeft={6}>
                    <Checkbox
                      name="passkeys.passwordless"
                      checked={values.passkeys.passwordless}
                      disabled={readOnly}
                      onCheckedChange={(checked) => set({ passkeys: { passwordless: checked === true } })}
                    >
                      {t('settings.passkeys.passwordless', 'Passwordless sign-in: a passkey with user verification signs in on its own (both factors)')}
                    </Checkbox>
                  </Box>
                )}
              </Flex>
            </Section>

            <Section
              title={t('settings.section.roles', 'Required for roles')}
              description={t('settings.roles.hint', 'Users of these roles must use a second factor. Those without one are asked to set it up at their next login (or once the grace period below ends) and can do nothing else until they do.')}
            >
              <Flex direction="column" alignItems="stretch" gap={3}>
                {roles.map((role) => (
                  <Checkbox
                    key={role.type}
                    name={`enforcedRoles.${role.type}`}
                    checked={values.enforcedRoles.includes(role.type)}
                    disabled={readOnly}
                    onCheckedChange={(checked) =>
                      set({
                        enforcedRoles: checked === true ? [...values.enforcedRoles, role.type] : values.enforcedRoles.filter((r) => r !== role.type),
                      })
                    }
                  >
                    {role.name}
                  </Checkbox>
                ))}
                {problemOf('enforcedRoles') && (
                  <Typography variant="pi" textColor="danger600" role="alert">
                    {problemText(problemOf('enforcedRoles'))}
                  </Typography>
                )}
                <Box maxWidth="50%">{numberField('enforcementGraceDays')}</Box>
              </Flex>
            </Section>

            <Section title={t('settings.section.limits', 'Codes and lockout')}>
              <Grid.Root gap={6}>
                {LIMIT_FIELDS.map((field) => (
                  <Grid.Item key={field} col={6} s={12} direction="column" alignItems="stretch">
                    {numberField(field)}
                  </Grid.Item>
                ))}
              </Grid.Root>
            </Section>

            <Section
              title={t('settings.section.trustedDevices', 'Remembered devices')}
              description={t('settings.trustedDevices.hint', 'Users may ask, at a code step, that the device be remembered: its next logins then need only the password, until the device expires, the password changes, a factor is removed or the user or an admin revokes it. Switching this off forgets every remembered device.')}
            >
              <TrustedDevicesSettings
                value={values.trustedDevices}
                range={view.limits.trustedDevicesDays}
                readOnly={readOnly}
                error={problemText(problemOf('trustedDevices.days'))}
                onChange={(trustedDevices) => set({ trustedDevices })}
              />
            </Section>
          </Flex>
        </Layouts.Content>
      </form>
    </Page.Main>
  );
};

const Section = ({ title, description, children }: { title: string; description?: string; children: React.ReactNode }) => (
  <Box background="neutral0" hasRadius shadow="filterShadow" paddingTop={6} paddingBottom={6} paddingLeft={7} paddingRight={7}>
    <Flex direction="column" alignItems="stretch" gap={4}>
      <Typography variant="delta" tag="h2">
        {title}
      </Typography>
      {description && (
        <Typography variant="pi" textColor="neutral600">
          {description}
        </Typography>
      )}
      {children}
    </Flex>
  </Box>
);

export const ProtectedSettingsPage = () => (
  <Page.Protect permissions={PERMISSIONS.readSettings}>
    <SettingsPage />
  </Page.Protect>
);

export default ProtectedSettingsPage;
