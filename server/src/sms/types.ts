/** The SMS provider interface: one text message to one E.164 number. */
export interface SmsMessage {
  to: string;
  body: string;
}

export interface SmsProvider {
  send(message: SmsMessage): Promise<void>;
}

export interface ProviderContext {
  /** Where the console provider writes; the others never log a message body. */
  log: (line: string) => void;
}

/** A failed delivery, with a reason that is safe to log (never the message body). */
export class SmsDeliveryFailure extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'SmsDeliveryFailure';
  }
}

export const DEFAULT_TIMEOUT_MS = 10_000;

export const timeoutOf = (options: Record<string, unknown>): number =>
  Number.isInteger(options.timeout) && (options.timeout as number) > 0 ? (options.timeout as number) : DEFAULT_TIMEOUT_MS;

/** fetch, with its network errors and time-outs turned into a loggable reason. */
export async function post(url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const name = (error as Error).name;
    if (name === 'TimeoutError' || name === 'AbortError') throw new SmsDeliveryFailure(`no answer within ${timeoutMs} ms`);
    throw new SmsDeliveryFailure(cause?.code || cause?.message || (error as Error).message);
  }
}
