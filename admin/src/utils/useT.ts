import { useIntl } from 'react-intl';
import { PLUGIN_ID } from '../pluginId';

type Values = Record<string, string | number | Date | null | undefined>;

/** The plugin's messages: ids are prefixed with the plugin id, as registerTrads stores them. */
export const useT = () => {
  const { formatMessage, formatDate, formatTime, formatList } = useIntl();
  const t = (id: string, defaultMessage: string, values?: Values) =>
    formatMessage({ id: `${PLUGIN_ID}.${id}`, defaultMessage }, values as any) as string;
  const date = (iso: string) => formatDate(iso);
  const time = (iso: string) => formatTime(iso, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  const dateTime = (iso: string) => `${date(iso)} ${time(iso)}`;
  /** `a`, `a and b`, `a, b and c` in the admin's language. */
  const list = (items: string[]) => formatList(items, { type: 'conjunction' }) as string;
  return { t, date, time, dateTime, list };
};
