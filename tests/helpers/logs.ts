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

export interface LogLine {
  level: string;
  text: string;
}

/**
 * What a test app logged, kept instead of printed (a passing run prints no expected
 * error). A suite that provokes log lines declares them with `expect(pattern)`: they are then
 * asserted — `settle()` fails when a declared pattern never matched — and not printed. Warnings
 * and errors nobody declared are printed when the app stops, so a surprise still shows.
 * `TEST_LOGS=all` prints everything as it comes, as Strapi would.
 */
export class LogBook {
  readonly lines: LogLine[] = [];
  private readonly expected: { pattern: RegExp; seen: number }[] = [];

  record(level: string, text: string) {
    this.lines.push({ level, text });
    for (const e of this.expected) if (e.pattern.test(text)) e.seen += 1;
  }

  /** Lines matching `pattern` are expected here: asserted to appear (once or more), not printed. */
  expect(pattern: RegExp) {
    this.expected.push({ pattern, seen: this.lines.filter((l) => pattern.test(l.text)).length });
    return this;
  }

  /**
   * Lines matching `pattern` may appear here (not printed, not required): for lines a test asserts
   * itself, or that come after the answer (a notice a refusing mail server turned down).
   */
  allow(pattern: RegExp) {
    this.expected.push({ pattern, seen: 1 });
    return this;
  }

  /** The lines so far that match `pattern`. */
  matching(pattern: RegExp): string[] {
    return this.lines.filter((l) => pattern.test(l.text)).map((l) => l.text);
  }

  /** Resolves with the first line matching `pattern`, waiting up to `timeout` ms for it. */
  async waitFor(pattern: RegExp, timeout = 10_000): Promise<string> {
    const deadline = Date.now() + timeout;
    for (;;) {
      const [line] = this.matching(pattern);
      if (line !== undefined) return line;
      if (Date.now() > deadline) throw new Error(`no log line matched ${pattern} within ${timeout} ms:\n${this.text()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  text() {
    return this.lines.map((l) => `${l.level} ${l.text}`).join('\n');
  }

  /** Warnings and errors that no `expect` accounts for. */
  unexpected(): LogLine[] {
    return this.lines.filter((l) => /warn|error/.test(l.level) && !this.expected.some((e) => e.pattern.test(l.text)));
  }

  /** Prints the unexpected lines (short), and throws when an expected pattern never appeared. */
  settle(label: string) {
    const surprises = this.unexpected();
    if (surprises.length) {
      // One entry per distinct first line, with its count; the first one's stack, cut short.
      const groups = new Map<string, { line: LogLine; count: number }>();
      for (const line of surprises) {
        const key = `${line.level} ${line.text.split('\n')[0]}`;
        const group = groups.get(key);
        if (group) group.count += 1;
        else groups.set(key, { line, count: 1 });
      }
      const shown = [...groups.values()].map(
        ({ line, count }) => `  ${count > 1 ? `${count}× ` : ''}${line.level}: ${line.text.split('\n').slice(0, 6).join('\n    ')}`
      );
      console.warn(`${label} logged ${surprises.length} unexpected warning/error line(s):\n${shown.join('\n')}`);
    }
    const missing = this.expected.filter((e) => e.seen === 0).map((e) => String(e.pattern));
    if (missing.length) throw new Error(`${label}: expected log lines never appeared: ${missing.join(', ')}`);
  }
}

/**
 * Keeps what a Strapi instance logs in `book` from now on (its load included, when attached
 * before `load()`), and silences its console unless TEST_LOGS=all.
 */
export function keepLogs(strapi: Core.Strapi, book: LogBook) {
  class Keeper extends (Transport as any) {
    log(info: any, callback: () => void) {
      const message = typeof info.message === 'string' ? info.message : JSON.stringify(info.message);
      book.record(String(info.level), info.stack ? `${message}\n${info.stack}` : message);
      callback();
    }
  }
  const logger = strapi.log as any;
  if (process.env.TEST_LOGS !== 'all') for (const t of logger.transports as any[]) t.silent = true;
  logger.add(new (Keeper as any)());
}
