import { METHOD_LABELS, isFactorMethod } from '../../../server/src/vocabulary';
import { useT } from './useT';

/** A method's name as operators read it (ids method.<method>); the audit log also names backup codes. */
export const useMethodLabel = () => {
  const { t } = useT();
  return (method: string) => (isFactorMethod(method) ? t(`method.${method}`, METHOD_LABELS[method]) : method);
};
