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

export const screenshot = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

/** Signs into the admin panel through its login form. */
export async function signIn(page: Page, base: string, email: string, password: string) {
  await page.goto(`${base}/admin/auth/login`);
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="password"]').fill(password);
  await page.getByRole('button', { name: 'Login' }).click();
  await page.waitForURL((url) => !url.pathname.includes('/auth/'), { timeout: 60000 });
  // Strapi's own announcement banner would sit on top of every screenshot.
  const banner = page.getByText('Introducing the new Media Library');
  if (await banner.isVisible({ timeout: 3000 }).catch(() => false)) {
    await banner.locator('xpath=ancestor::*[.//button][1]').getByRole('button').last().click().catch(() => undefined);
  }
}
