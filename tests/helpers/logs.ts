import { createRequire } from 'node:module';
import path from 'node:path';
import type { Core } from '@strapi/strapi';

// The winston Strapi itself logs with (resolved from the host app, like Strapi).
const appRequire = createRequire(path.resolve(__dirname, '..', 'app', 'package.json'));
const Transport = appRequire('winston-transport') as new (options?: object) => { log?: unknown };

/** Every line Strapi logs from now on (all levels), so tests can check what never appears. */
export function captureLogs(strapi: Core.Strapi) {
  const lines: string[] = [];
  class Collector extends (Transport as any) {
    log(info: any, callback: () => void) {
      lines.push(`${info.level} ${typeof info.message === 'string' ? info.message : JSON.stringify(info.message)} ${info.stack ?? ''}`);
      callback();
    }
  }
  const transport = new (Collector as any)({ level: 'silly' });
  const logger = strapi.log as any;
  const previousLevel = logger.level;
  // The collector hears every level; the console keeps printing only what it printed before.
  const quieted = (logger.transports as any[]).filter((t) => t.level === undefined);
  for (const t of quieted) t.level = previousLevel;
  logger.level = 'silly';
  logger.add(transport);
  return {
    lines,
    text: () => lines.join('\n'),
    stop() {
      logger.remove(transport);
      logger.level = previousLevel;
      for (const t of quieted) t.level = undefined;
    },
  };
}
