import * as React from 'react';
import { Field, Toggle } from '@strapi/design-system';
import { useT } from '../utils/useT';

/** An on/off setting with its label and hint, as the settings page shows each switch. */
export const ToggleField = ({
  name,
  label,
  hint,
  checked,
  disabled,
  onChange,
}: {
  name: string;
  label: string;
  hint: string;
  checked: boolean;
  disabled: boolean;
  onChange: (checked: boolean) => void;
}) => {
  const { t } = useT();
  return (
    <Field.Root name={name} hint={hint}>
      <Field.Label>{label}</Field.Label>
      <Toggle
        name={name}
        checked={checked}
        disabled={disabled}
        onLabel={t('settings.on', 'On')}
        offLabel={t('settings.off', 'Off')}
        onChange={(e: React.ChangeEvent<HTMLInputElement>) => onChange(e.target.checked)}
      />
      <Field.Hint />
    </Field.Root>
  );
};
