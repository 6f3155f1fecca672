// The customer data pages in a real browser: a contact person walks from the dashboard through
// Organisatiegegevens, Facturatiegegevens and Personen; a professional holder reads their own
// data; a contact of two organisations chooses one. Every page is WCAG 2.1 AA clean (axe).
import path from 'node:path';
import { expect, test } from '../support/browser.mjs';

test.describe('organisation data', () => {
  test('the contact views organisation data, billing data and persons of Voorbeeld B.V.', async ({ loginAs, portal, expectAccessible }) => {
    const page = await loginAs('contact');
    await page.goto(`${portal.origin}/`);
    await page.getByRole('link', { name: 'Voorbeeld B.V.' }).click();

    const main = page.getByRole('main');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Voorbeeld B.V.');
    await expect(page).toHaveTitle(/^Organisatiegegevens – Voorbeeld B\.V\./);
    await expect(main).toContainText('12345678');
    await expect(main).toContainText('00000001812345678000');
    await expect(main).toContainText('Stationsplein 1');
    await expect(main.getByRole('listitem').filter({ hasText: 'voorbeeld.nl' })).toBeVisible();
    await expect(page.getByRole('navigation', { name: 'Hoofdnavigatie' }).getByRole('link', { name: 'Organisatie' }))
      .toHaveAttribute('aria-current', 'page');
    await expect(page.locator('header')).toContainText('U werkt voor Voorbeeld B.V.');
    await expectAccessible(page, 'Organisatiegegevens');

    await page.getByRole('link', { name: 'Facturatiegegevens' }).click();
    await expect(page).toHaveTitle(/^Facturatiegegevens – Voorbeeld B\.V\./);
    await expect(page.getByRole('link', { name: 'Facturatiegegevens' })).toHaveAttribute('aria-current', 'page');
    await expect(main).toContainText('Crediteurenadministratie');
    await expect(main).toContainText('facturen@voorbeeld.nl');
    await expect(main).toContainText('NL001234567B01');
    await expectAccessible(page, 'Facturatiegegevens');

    await page.getByRole('link', { name: 'Personen' }).click();
    await expect(page).toHaveTitle(/^Personen – Voorbeeld B\.V\./);
    await expect(page.getByRole('table', { name: 'Bevoegd Vertegenwoordigers' })).toContainText('Willem van Dijk');
    await expect(page.getByRole('table', { name: 'Contactpersonen' })).toContainText('Sanne Jansen');
    await expect(page.getByRole('table', { name: 'Certificaatbeheerders' })).toContainText('Pieter Bakker');
    await expect(page.getByRole('rowheader', { name: 'Sanne Jansen' })).toBeVisible();
    await expect(main).not.toContainText('Andere Organisatie B.V.');
    await expectAccessible(page, 'Personen');
  });

  test('the pages are accessible in English too', async ({ loginAs, portal, expectAccessible }) => {
    const page = await loginAs('representative');
    await page.goto(`${portal.origin}/`);
    await page.getByRole('link', { name: 'English' }).click();
    await page.getByRole('link', { name: 'Voorbeeld B.V.' }).click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByRole('main')).toContainText('Validated domains');
    await page.getByRole('link', { name: 'People' }).click();
    await expect(page.getByRole('table', { name: 'Authorised representatives' })).toContainText('Willem van Dijk');
    await expectAccessible(page, 'People (English)');
  });
});

test.describe('professional holder', () => {
  test('Eva de Boer views her contact and billing data', async ({ loginAs, portal, expectAccessible }) => {
    const page = await loginAs('professional');
    await page.goto(`${portal.origin}/`);
    await page.getByRole('link', { name: 'Uw contact- en facturatiegegevens bekijken' }).click();
    const main = page.getByRole('main');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Mijn gegevens');
    await expect(main).toContainText('Notaris');
    // The number on record (another spec may have renewed her card with a new one).
    await expect(main).toContainText(/KNB-[\w-]+/);
    await expect(main).toContainText('Herengracht 420');
    await expectAccessible(page, 'Mijn gegevens');

    await page.getByRole('link', { name: 'Facturatiegegevens' }).click();
    await expect(main).toContainText('De Boer Notarissen');
    await expect(main).toContainText('NL812345678B01');
    await expectAccessible(page, 'Mijn gegevens: facturatie');
  });
});

test.describe('choosing an organisation', () => {
  test('a contact of two organisations chooses which one they work for', async ({ loginAs, portal, expectAccessible }) => {
    // Noor Visser ("both") is a demo user beyond PRODUCT.md §9: contact of both organisations.
    const users = path.join(portal.demo.dir, 'users');
    portal.demo.users.both = { certPath: path.join(users, 'both.crt'), keyPath: path.join(users, 'both.key') };
    const page = await loginAs('both');
    await page.goto(`${portal.origin}/`);
    await expect(page.locator('header')).not.toContainText('U werkt voor');
    await expectAccessible(page, 'dashboard with two organisations');

    await page.getByRole('button', { name: 'Werken voor Andere Organisatie B.V.' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Andere Organisatie B.V.');
    await expect(page.locator('header')).toContainText('U werkt voor Andere Organisatie B.V.');

    await page.goto(`${portal.origin}/`);
    const row = page.getByRole('row', { name: /Andere Organisatie B\.V\./ });
    await expect(row).toContainText('Hier werkt u nu voor');
    await page.getByRole('link', { name: 'Voorbeeld B.V.' }).click();
    await expect(page.getByRole('main')).toContainText('U werkt nu voor Andere Organisatie B.V.');
    await expectAccessible(page, 'organisation page offering a choice');
    await page.getByRole('button', { name: 'Werken voor Voorbeeld B.V.' }).click();
    await expect(page.locator('header')).toContainText('U werkt voor Voorbeeld B.V.');
  });
});
