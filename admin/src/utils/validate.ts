import { METHODS } from '../../../server/src/vocabulary';
import { NUMBER_FIELDS, type NumberField, type Settings, type SettingsView } from './types';

export type Problem =
  | { field: NumberField | 'trustedDevices.days'; kind: 'range'; min: number; max: number }
  | { field: 'issuer'; kind: 'issuer' }
  | { field: 'enforcedRoles'; kind: 'noMethod' };

/**
 * The page's own check before it saves, with the limits the server answered: the same rules as
 * services/settings.ts, so the operator sees the problem at the field. The server checks again.
 */
export const validateSettings = (values: Settings, limits: SettingsView['limits']): Problem[] => {
  const problems: Problem[] = [];
  for (const field of NUMBER_FIELDS) {
    const [min, max] = limits[field];
    const value = values[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      problems.push({ field, kind: 'range', min, max });
    }
  }
  const [min, max] = limits.trustedDevicesDays;
  const { days } = values.trustedDevices;
  if (!Number.isInteger(days) || days < min || days > max) problems.push({ field: 'trustedDevices.days', kind: 'range', min, max });
  if (!values.issuer.trim() || values.issuer.length > 64) problems.push({ field: 'issuer', kind: 'issuer' });
  if (values.enforcedRoles.length && !METHODS.some((m) => values.methods[m])) {
    problems.push({ field: 'enforcedRoles', kind: 'noMethod' });
  }
  return problems;
};
