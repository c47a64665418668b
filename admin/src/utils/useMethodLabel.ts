import { useT } from './useT';

/** A method's name as operators read it; the audit log also names backup codes. */
export const useMethodLabel = () => {
  const { t } = useT();
  return (method: string) =>
    ({
      totp: t('method.totp', 'Authenticator app'),
      email: t('method.email', 'Email'),
      sms: t('method.sms', 'SMS'),
      backup_code: t('method.backup_code', 'Backup code'),
    })[method] ?? method;
};
