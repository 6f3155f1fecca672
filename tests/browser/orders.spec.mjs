// Ordering a server certificate (docs/architecture.md §One order) in a real browser: the contact
// person Sanne Jansen makes a key and CSR, orders a certificate for Voorbeeld B.V. with the
// existing certificate manager, reviews and downloads the order document, signs it with her own
// certificate (openssl cms) and uploads the signature; a Servicedesk officer approves the order,
// after which the contact opens the issued certificate. A first attempt with an unreadable CSR, and
// (second test) a signature over a changed document, show the error summary linked to the field.
// Every page visited is WCAG 2.1 AA clean (axe). Texts come from src/web/messages/nl/*.toml.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dutchDate, escape, fact, signFile, t } from '../support/pages.mjs';
import { expect, test } from '../support/browser.mjs';

const COMMON_NAME = 'pw-shop.voorbeeld.nl';

/** Runs openssl with ARGS; throws with its stderr when it fails. */
function openssl(...args) {
  return execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A new P-256 key and a CSR for NAME (as CN and only DNS SAN) in DIR; returns the CSR's path. */
function makeCsr(dir, name) {
  const csrPath = path.join(dir, `${name}.csr`);
  openssl('req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', path.join(dir, `${name}.key`), '-out', csrPath,
    '-subj', `/CN=${name}`, '-addext', `subjectAltName=DNS:${name}`);
  return csrPath;
}

/** The id of Voorbeeld B.V., from the link on the dashboard of the logged-in PAGE. */
async function voorbeeldId(page, origin) {
  await page.goto(`${origin}/`);
  const href = await page.getByRole('link', { name: 'Voorbeeld B.V.', exact: true }).getAttribute('href');
  const id = href?.match(/^\/organisaties\/(\d+)$/)?.[1];
  expect(id, `organisation link ${href}`).toBeTruthy();
  return id;
}

/** Chooses the existing certificate manager Pieter Bakker in the order form on PAGE. */
async function chooseExistingManager(page, t) {
  const select = page.getByRole('combobox', { name: t('orders.form.manager'), exact: true });
  const option = select.locator('option').filter({ hasText: 'Pieter Bakker' });
  await expect(option, 'the existing certificate manager is offered').toHaveCount(1);
  await select.selectOption(await option.getAttribute('value'));
}

test.describe('ordering a server certificate', () => {
  test('the contact orders, signs and gets the certificate after Servicedesk approval', async ({ loginAs, portal, expectAccessible }) => {
    test.setTimeout(120_000);
    const work = mkdtempSync(path.join(os.tmpdir(), 'mijncert-order-'));
    try {
      const csrPath = makeCsr(work, COMMON_NAME);

      // The contact finds her organisation on the dashboard and opens the order form.
      const contact = await loginAs('contact');
      const organisationId = await voorbeeldId(contact, portal.origin);
      const formUrl = `${portal.origin}/organisaties/${organisationId}/servercertificaten/bestellen`;
      const formResponse = await contact.goto(formUrl);
      expect(formResponse.status(), 'GET order form').toBe(200);
      const main = contact.getByRole('main');
      await expect(contact.getByRole('heading', { level: 1 })).toHaveText(t('orders.form.new_title'));
      await expect(fact(contact, t('orders.fact.organisation'))).toHaveText('Voorbeeld B.V.');
      await expectAccessible(contact, 'order form');

      const csrFile = contact.getByLabel(t('orders.form.csr_file'), { exact: true });
      const csrText = contact.getByRole('textbox', { name: t('orders.form.csr_text'), exact: true });
      const managerSelect = contact.getByRole('combobox', { name: t('orders.form.manager'), exact: true });
      const submitOrder = contact.getByRole('button', { name: t('orders.form.submit'), exact: true });

      // A first attempt with text that is no CSR: the error summary links to the CSR field.
      await csrText.fill('dit is geen CSR\n-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n');
      await chooseExistingManager(contact, t);
      const [refusedOrder] = await Promise.all([
        contact.waitForResponse((r) => r.request().method() === 'POST' && r.url() === formUrl),
        submitOrder.click(),
      ]);
      expect(refusedOrder.status(), 'an unreadable CSR re-renders the form with 400').toBe(400);
      await expect(contact).toHaveTitle(new RegExp(`^${escape(t('form.error_title', { title: t('orders.form.new_title') }))}`));
      const summary = contact.getByRole('alert');
      await expect(summary.getByRole('heading')).toHaveText(t('form.error_summary'));
      const csrError = summary.getByRole('link', { name: t('csr.unreadable'), exact: true });
      await expect(csrError).toBeVisible();
      const target = (await csrError.getAttribute('href')).replace(/^#/, '');
      const csrField = contact.locator(`[id="${target}"]`);
      await expect(csrField, `the summary link #${target} points at a CSR field`).toHaveAttribute('name', /^csr(_text)?$/);
      await expect(csrField).toHaveAttribute('aria-invalid', 'true');
      await expect(contact.locator(`[id="${target}-error"]`)).toHaveText(t('csr.unreadable'));
      await expect(managerSelect.locator('option:checked')).toContainText('Pieter Bakker');
      await expectAccessible(contact, 'order form with an unreadable CSR');
      await csrError.click();
      await expect(csrField).toBeFocused();

      // The real CSR, uploaded as a file, with the existing certificate manager.
      await csrText.fill('');
      await csrFile.setInputFiles(csrPath);
      await chooseExistingManager(contact, t);
      await submitOrder.click();
      await expect(contact).toHaveURL(/\/bestellingen\/\d+$/);
      const orderId = contact.url().match(/\/bestellingen\/(\d+)$/)[1];
      const orderUrl = `${portal.origin}/bestellingen/${orderId}`;

      // The review page: names, validity, manager and the document to sign.
      const apiOrder = await contact.request.get(`${portal.origin}/api/v1/orders/${orderId}`);
      expect(apiOrder.status(), 'GET /api/v1/orders/{id}').toBe(200);
      const order = await apiOrder.json();
      expect(order).toMatchObject({ status: 'draft', common_name: COMMON_NAME, sans: [COMMON_NAME] });
      await expect(contact.getByRole('heading', { level: 1 }))
        .toHaveText(t('orders.page.review_title', { number: orderId, name: COMMON_NAME }));
      await expect(fact(contact, t('orders.fact.status'))).toHaveText(t('order.status.draft'));
      await expect(fact(contact, t('orders.fact.common_name'))).toHaveText(COMMON_NAME);
      await expect(fact(contact, t('orders.fact.sans'))).toHaveText(COMMON_NAME);
      await expect(fact(contact, t('orders.fact.manager'))).toContainText('Pieter Bakker');
      await expect(fact(contact, t('orders.fact.requested_by'))).toHaveText('Sanne Jansen');
      await expect(fact(contact, t('orders.fact.validity'))).toContainText(t('orders.validity.from_until', {
        from: dutchDate(order.not_before), until: dutchDate(order.not_after),
      }));
      // voorbeeld.nl is validated for Voorbeeld B.V.: no warning about domain validation.
      await expect(main.getByRole('note')).toHaveCount(0);
      const documentBlock = main.getByRole('heading', { name: t('orders.page.document_to_sign') })
        .locator('xpath=following-sibling::pre[1]');
      await expect(documentBlock).toContainText(COMMON_NAME);
      await expectAccessible(contact, 'order review page');

      const downloadPromise = contact.waitForEvent('download');
      await main.getByRole('link', { name: t('orders.page.download_document'), exact: true }).click();
      const download = await downloadPromise;
      const documentPath = path.join(work, 'bestelling.txt');
      await download.saveAs(documentPath);
      const document = readFileSync(documentPath, 'utf8');
      expect(document).toContain(COMMON_NAME);
      expect(document.trim()).toBe((await documentBlock.textContent()).trim());
      const apiDocument = await contact.request.get(`${portal.origin}/api/v1/orders/${orderId}/document`);
      expect(await apiDocument.text(), 'the download is the document of the API').toBe(document);

      // She signs exactly the downloaded bytes with her own certificate and uploads the signature.
      const signaturePath = signFile(portal.demo.users.contact, documentPath, path.join(work, 'bestelling.p7s'));
      await contact.getByLabel(t('orders.sign.file'), { exact: true }).setInputFiles(signaturePath);
      await contact.getByRole('button', { name: t('orders.sign.submit'), exact: true }).click();
      await expect(contact).toHaveURL(new RegExp(`^${escape(orderUrl)}(\\?|$)`));
      await expect(contact.getByRole('status')).toHaveText(t('orders.notice.ondertekend'));
      await expect(contact.getByRole('heading', { level: 1 }))
        .toHaveText(t('orders.page.title', { number: orderId, name: COMMON_NAME }));
      await expect(fact(contact, t('orders.fact.status'))).toHaveText(t('order.status.submitted'));
      await expect(fact(contact, t('orders.fact.signed_by'))).toContainText('Sanne Jansen');
      await expect(main.getByRole('button', { name: t('orders.sign.submit') })).toHaveCount(0);
      await expectAccessible(contact, 'order page after signing');

      // A Servicedesk officer finds the order in the queue, checks the evidence and approves it.
      const officer = await loginAs('servicedesk');
      await officer.goto(`${portal.origin}/servicedesk`);
      await officer.getByRole('navigation', { name: t('layout.main_navigation') })
        .getByRole('link', { name: t('orders.queue.navigation'), exact: true }).click();
      await expect(officer).toHaveURL(/\/servicedesk\/bestellingen(\?|$)/);
      await expect(officer.getByRole('heading', { level: 1 })).toHaveText(t('orders.queue.title'));
      const queueRow = officer.getByRole('table', { name: t('orders.queue.caption') }).getByRole('row')
        .filter({ has: officer.getByRole('link', { name: orderId, exact: true }) });
      await expect(queueRow).toHaveCount(1);
      await expect(queueRow).toContainText(COMMON_NAME);
      await expect(queueRow).toContainText('Voorbeeld B.V.');
      await expect(queueRow).toContainText(t('order.status.submitted'));
      await expectAccessible(officer, 'servicedesk order queue');
      await queueRow.getByRole('link', { name: orderId, exact: true }).click();
      const officerOrderUrl = `${portal.origin}/servicedesk/bestellingen/${orderId}`;
      await expect(officer).toHaveURL(officerOrderUrl);
      await expect(officer.getByRole('heading', { level: 1 }))
        .toHaveText(t('orders.review.title', { number: orderId, name: COMMON_NAME }));
      await expect(fact(officer, t('orders.fact.status'))).toHaveText(t('order.status.submitted'));
      await expect(fact(officer, t('orders.fact.signed_by'))).toContainText('Sanne Jansen');
      await expect(fact(officer, t('orders.fact.requested_by'))).toHaveText('Sanne Jansen');
      const evidence = officer.getByRole('main').getByRole('heading', { name: t('orders.review.evidence') })
        .locator('xpath=following-sibling::pre[1]');
      expect((await evidence.textContent()).trim(), 'the evidence is the signed document').toBe(document.trim());
      await expect(officer.getByRole('link', { name: t('orders.review.download_signature'), exact: true })).toBeVisible();
      await expectAccessible(officer, 'servicedesk order page');
      await officer.getByRole('button', { name: t('orders.review.approve'), exact: true }).click();
      await expect(officer).toHaveURL(new RegExp(`^${escape(officerOrderUrl)}(\\?|$)`));
      await expect(officer.getByRole('status')).toHaveText(t('servicedesk.notice.goedgekeurd'));
      await expect(fact(officer, t('orders.fact.status'))).toHaveText(t('order.status.issued'));
      await expect(officer.getByRole('button', { name: t('orders.review.approve') })).toHaveCount(0);
      await expectAccessible(officer, 'servicedesk order page after approval');

      // Back with the contact: her list of orders shows it issued; it links to the new certificate.
      await contact.goto(`${portal.origin}/`);
      await contact.getByRole('navigation', { name: t('layout.main_navigation') })
        .getByRole('link', { name: t('orders.navigation'), exact: true }).click();
      await expect(contact).toHaveURL(`${portal.origin}/organisaties/${organisationId}/bestellingen`);
      await expect(contact.getByRole('heading', { level: 1 })).toHaveText(t('orders.list.title'));
      const listRow = contact.getByRole('table', { name: t('orders.list.caption', { organisation: 'Voorbeeld B.V.' }) })
        .getByRole('row').filter({ has: contact.getByRole('link', { name: orderId, exact: true }) });
      await expect(listRow).toHaveCount(1);
      await expect(listRow).toContainText(COMMON_NAME);
      await expect(listRow).toContainText(t('order.status.issued'));
      await expectAccessible(contact, 'order list');
      await listRow.getByRole('link', { name: orderId, exact: true }).click();
      await expect(contact).toHaveURL(orderUrl);
      await expect(fact(contact, t('orders.fact.status'))).toHaveText(t('order.status.issued'));
      const certificateLink = main.getByRole('link', { name: t('orders.page.certificate_link'), exact: true });
      await expect(certificateLink).toHaveAttribute('href', /^\/servercertificaten\/\d+$/);
      await expectAccessible(contact, 'issued order page');
      await certificateLink.click();
      await expect(contact.getByRole('heading', { level: 1 })).toHaveText(COMMON_NAME);
      await expect(fact(contact, t('certificates.detail.sans'))).toHaveText(COMMON_NAME);
      await expect(fact(contact, t('certificates.detail.status'))).toContainText(t('certificates.status.valid'));
      // The certificate has the validity the contact reviewed and signed.
      await expect(fact(contact, t('certificates.detail.validity'))).toHaveText(t('certificates.detail.from_until', {
        from: dutchDate(order.not_before), until: dutchDate(order.not_after),
      }));
      await expect(fact(contact, t('certificates.detail.manager'))).toContainText('Pieter Bakker');
      await expect(fact(contact, t('certificates.detail.requested_by'))).toContainText('Sanne Jansen');
      await expectAccessible(contact, 'issued certificate page');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  test('a signature over a changed document is refused and the summary leads to the signature field', async ({ loginAs, portal, expectAccessible }) => {
    test.setTimeout(60_000);
    const name = 'pw-winkel.voorbeeld.nl';
    const work = mkdtempSync(path.join(os.tmpdir(), 'mijncert-order-'));
    try {
      const contact = await loginAs('contact');
      const organisationId = await voorbeeldId(contact, portal.origin);
      await contact.goto(`${portal.origin}/organisaties/${organisationId}/servercertificaten/bestellen`);
      await contact.getByLabel(t('orders.form.csr_file'), { exact: true }).setInputFiles(makeCsr(work, name));
      await chooseExistingManager(contact, t);
      await contact.getByRole('button', { name: t('orders.form.submit'), exact: true }).click();
      await expect(contact).toHaveURL(/\/bestellingen\/\d+$/);
      const orderId = contact.url().match(/\/bestellingen\/(\d+)$/)[1];

      // The downloaded document with one name changed, signed by the contact herself.
      const document = await (await contact.request.get(`${portal.origin}/bestellingen/${orderId}/document.txt`)).text();
      expect(document).toContain(name);
      const changedPath = path.join(work, 'gewijzigd.txt');
      writeFileSync(changedPath, document.replace(name, 'pw-andere.voorbeeld.nl'));
      const signaturePath = signFile(portal.demo.users.contact, changedPath, path.join(work, 'gewijzigd.p7s'));
      const signatureField = contact.getByLabel(t('orders.sign.file'), { exact: true });
      await signatureField.setInputFiles(signaturePath);
      const [refused] = await Promise.all([
        contact.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(`/bestellingen/${orderId}/handtekening`)),
        contact.getByRole('button', { name: t('orders.sign.submit'), exact: true }).click(),
      ]);
      expect(refused.status(), 'a refused signature re-renders the page with 400').toBe(400);

      const reviewTitle = t('orders.page.review_title', { number: orderId, name });
      await expect(contact).toHaveTitle(new RegExp(`^${escape(t('form.error_title', { title: reviewTitle }))}`));
      await expect(contact.getByRole('heading', { level: 1 })).toHaveText(reviewTitle);
      const summary = contact.getByRole('alert');
      await expect(summary.getByRole('heading')).toHaveText(t('form.error_summary'));
      await expect(summary).toContainText(t('signature.document_mismatch'));
      await expect(signatureField).toHaveAttribute('aria-invalid', 'true');
      await expect(fact(contact, t('orders.fact.status'))).toHaveText(t('order.status.draft'));
      await expectAccessible(contact, 'order review page with a refused signature');
      // Like every other form: the message in the summary is a link to the field it is about.
      const link = summary.getByRole('link', { name: t('signature.document_mismatch'), exact: true });
      await expect(link, 'the summary links the signature message to the signature field')
        .toHaveAttribute('href', `#${await signatureField.getAttribute('id')}`);
      await link.click();
      await expect(signatureField).toBeFocused();

      const apiOrder = await (await contact.request.get(`${portal.origin}/api/v1/orders/${orderId}`)).json();
      expect(apiOrder.status, 'a refused signature leaves the order a draft').toBe('draft');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
