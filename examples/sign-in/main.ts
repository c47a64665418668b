import * as webauthn from '@simplewebauthn/browser';
import {
  createTwoFactorClient,
  TwoFactorError,
  type FactorMethod,
  type Passkey,
  type SecondFactorStep,
  type Session,
  type SignedIn,
} from 'strapi-plugin-two-factor/client';

/**
 * A sign-in page on its own origin that uses nothing but the plugin's client: the password; the
 * second factor by authenticator app, emailed or texted code, or backup code (with "remember this
 * device"); and once signed in, an authenticator app with its QR code and backup codes, the
 * remembered devices, and turning two-factor off with a current code (step-up). Passkeys: added,
 * renamed and removed in the account view, "Use a passkey" as the second step, and "Sign in with a
 * passkey" without a password (where the site allows it). @simplewebauthn/browser is bundled with
 * the page and handed to the client.
 * The Strapi URL and whether the site offers passkeys come from config.js, which the example's server writes.
 */
declare global {
  interface Window {
    STRAPI_URL: string;
    /** What the site offers (its operator's settings): false, true, or 'passwordless'. */
    PASSKEYS?: boolean | 'passwordless';
  }
}

const client = createTwoFactorClient({ url: window.STRAPI_URL, credentials: 'include', webauthn });
/** The site offers passkeys and this browser can run their ceremonies. */
const canUsePasskeys = Boolean(window.PASSKEYS) && webauthn.browserSupportsWebAuthn();

const $ = <T extends HTMLElement = HTMLElement>(selector: string) => document.querySelector(selector) as T;
const passwordForm = $<HTMLFormElement>('#password-form');
const codeForm = $<HTMLFormElement>('#code-form');
const enrolForm = $<HTMLFormElement>('#enrol-form');
const disableForm = $<HTMLFormElement>('#disable-form');
const signedInView = $('#signed-in');
const message = $('#message');
const notice = $('#notice');
const methodSelect = codeForm.elements.namedItem('method') as HTMLSelectElement;
const sendButton = $<HTMLButtonElement>('#send-code');
const verifyButton = codeForm.querySelector<HTMLButtonElement>('button[type="submit"]')!;
const passkeyForm = $<HTMLFormElement>('#passkey-form');
const passkeyRemoveForm = $<HTMLFormElement>('#passkey-remove-form');

const LABELS: Partial<Record<FactorMethod, string>> = {
  totp: 'Authenticator app',
  email: 'Email',
  sms: 'Text message',
  backup_code: 'Backup code',
  passkey: 'Passkey',
};
const DATE = new Intl.DateTimeFormat('en', { dateStyle: 'medium' });

let step: SecondFactorStep | null = null;
/** The passkey waiting for a current code before it is removed. */
let removing: Passkey | null = null;
/** What the second step was answered with last, for the message of a refusal. */
let answeredWith: 'code' | 'passkey' = 'code';
/** The account's methods, as the last status said. */
let accountMethods: FactorMethod[] = [];
let lockTimer: ReturnType<typeof setInterval> | undefined;

const say = (text: string, kind: 'error' | 'notice' = 'error') => {
  message.textContent = kind === 'error' ? text : '';
  notice.textContent = kind === 'notice' ? text : '';
};
const show = (view: HTMLElement) => {
  for (const element of [passwordForm, codeForm, signedInView]) element.hidden = element !== view;
  $('h1').textContent = view === signedInView ? 'Your account' : view === codeForm ? 'Two-step verification' : 'Sign in';
};
const field = (form: HTMLFormElement, name: string) => form.elements.namedItem(name) as HTMLInputElement;

/** "Locked, try again in N minutes", counted down until the lock ends; Verify waits for it. */
function showLock(seconds: number) {
  const until = Date.now() + seconds * 1000;
  clearInterval(lockTimer);
  const tick = () => {
    const left = until - Date.now();
    verifyButton.disabled = left > 0;
    if (left <= 0) {
      clearInterval(lockTimer);
      return say('You can try again now.', 'notice');
    }
    const minutes = Math.ceil(left / 60_000);
    say(`Too many wrong codes: locked, try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`);
  };
  tick();
  lockTimer = setInterval(tick, 1_000);
}

/** What a UI says for each error code; the server's message is for developers. */
function explain(error: unknown): string {
  if (!TwoFactorError.is(error)) throw error;
  switch (error.code) {
    case 'INVALID_CODE':
      return answeredWith === 'passkey' ? 'That passkey was not accepted. Try it again, or enter a code.' : 'That code did not work. Check it and try again.';
    case 'PASSKEY_CANCELLED':
      return 'No passkey was used: this browser has none for this site, or the request was cancelled.';
    case 'PASSKEY_INVALID':
      return 'That passkey is not known here (it may have been removed). Sign in with your password.';
    case 'PASSKEY_LIMIT':
      return 'You already have 10 passkeys: remove one first.';
    case 'PASSWORDLESS_OFF':
      $('#passkey-sign-in').hidden = true;
      return 'This site does not offer sign-in with a passkey alone: use your password.';
    case 'PASSKEYS_UNAVAILABLE':
      return 'This page cannot use passkeys.';
    case 'PENDING_EXPIRED':
      step = null;
      show(passwordForm);
      return 'The sign-in took too long. Enter your password again.';
    case 'INVALID_INPUT':
      return 'Wrong email or password.';
    case 'RESEND_TOO_SOON':
    case 'SEND_LIMIT':
      return `A code was sent just now: wait ${error.retryAfter ?? 30} seconds before asking again.`;
    case 'NETWORK_ERROR':
      return 'The server cannot be reached.';
    default:
      return error.message;
  }
}

/** Runs an action of the page; its failure is told in the message line. */
const attempt = (action: () => Promise<unknown>) => async (event?: Event) => {
  event?.preventDefault();
  try {
    await action();
  } catch (error) {
    if (TwoFactorError.is(error, 'LOCKED')) showLock(error.retryAfter ?? 60);
    else say(explain(error));
  }
};

function chooseMethod() {
  const method = methodSelect.value as FactorMethod;
  sendButton.hidden = method !== 'email' && method !== 'sms';
  sendButton.textContent = method === 'sms' ? 'Text me a code' : 'Email me a code';
  field(codeForm, 'code').inputMode = method === 'backup_code' ? 'text' : 'numeric';
}

function askSecondFactor(result: SecondFactorStep) {
  step = result;
  codeForm.reset();
  verifyButton.disabled = false;
  // The codes go in the list; a passkey has its own button.
  const methods = result.methods.filter((method) => LABELS[method] && method !== 'passkey');
  methodSelect.replaceChildren(...methods.map((method) => new Option(LABELS[method], method)));
  const passkey = webauthn.browserSupportsWebAuthn() && result.methods.includes('passkey');
  $('#use-passkey').hidden = !passkey;
  $('#or-code').hidden = !passkey;
  $('#code-prompt').textContent = passkey
    ? 'Use your passkey, or a code from: ' + methods.map((method) => LABELS[method]).join(', ')
    : `Enter a code from: ${methods.map((method) => LABELS[method]).join(', ')}`;
  chooseMethod();
  show(codeForm);
}

async function showSignedIn(result: Pick<SignedIn, 'user'> | Session = client.session!) {
  step = null;
  show(signedInView);
  $('#welcome').textContent = `Signed in as ${result.user?.username}`;
  const status = await client.status();
  accountMethods = status.methods;
  $('#status').textContent = status.enabled
    ? `Two-factor is on: ${status.methods.map((method) => LABELS[method] ?? method).join(', ')}; ${status.backupCodesRemaining} backup codes left`
    : 'Two-factor is off';
  $('#enable-totp').hidden = status.methods.includes('totp') || !enrolForm.hidden;
  $('#disable').hidden = !status.enabled;
  $('#devices-panel').hidden = !status.enabled;
  disableForm.hidden = true;
  $('#passkeys-panel').hidden = !canUsePasskeys;
  if (status.enabled) await listDevices();
  if (canUsePasskeys) await listPasskeys();
}

/** The user's passkeys, each with Rename and Remove. */
async function listPasskeys() {
  const passkeys = await client.passkeys.list();
  passkeyRemoveForm.hidden = true;
  passkeyForm.hidden = false;
  const items = passkeys.map((passkey) => {
    const item = document.createElement('li');
    const text = document.createElement('span');
    text.className = 'passkey';
    const used = passkey.lastUsedAt ? `last used ${DATE.format(new Date(passkey.lastUsedAt))}` : 'not used yet';
    text.append(
      Object.assign(document.createElement('strong'), { textContent: passkey.name || 'Passkey' }),
      Object.assign(document.createElement('small'), { className: 'muted', textContent: `Added ${DATE.format(new Date(passkey.createdAt))} · ${used}` })
    );
    const actions = document.createElement('span');
    actions.className = 'actions';
    const rename = button('Rename', 'secondary');
    rename.addEventListener('click', () => renameInline(item, passkey));
    const remove = button('Remove', 'danger');
    remove.addEventListener('click', attempt(() => removePasskey(passkey)));
    actions.append(rename, remove);
    item.append(text, actions);
    return item;
  });
  if (!items.length) {
    const none = document.createElement('li');
    none.className = 'muted';
    none.textContent = 'No passkey yet. A passkey signs you in with this device\'s screen lock, without a code.';
    items.push(none);
  }
  $('#passkeys').replaceChildren(...items);
}

const button = (label: string, className: string) =>
  Object.assign(document.createElement('button'), { type: 'button', className, textContent: label });

/** The passkey's line becomes a name field with Save. */
function renameInline(item: HTMLLIElement, passkey: Passkey) {
  const form = document.createElement('form');
  form.className = 'actions';
  form.style.flex = '1';
  const input = Object.assign(document.createElement('input'), { type: 'text', value: passkey.name, maxLength: 64, required: true });
  input.setAttribute('aria-label', `New name of ${passkey.name}`);
  const save = button('Save', '');
  save.type = 'submit';
  form.append(input, save, Object.assign(button('Cancel', 'secondary'), { onclick: () => listPasskeys() }));
  form.addEventListener(
    'submit',
    attempt(async () => {
      const name = input.value.trim();
      if (!name) return say('Give the passkey a name.');
      const renamed = await client.passkeys.rename(passkey.id, name);
      say(`The passkey is now called ${renamed.name}.`, 'notice');
      await listPasskeys();
    })
  );
  item.replaceChildren(form);
  input.select();
}

/** Where the account's current codes come from, for a step-up prompt. */
const codeSources = () => {
  const apps = accountMethods.filter((method) => method !== 'passkey' && method !== 'backup_code').map((method) => LABELS[method]!.toLowerCase());
  return apps.length ? `enter a code (${apps.join(', ')}) or a backup code` : 'enter one of your backup codes';
};

/** Removes a passkey; outside a fresh sign-in the server asks for a current code first. */
async function removePasskey(passkey: Passkey, code?: string) {
  try {
    await client.passkeys.delete(passkey.id, code ? { code } : {});
  } catch (error) {
    if (!TwoFactorError.is(error, 'STEP_UP_REQUIRED')) throw error;
    removing = passkey;
    passkeyRemoveForm.reset();
    $('#passkey-remove-prompt').textContent = `To remove ${passkey.name}, confirm it is you: ${codeSources()}.`;
    passkeyRemoveForm.hidden = false;
    passkeyForm.hidden = true;
    field(passkeyRemoveForm, 'code').focus();
    return say('', 'notice');
  }
  removing = null;
  passkeyForm.hidden = false;
  say(`${passkey.name} is removed: it no longer signs you in.`, 'notice');
  await showSignedIn();
}

async function listDevices() {
  const devices = await client.devices.list();
  const items = devices.map((device) => {
    const item = document.createElement('li');
    const text = document.createElement('span');
    text.textContent = `${device.label}${device.current ? ' (this device)' : ''}`;
    const forget = document.createElement('button');
    forget.type = 'button';
    forget.className = 'secondary';
    forget.textContent = 'Forget';
    forget.addEventListener(
      'click',
      attempt(async () => {
        await client.devices.revoke(device.id);
        say(`${device.label} is forgotten: it will be asked for a code again.`, 'notice');
        await listDevices();
      })
    );
    item.append(text, forget);
    return item;
  });
  if (!items.length) {
    const none = document.createElement('li');
    none.className = 'muted';
    none.textContent = 'No remembered device. Tick "Remember this device" when you sign in.';
    items.push(none);
  }
  $('#devices').replaceChildren(...items);
}

passwordForm.addEventListener(
  'submit',
  attempt(async () => {
    const result = await client.login({ identifier: field(passwordForm, 'identifier').value, password: field(passwordForm, 'password').value });
    say('', 'notice');
    if (result.status === 'signed-in') return showSignedIn(result);
    if (result.status === 'setup-required') return say('Your account must set up two-factor first: ask an administrator.');
    askSecondFactor(result);
  })
);

methodSelect.addEventListener('change', chooseMethod);

sendButton.addEventListener(
  'click',
  attempt(async () => {
    const method = methodSelect.value as 'email' | 'sms';
    await step!.send(method);
    say(method === 'sms' ? 'We texted you a code.' : 'We emailed you a code.', 'notice');
  })
);

codeForm.addEventListener(
  'submit',
  attempt(async () => {
    const method = methodSelect.value as FactorMethod;
    answeredWith = 'code';
    try {
      const done = await step!.verify({ code: field(codeForm, 'code').value.trim(), method, trustDevice: field(codeForm, 'trustDevice').checked });
      say(done.deviceToken ? 'This device is remembered: next time, your password is enough.' : '', 'notice');
      await showSignedIn(done);
    } finally {
      if (!codeForm.hidden) field(codeForm, 'code').select();
    }
  })
);

$('#enable-totp').addEventListener(
  'click',
  attempt(async () => {
    const enrolment = await client.enable({ method: 'totp' });
    enrolForm.querySelector('img')!.src = enrolment.qrCodeSvg;
    $('#secret').textContent = enrolment.secret;
    enrolForm.reset();
    enrolForm.hidden = false;
    $('#enable-totp').hidden = true;
    say('', 'notice');
  })
);

enrolForm.addEventListener(
  'submit',
  attempt(async () => {
    const confirmation = await client.confirm({ method: 'totp', code: field(enrolForm, 'code').value.trim() });
    enrolForm.hidden = true;
    if (confirmation.backupCodes) {
      $('#backup-codes .codes').replaceChildren(
        ...confirmation.backupCodes.map((code) => Object.assign(document.createElement('span'), { textContent: code }))
      );
      $('#backup-codes').hidden = false;
    }
    say('Two-factor is on: your next sign-in asks for a code from the app.', 'notice');
    await showSignedIn();
  })
);

$('#codes-saved').addEventListener('click', () => {
  // Shown once: the page keeps no copy.
  $('#backup-codes .codes').replaceChildren();
  $('#backup-codes').hidden = true;
});

$('#disable').addEventListener(
  'click',
  attempt(async () => {
    try {
      await client.disable();
    } catch (error) {
      if (!TwoFactorError.is(error, 'STEP_UP_REQUIRED')) throw error;
      // Outside a fresh sign-in, turning it off needs a current code.
      disableForm.reset();
      disableForm.hidden = false;
      $('#disable').hidden = true;
      return say('', 'notice');
    }
    say('Two-factor is off.', 'notice');
    await showSignedIn();
  })
);

disableForm.addEventListener(
  'submit',
  attempt(async () => {
    await client.disable({ code: field(disableForm, 'code').value.trim() });
    say('Two-factor is off.', 'notice');
    await showSignedIn();
  })
);

$('#passkey-sign-in').hidden = !canUsePasskeys || window.PASSKEYS !== 'passwordless';
$('#passkey-sign-in').addEventListener(
  'click',
  attempt(async () => {
    say('', 'notice');
    const result = await client.passkeys.signIn();
    if (result.status === 'signed-in') return showSignedIn(result);
    // A passkey with user verification is both factors: the server answers with the session.
    say('Finish signing in with your password.');
  })
);

$('#use-passkey').addEventListener(
  'click',
  attempt(async () => {
    answeredWith = 'passkey';
    const done = await step!.passkey({ trustDevice: field(codeForm, 'trustDevice').checked });
    say(done.deviceToken ? 'This device is remembered: next time, your password is enough.' : '', 'notice');
    await showSignedIn(done);
  })
);

passkeyForm.addEventListener(
  'submit',
  attempt(async () => {
    const name = field(passkeyForm, 'name').value.trim() || undefined;
    const code = field(passkeyForm, 'code').value.trim() || undefined;
    try {
      const added = await client.passkeys.register({ name, code });
      passkeyForm.reset();
      $('#passkey-code').hidden = true;
      if (added.backupCodes) {
        $('#backup-codes .codes').replaceChildren(
          ...added.backupCodes.map((code) => Object.assign(document.createElement('span'), { textContent: code }))
        );
        $('#backup-codes').hidden = false;
      }
      say(`Passkey ${added.name} added: use it at your next sign-in.`, 'notice');
      await showSignedIn();
    } catch (error) {
      if (!TwoFactorError.is(error, 'STEP_UP_REQUIRED')) throw error;
      // Adding a factor outside a fresh sign-in needs a current code.
      $('#passkey-code').hidden = false;
      field(passkeyForm, 'code').focus();
      say(`To add a passkey, confirm it is you: ${codeSources()}.`);
    }
  })
);

passkeyRemoveForm.addEventListener(
  'submit',
  attempt(() => removePasskey(removing!, field(passkeyRemoveForm, 'code').value.trim()))
);
$('#passkey-remove-cancel').addEventListener('click', () => {
  removing = null;
  passkeyRemoveForm.hidden = true;
  passkeyForm.hidden = false;
});

$('#sign-out').addEventListener('click', () => {
  client.signOut();
  passwordForm.reset();
  passkeyForm.reset();
  $('#passkey-code').hidden = true;
  // Nothing of the account stays on the page.
  for (const id of ['#welcome', '#status', '#devices', '#passkeys']) $(id).replaceChildren();
  enrolForm.hidden = true;
  $('#backup-codes').hidden = true;
  say('', 'notice');
  show(passwordForm);
});
