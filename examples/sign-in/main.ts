import { createTwoFactorClient, TwoFactorError, type SecondFactorStep, type SignedIn } from 'strapi-plugin-two-factor/client';

/**
 * A sign-in page on its own origin that uses nothing but the plugin's client: the password, the
 * second factor (with "remember this device"), and once signed in, turning on an authenticator app.
 * The Strapi URL comes from config.js, which the example's server writes.
 */
declare global {
  interface Window {
    STRAPI_URL: string;
  }
}

const client = createTwoFactorClient({ url: window.STRAPI_URL, credentials: 'include' });

const $ = <T extends HTMLElement>(selector: string) => document.querySelector(selector) as T;
const passwordForm = $<HTMLFormElement>('#password-form');
const codeForm = $<HTMLFormElement>('#code-form');
const enrolForm = $<HTMLFormElement>('#enrol-form');
const signedInView = $<HTMLElement>('#signed-in');
const message = $<HTMLElement>('#message');
const notice = $<HTMLElement>('#notice');

let step: SecondFactorStep | null = null;

const say = (text: string, kind: 'error' | 'notice' = 'error') => {
  message.textContent = kind === 'error' ? text : '';
  notice.textContent = kind === 'notice' ? text : '';
};
const show = (view: HTMLElement) => {
  for (const element of [passwordForm, codeForm, signedInView]) element.hidden = element !== view;
};
const field = (form: HTMLFormElement, name: string) => form.elements.namedItem(name) as HTMLInputElement;

/** What a UI says for each error code; the server's message is for developers. */
function explain(error: unknown): string {
  if (!TwoFactorError.is(error)) throw error;
  switch (error.code) {
    case 'INVALID_CODE':
      return 'That code did not work. Check it and try again.';
    case 'LOCKED': {
      const minutes = Math.max(1, Math.ceil((error.retryAfter ?? 60) / 60));
      return `Too many wrong codes: locked, try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
    }
    case 'PENDING_EXPIRED':
      show(passwordForm);
      return 'The sign-in took too long. Enter your password again.';
    case 'INVALID_INPUT':
      return 'Wrong email or password.';
    case 'NETWORK_ERROR':
      return 'The server cannot be reached.';
    default:
      return error.message;
  }
}

async function showSignedIn(result: SignedIn) {
  step = null;
  show(signedInView);
  $('#welcome').textContent = `Signed in as ${result.user.username}`;
  const status = await client.status();
  $('#status').textContent = status.enabled ? `Two-factor is on: ${status.methods.join(', ')}` : 'Two-factor is off';
  $('#enable-totp').hidden = status.methods.includes('totp');
  const list = $('#devices');
  list.replaceChildren();
  if (status.enabled) {
    for (const device of await client.devices.list()) {
      const item = document.createElement('li');
      item.textContent = `${device.label}${device.current ? ' (this device)' : ''}`;
      list.append(item);
    }
  }
}

passwordForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    const result = await client.login({ identifier: field(passwordForm, 'identifier').value, password: field(passwordForm, 'password').value });
    say('', 'notice');
    if (result.status === 'signed-in') return await showSignedIn(result);
    if (result.status === 'setup-required') return say('Your account must set up two-factor first: ask an administrator.');
    step = result;
    $('#code-prompt').textContent = `Enter a code from: ${result.methods.join(', ')}`;
    $('#send-email').hidden = !result.methods.includes('email');
    codeForm.reset();
    show(codeForm);
  } catch (error) {
    say(explain(error));
  }
});

codeForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    const done = await step!.verify({ code: field(codeForm, 'code').value.trim(), trustDevice: field(codeForm, 'trustDevice').checked });
    say(done.deviceToken ? 'This device is remembered: next time, your password is enough.' : '', 'notice');
    await showSignedIn(done);
  } catch (error) {
    say(explain(error));
    field(codeForm, 'code').select();
  }
});

$('#send-email').addEventListener('click', async () => {
  try {
    say((await step!.send('email')).message, 'notice');
  } catch (error) {
    say(explain(error));
  }
});

$('#enable-totp').addEventListener('click', async () => {
  try {
    const enrolment = await client.enable({ method: 'totp' });
    enrolForm.querySelector('img')!.src = enrolment.qrCodeSvg;
    $('#secret').textContent = enrolment.secret;
    enrolForm.hidden = false;
  } catch (error) {
    say(explain(error));
  }
});

enrolForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    const confirmation = await client.confirm({ method: 'totp', code: field(enrolForm, 'code').value.trim() });
    enrolForm.hidden = true;
    if (confirmation.backupCodes) {
      $('#backup-codes').hidden = false;
      $('#backup-codes .codes').textContent = confirmation.backupCodes.join(' ');
    }
    say('Two-factor is on.', 'notice');
    await showSignedIn({ status: 'signed-in', jwt: client.session!.jwt, user: client.session!.user! });
  } catch (error) {
    say(explain(error));
  }
});

$('#sign-out').addEventListener('click', () => {
  client.signOut();
  passwordForm.reset();
  say('', 'notice');
  show(passwordForm);
});
