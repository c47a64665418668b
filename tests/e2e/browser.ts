import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Headless Debian chromium, as the developers' guide prescribes, and where screenshots go. */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve(__dirname, 'screenshots');

export const launch = (): Promise<Browser> => {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`No chromium at ${CHROMIUM}: apt-get install -y chromium`);
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
};

/** The page down to the end of its content (the admin scrolls inside a full-height frame). */
export async function screenshot(page: Page, name: string) {
  const viewport = page.viewportSize()!;
  // Let dialogs and notifications finish fading in (bounded: a spinner animates forever).
  await page.evaluate(() =>
    Promise.race([Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined))), new Promise((r) => setTimeout(r, 1500))])
  );
  const bottom = await page.evaluate(() =>
    Math.max(0, ...Array.from(document.querySelectorAll('main *, [role="alertdialog"]')).map((el) => el.getBoundingClientRect().bottom))
  );
  const height = Math.min(viewport.height, Math.max(600, Math.ceil(bottom) + 48));
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), clip: { x: 0, y: 0, width: viewport.width, height } });
}

/** Signs into the admin panel through its login form. */
export async function signIn(page: Page, base: string, email: string, password: string) {
  await page.goto(`${base}/admin/auth/login`);
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="password"]').fill(password);
  await page.getByRole('button', { name: 'Login' }).click();
  await page.waitForURL((url) => !url.pathname.includes('/auth/'), { timeout: 60000 });
  // Strapi's own announcement banner would sit on top of every screenshot.
  const banner = page.getByText('Introducing the new Media Library');
  if (await banner.waitFor({ state: 'visible', timeout: 5000 }).then(() => true, () => false)) {
    await banner.locator('xpath=ancestor::*[.//button][1]').getByRole('button').last().click().catch(() => undefined);
  }
}
