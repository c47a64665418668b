import { useIntl } from 'react-intl';
import { PLUGIN_ID } from '../pluginId';

type Values = Record<string, string | number | Date | null | undefined>;

/** The plugin's messages: ids are prefixed with the plugin id, as registerTrads stores them. */
export const useT = () => {
  const { formatMessage, formatDate, formatTime } = useIntl();
  const t = (id: string, defaultMessage: string, values?: Values) =>
    formatMessage({ id: `${PLUGIN_ID}.${id}`, defaultMessage }, values as any) as string;
  const dateTime = (iso: string) => `${formatDate(iso)} ${formatTime(iso, { hour: '2-digit', minute: '2-digit', second: '2-digit' })}`;
  return { t, dateTime };
};
