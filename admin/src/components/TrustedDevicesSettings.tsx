import * as React from 'react';
import { Field, Grid, NumberInput } from '@strapi/design-system';
import { ToggleField } from './ToggleField';
import { useT } from '../utils/useT';
import type { Settings } from '../utils/types';

type Value = Settings['trustedDevices'];

/** The remembered-devices settings: the switch and how many days a device stays trusted. */
export const TrustedDevicesSettings = ({
  value,
  range: [min, max],
  readOnly,
  error,
  onChange,
}: {
  value: Value;
  range: [number, number];
  readOnly: boolean;
  error?: string;
  onChange: (value: Value) => void;
}) => {
  const { t } = useT();
  return (
    <Grid.Root gap={6}>
      <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
        <ToggleField
          name="trustedDevices.enabled"
          label={t('settings.trustedDevices.enabled', 'Remember devices')}
          hint={t('settings.trustedDevices.enabled.hint', 'Lets users skip the code on a device they choose to remember.')}
          checked={value.enabled}
          disabled={readOnly}
          onChange={(enabled) => onChange({ ...value, enabled })}
        />
      </Grid.Item>
      <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
        <Field.Root
          name="trustedDevices.days"
          error={error}
          hint={`${t('settings.trustedDevices.days.hint', 'How long a device stays remembered. Lowering it shortens devices already remembered.')} ${t('settings.range', '({min} to {max})', { min, max })}`}
        >
          <Field.Label>{t('settings.trustedDevices.days', 'Days a device is remembered')}</Field.Label>
          <NumberInput
            name="trustedDevices.days"
            value={value.days}
            disabled={readOnly}
            onValueChange={(days) => onChange({ ...value, days: days as number })}
          />
          <Field.Hint />
          <Field.Error />
        </Field.Root>
      </Grid.Item>
    </Grid.Root>
  );
};
