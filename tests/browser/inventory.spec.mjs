// The certificate inventory in a real browser: a contact person searches the server
// certificates of Voorbeeld B.V., opens one, downloads the overview as CSV and looks at the
// cards. Every page is WCAG 2.1 AA clean (axe).
import { readFile } from 'node:fs/promises';
import { expect, test } from '../support/browser.mjs';

test.describe('certificate inventory', () => {
  test('the contact searches the list, opens a detail and downloads the CSV', async ({ loginAs, portal, expectAccessible }) => {
    const page = await loginAs('contact');
    await page.goto(`${portal.origin}/`);
    await page.getByRole('navigation', { name: 'Hoofdnavigatie' }).getByRole('link', { name: 'Servercertificaten' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Servercertificaten');
    await expect(page.getByRole('table')).toBeVisible();
    await expect(page.getByRole('link', { name: 'Pagina 1', exact: true })).toHaveAttribute('aria-current', 'page');
    await expectAccessible(page, 'overview');

    await page.getByLabel('Zoeken').fill('www');
    await page.getByLabel('Sorteren op').selectOption('naam');
    await page.getByRole('button', { name: 'Toon certificaten' }).click();
    await expect(page).toHaveURL(/zoek=www/);
    const rows = page.getByRole('table').getByRole('rowheader');
    await expect(rows.first()).toContainText('www');
    await expectAccessible(page, 'search result');

    const downloadPromise = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download als CSV (komma\'s)' }).click();
    const download = await downloadPromise;
    expect(download.suggestedFilename()).toMatch(/^servercertificaten-voorbeeld-bv-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile(await download.path(), 'utf8');
    expect(csv.startsWith('\uFEFFNummer,')).toBe(true);
    expect(csv).toContain('www');

    const first = await rows.first().getByRole('link').textContent();
    await rows.first().getByRole('link').click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(first.trim());
    await expect(page.getByRole('main')).toContainText('SHA-256-vingerafdruk');
    await expect(page.getByRole('main')).toContainText('Certificaatbeheerder');
    await expect(page.getByRole('link', { name: 'Certificaat (PEM)' })).toBeVisible();
    await expectAccessible(page, 'detail');
  });

  test('the contact views the cards and a group card', async ({ loginAs, portal, expectAccessible }) => {
    const page = await loginAs('contact');
    await page.goto(`${portal.origin}/`);
    await page.getByRole('navigation', { name: 'Hoofdnavigatie' }).getByRole('link', { name: 'Passen' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Passen');
    await expectAccessible(page, 'cards');
    await page.getByRole('row').filter({ hasText: 'Groepscertificaat' }).first()
      .getByRole('link', { name: 'Afdeling Facturatie', exact: true }).click();
    await expect(page.getByRole('main')).toContainText('Besteld door');
    await expectAccessible(page, 'card detail');
  });
});
