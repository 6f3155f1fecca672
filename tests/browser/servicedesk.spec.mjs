// The Servicedesk journey (PRODUCT.md §7) in a real browser: an officer registers a new
// organisation with a contact person, links the contact's certificate (made here from the dev PKI)
// and grants access; then the contact logs in with that certificate and sees the organisation.
// Every page visited is checked with axe (WCAG 2.1 AA), also the form with its error summary.
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '../support/browser.mjs';

/**
 * A client certificate for a new person, issued with the openssl CLI by the demo's persons CA:
 * {dir, certPath, keyPath, pem}. Remove `dir` when done.
 */
function issuePersonCertificate(demoDir, { givenName, surname, serialNumber, organisation }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mijncert-person-'));
  const keyPath = path.join(dir, 'person.key');
  const csrPath = path.join(dir, 'person.csr');
  const certPath = path.join(dir, 'person.crt');
  const extPath = path.join(dir, 'extensions.cnf');
  writeFileSync(extPath, [
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature',
    'extendedKeyUsage = clientAuth',
  ].join('\n'));
  const run = (...args) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  run('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyPath);
  run('req', '-new', '-key', keyPath, '-out', csrPath, '-subj',
    `/C=NL/O=${organisation}/givenName=${givenName}/SN=${surname}/serialNumber=${serialNumber}/CN=${givenName} ${surname}`);
  const pki = path.join(demoDir, 'pki');
  run('x509', '-req', '-in', csrPath, '-CA', path.join(pki, 'persons-ca.crt'), '-CAkey', path.join(pki, 'persons-ca.key'),
    '-set_serial', `0x${randomInt(2 ** 47).toString(16)}01`, '-days', '30', '-sha384', '-extfile', extPath, '-out', certPath);
  return { dir, certPath, keyPath, pem: readFileSync(certPath, 'utf8') };
}

test.describe('Servicedesk', () => {
  test('registers an organisation with a contact who then logs in and sees it', async ({ browser, loginAs, portal, expectAccessible }) => {
    test.setTimeout(90_000);
    const kvk = String(randomInt(20_000_000, 30_000_000));
    const name = `Journey ${kvk} B.V.`;
    const serialNumber = `J${kvk}`;
    const certificate = issuePersonCertificate(portal.demo.dir, {
      givenName: 'Noor', surname: 'Nieuwenhuis', serialNumber, organisation: name,
    });
    try {
      const page = await loginAs('servicedesk');
      await page.goto(`${portal.origin}/servicedesk`);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Servicedesk');
      await expectAccessible(page, 'servicedesk home');

      await page.getByRole('link', { name: 'Nieuwe organisatie registreren' }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Organisatie registreren');
      await expectAccessible(page, 'new organisation form');

      // A first attempt with mistakes: the error summary links to the fields, nothing is saved.
      await page.getByLabel('Naam', { exact: true }).fill(name);
      await page.getByLabel('KvK-nummer', { exact: true }).fill('1234');
      await page.getByRole('button', { name: 'Opslaan' }).click();
      await expect(page).toHaveTitle(/^Fout: Organisatie registreren/);
      const summary = page.getByRole('alert');
      await expect(summary).toContainText('Er is een probleem');
      await expect(summary.getByRole('link', { name: /8 cijfers/ })).toHaveAttribute('href', '#organisatie-kvk');
      await expect(page.getByLabel('KvK-nummer', { exact: true })).toHaveAttribute('aria-invalid', 'true');
      await expect(page.getByLabel('Naam', { exact: true })).toHaveValue(name);
      await expectAccessible(page, 'new organisation form with errors');
      await summary.getByRole('link', { name: /8 cijfers/ }).click();
      await expect(page.getByLabel('KvK-nummer', { exact: true })).toBeFocused();

      const fields = {
        'KvK-nummer': kvk,
        'OIN (optioneel)': `00000003${kvk}0000`,
        'Straat en huisnummer (bezoekadres)': 'Reisweg 1',
        'Postcode (bezoekadres)': '3511 ED',
        'Plaats (bezoekadres)': 'Utrecht',
        'Straat en huisnummer of postbus (postadres)': 'Postbus 1',
        'Postcode (postadres)': '3500 AA',
        'Plaats (postadres)': 'Utrecht',
        'Straat en huisnummer of postbus (factuuradres)': 'Postbus 1',
        'Postcode (factuuradres)': '3500 AA',
        'Plaats (factuuradres)': 'Utrecht',
        'E-mailadres voor facturen': 'facturen@journey.nl',
      };
      for (const [label, value] of Object.entries(fields)) await page.getByLabel(label, { exact: true }).fill(value);
      await page.getByRole('button', { name: 'Opslaan' }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
      await expect(page.getByRole('status')).toHaveText('De registratie is opgeslagen.');

      await page.getByRole('button', { name: 'MijnCertificaten inschakelen' }).click();
      await expect(page.getByRole('status')).toContainText('MijnCertificaten is ingeschakeld');
      await page.getByLabel('Domein', { exact: true }).fill('*.journey.nl');
      await page.getByRole('button', { name: 'Domein toevoegen' }).click();
      await expect(page.getByLabel('Domein', { exact: true })).toHaveAttribute('aria-invalid', 'true');
      await expect(page.getByRole('alert')).toContainText('Een wildcard (*) kan niet worden gevalideerd');
      await expectAccessible(page, 'organisation page with a refused domain');
      await page.getByLabel('Domein', { exact: true }).fill('journey.nl');
      await page.getByRole('button', { name: 'Domein toevoegen' }).click();
      await expect(page.getByRole('rowheader', { name: 'journey.nl' })).toBeVisible();
      await expectAccessible(page, 'organisation page');

      await page.getByRole('link', { name: 'Nieuwe persoon registreren bij deze organisatie' }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Persoon registreren');
      await expect(page.getByRole('group', { name: `Rol bij ${name}` })).toBeVisible();
      await expectAccessible(page, 'new person form');
      await page.getByLabel('Voornaam').fill('Noor');
      await page.getByLabel('Achternaam').fill('Nieuwenhuis');
      await page.getByLabel('E-mailadres').fill('noor@journey.nl');
      await page.getByLabel('Telefoonnummer (optioneel)').fill('030 123 45 67');
      await expect(page.getByLabel('Rol', { exact: true })).toHaveValue('contact');
      await page.getByRole('button', { name: 'Opslaan' }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Noor Nieuwenhuis');
      await expect(page.getByRole('row', { name: new RegExp(`${name}.*Contactpersoon`) })).toBeVisible();

      await page.getByLabel('KvK-nummer van de organisatie').fill('99999999');
      await page.getByRole('button', { name: 'Rol toevoegen' }).click();
      await expect(page.getByRole('alert')).toContainText('Er is geen organisatie geregistreerd met dit KvK-nummer');
      await expectAccessible(page, 'person page with a refused role');
      await page.getByRole('link', { name: 'Gegevens wijzigen' }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Gegevens van Noor Nieuwenhuis wijzigen');
      await expect(page.getByLabel('E-mailadres')).toHaveValue('noor@journey.nl');
      await expectAccessible(page, 'edit person form');
      await page.getByRole('link', { name: 'Annuleren' }).click();

      await page.getByLabel('Certificaat (PEM)').fill(certificate.pem);
      await page.getByRole('button', { name: 'Certificaat koppelen' }).click();
      await expect(page.getByRole('status')).toContainText('Het certificaat is gekoppeld');
      await expect(page.getByRole('rowheader', { name: serialNumber })).toBeVisible();
      await page.getByRole('button', { name: 'Toegang verlenen' }).click();
      await expect(page.getByRole('status')).toContainText('heeft nu toegang');
      await expectAccessible(page, 'person page');

      await page.getByRole('link', { name: 'Auditlog van deze persoon inzien' }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Auditlog van Noor Nieuwenhuis');
      await expect(page.getByRole('main')).toContainText('person.access_grant');
      await expectAccessible(page, 'audit log');

      await page.goto(`${portal.origin}/servicedesk/organisaties?q=${kvk}`);
      await expect(page.getByRole('link', { name })).toBeVisible();
      await expectAccessible(page, 'organisation search');
      await page.getByRole('link', { name }).click();
      await page.getByRole('link', { name: 'Gegevens wijzigen' }).click();
      await expect(page.getByLabel('KvK-nummer', { exact: true })).toHaveValue(kvk);
      await expectAccessible(page, 'edit organisation form');
      await page.goto(`${portal.origin}/servicedesk/personen?q=Nieuwenhuis`);
      await expect(page.getByRole('link', { name: 'Noor Nieuwenhuis' })).toBeVisible();
      await expectAccessible(page, 'person search');
      await page.goto(`${portal.origin}/servicedesk/audit`);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Auditlog');
      await expectAccessible(page, 'whole audit log');

      // The new contact logs in with the certificate made above, in a browser of their own.
      const context = await browser.newContext({
        ignoreHTTPSErrors: true,
        clientCertificates: [{ origin: portal.origin, certPath: certificate.certPath, keyPath: certificate.keyPath }],
      });
      try {
        const contact = await context.newPage();
        const response = await contact.goto(`${portal.origin}/`);
        expect(response.status()).toBe(200);
        await expect(contact.getByRole('heading', { level: 1 })).toHaveText('Welkom, Noor Nieuwenhuis');
        await expect(contact.getByRole('main')).toContainText(name);
        await expect(contact.getByRole('main')).toContainText('Contactpersoon');
        await expectAccessible(contact, 'dashboard of the new contact');
      } finally {
        await context.close();
      }
    } finally {
      rmSync(certificate.dir, { recursive: true, force: true });
    }
  });

  test('customers do not see the Servicedesk', async ({ loginAs, portal, expectAccessible }) => {
    const page = await loginAs('contact');
    const response = await page.goto(`${portal.origin}/servicedesk/organisaties`);
    expect(response.status()).toBe(403);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Geen toegang');
    await expectAccessible(page, 'servicedesk refused for a contact');
  });
});
