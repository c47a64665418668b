// TOTP codes for the bench's users. The server takes each (user, 30 s step) once and only
// steps within ±1 of now, so a loop of logins needs many users: this book hands out, per user,
// the oldest step that is still usable and newer than the last one given for that user.
import { generateSync } from 'otplib';

const PERIOD = 30;
const nowStep = () => Math.floor(Date.now() / 1000 / PERIOD);

export const codeAt = (secret, step) => generateSync({ secret, algorithm: 'sha1', digits: 6, period: PERIOD, epoch: step * PERIOD });

export class CodeBook {
  /** `users`: [{ secret, lastStep }], lastStep being the step that confirmed the enrolment. */
  constructor(users) {
    this.users = users;
    this.cursor = 0;
  }

  /**
   * The next user that has a code left right now, with that code, or null when every user has
   * used the current and next step. Never the previous step: it could expire on the way.
   */
  take() {
    const now = nowStep();
    for (let tried = 0; tried < this.users.length; tried += 1) {
      const user = this.users[this.cursor];
      this.cursor = (this.cursor + 1) % this.users.length;
      const step = Math.max(user.lastStep + 1, now);
      if (step <= now + 1) {
        user.lastStep = step;
        return { user, code: codeAt(user.secret, step) };
      }
    }
    return null;
  }

  /** A user with a code, waiting for the next step when all are used up. */
  async next() {
    for (;;) {
      const taken = this.take();
      if (taken) return taken;
      const wait = (nowStep() + 1) * PERIOD * 1000 - Date.now() + 50;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /** The next code of one user, waiting for the next step when theirs are used up. */
  async nextFor(user) {
    for (;;) {
      const now = nowStep();
      const step = Math.max(user.lastStep + 1, now);
      if (step <= now + 1) {
        user.lastStep = step;
        return { user, code: codeAt(user.secret, step) };
      }
      await new Promise((resolve) => setTimeout(resolve, (now + 1) * PERIOD * 1000 - Date.now() + 50));
    }
  }

  /** Hands out no more codes of `user` (e.g. an account the bench locked). */
  retire(user) {
    const at = this.users.indexOf(user);
    if (at === -1) return;
    this.users.splice(at, 1);
    if (this.cursor > at) this.cursor -= 1;
    this.cursor %= Math.max(1, this.users.length);
  }

  /** How many codes can be handed out right now without waiting. */
  available() {
    const now = nowStep();
    return this.users.reduce((sum, user) => sum + Math.max(0, now + 1 - Math.max(user.lastStep, now - 1)), 0);
  }
}

/** A 6-digit code that is none of the secret's codes in the ±1 window: always wrong. */
export function wrongCode(secret) {
  const now = nowStep();
  const valid = new Set([now - 1, now, now + 1, now + 2].map((step) => codeAt(secret, step)));
  for (;;) {
    const code = String(Math.floor(Math.random() * 1e6)).padStart(6, '0');
    if (!valid.has(code)) return code;
  }
}

export const currentStep = nowStep;
