// Logging in with a client certificate in a real browser (chromium): what people see, WCAG 2.1 AA
// (axe), keyboard access, and logging out through the real form.
import path from 'node:path';
import { expect, test } from '../support/browser.mjs';
import { repoRoot } from '../support/server.mjs';

test.describe('logging in', () => {
  test('contact sees the dashboard of Voorbeeld B.V. and it is accessible', async ({ loginAs, portal, expectAccessible }) => {
    const page = await loginAs('contact');
    const response = await page.goto(`${portal.origin}/`);
    expect(response.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Welkom, Sanne Jansen');
    await expect(page.getByRole('main')).toContainText('Voorbeeld B.V.');
    await expect(page.getByRole('main')).toContainText('Contactpersoon');
    await expect(page).toHaveTitle(/MijnCertificaten/);
    await page.screenshot({ path: path.join(repoRoot, 'test-results', 'dashboard-contact.png'), fullPage: true });
    await expectAccessible(page, 'contact dashboard');
  });

  test('stranger sees why they cannot log in, and the page is accessible', async ({ loginAs, portal, expectAccessible }) => {
    const page = await loginAs('stranger');
    const response = await page.goto(`${portal.origin}/`);
    expect(response.status()).toBe(403);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('U bent niet bekend bij MijnCertificaten');
    await expect(page.locator('body')).not.toContainText('Voorbeeld B.V.');
    await expectAccessible(page, 'stranger refusal page');
  });

  test('without a certificate the login instructions are shown, and they are accessible', async ({ loginAs, portal, expectAccessible }) => {
    const page = await loginAs(null);
    const response = await page.goto(`${portal.origin}/`);
    expect(response.status()).toBe(401);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Inloggen bij MijnCertificaten');
    await expectAccessible(page, 'login page');
  });

  test('the stylesheet is loaded (the page is styled)', async ({ loginAs, portal }) => {
    const page = await loginAs('contact');
    const failed = [];
    page.on('response', (r) => r.url().includes('/static/') && r.status() !== 200 && failed.push(`${r.status()} ${r.url()}`));
    await page.goto(`${portal.origin}/`);
    expect(failed).toEqual([]);
    const sheets = await page.evaluate(() => [...document.styleSheets].filter((s) => s.href && s.cssRules.length > 0).length);
    expect(sheets).toBeGreaterThan(0);
  });
});

test.describe('keyboard', () => {
  test('the skip link is the first focusable element and moves focus to the content', async ({ loginAs, portal }) => {
    const page = await loginAs('contact');
    await page.goto(`${portal.origin}/`);
    await page.bringToFront(); // keyboard focus is in the page, not in the browser window
    await page.keyboard.press('Tab');
    const focused = page.locator(':focus');
    await expect(focused).toHaveText('Direct naar de inhoud');
    await expect(focused).toBeVisible();
    await page.keyboard.press('Enter');
    await expect(page).toHaveURL(/#inhoud$/);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('inhoud');
  });
});

test.describe('in the browser', () => {
  test('the contact logs out with the logout button', async ({ loginAs, portal }) => {
    const page = await loginAs('contact');
    await page.goto(`${portal.origin}/`);
    await page.getByRole('button', { name: 'Uitloggen' }).click();
    await expect(page.locator('body')).toContainText('U bent uitgelogd');
    const cookies = await page.context().cookies(portal.origin);
    expect(cookies.map((c) => c.name)).not.toContain('__Host-mc_session');
  });

  test('the language link switches the dashboard to English', async ({ loginAs, portal }) => {
    const page = await loginAs('contact');
    await page.goto(`${portal.origin}/`);
    await page.getByRole('link', { name: 'English' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Welcome, Sanne Jansen');
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  });
});
