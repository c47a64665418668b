import { errors } from '@strapi/utils';

/**
 * An email or SMS could not be delivered (SMTP server or SMS provider down or refusing): the
 * caller gets 503 with this message (REST: the error-answers middleware; Strapi has no 503
 * class of its own). Never carries the code or the provider's raw answer.
 */
export class ServiceUnavailableError extends errors.ApplicationError<'ServiceUnavailableError', string, Record<string, unknown>> {
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, details);
    this.name = 'ServiceUnavailableError';
  }
}
