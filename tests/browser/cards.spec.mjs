// Ordering cards (PRODUCT.md §5 "Passen", §6) in a real browser.
// 1. The contact person Sanne Jansen orders a group certificate for Voorbeeld B.V. from the
//    "Passen" page: a first attempt without a group name shows the error summary linked to the
//    field; the order is reviewed, its document downloaded, signed with her own certificate
//    (openssl cms) and the signature uploaded. A Servicedesk officer approves it (in production),
//    registers the card as shipped and as activated; the order is issued with its steps ("Verloop")
//    and the new group card is in the organisation's card list.
// 2. The professional holder Eva de Boer renews her professional card from "Mijn certificaten"
//    with a new registration number, signs, and after approval sees the order in production. She
//    then adds a mobile certificate; after approval she makes an activation code on the order page,
//    which is shown once only.
// Every page visited is WCAG 2.1 AA clean (axe). Texts come from src/web/messages/nl/*.toml.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dutchDate, escape, fact, signFile, t } from '../support/pages.mjs';
import { expect, test } from '../support/browser.mjs';

const GROUP_NAME = 'Afdeling Inkoop';
const GROUP_EMAIL = 'inkoop@voorbeeld.nl';
const NEW_REGISTRATION_NUMBER = 'KNB-PW-20250';
const MOBILE_NUMBER = '06 12 34 56 78';

/** The order of the API (as the logged-in PAGE's user). */
async function apiOrder(page, origin, orderId) {
  const response = await page.request.get(`${origin}/api/v1/orders/${orderId}`);
  expect(response.status(), `GET /api/v1/orders/${orderId}`).toBe(200);
  return response.json();
}

/** The order id of the order page PAGE is on (/bestellingen/{id}). */
async function orderIdOf(page) {
  await expect(page).toHaveURL(/\/bestellingen\/\d+(\?|$)/);
  return new URL(page.url()).pathname.match(/\/bestellingen\/(\d+)$/)[1];
}

/**
 * On the draft order page PAGE: downloads the document, checks it is the document shown and of
 * the API, signs it as USER, uploads the signature and checks the order is submitted.
 */
async function signAndSubmit({ page, origin, orderId, user, work, t, expectInDocument }) {
  const main = page.getByRole('main');
  const documentBlock = main.getByRole('heading', { name: t('orders.page.document_to_sign') })
    .locator('xpath=following-sibling::pre[1]');
  for (const text of expectInDocument) await expect(documentBlock).toContainText(text);
  const downloadPromise = page.waitForEvent('download');
  await main.getByRole('link', { name: t('orders.page.download_document'), exact: true }).click();
  const download = await downloadPromise;
  const documentPath = path.join(work, `bestelling-${orderId}.txt`);
  await download.saveAs(documentPath);
  const document = readFileSync(documentPath, 'utf8');
  for (const text of expectInDocument) expect(document).toContain(text);
  expect(document.trim(), 'the download is the document on the page').toBe((await documentBlock.textContent()).trim());
  const apiDocument = await page.request.get(`${origin}/api/v1/orders/${orderId}/document`);
  expect(await apiDocument.text(), 'the download is the document of the API').toBe(document);

  const signaturePath = signFile(user, documentPath, path.join(work, `bestelling-${orderId}.p7s`));
  await page.getByLabel(t('orders.sign.file'), { exact: true }).setInputFiles(signaturePath);
  await page.getByRole('button', { name: t('orders.sign.submit'), exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`^${escape(`${origin}/bestellingen/${orderId}`)}(\\?|$)`));
  await expect(page.getByRole('status')).toHaveText(t('orders.notice.ondertekend'));
  await expect(fact(page, t('orders.fact.status'))).toHaveText(t('order.status.submitted'));
  await expect(main.getByRole('button', { name: t('orders.sign.submit') })).toHaveCount(0);
  return document;
}

/**
 * The Servicedesk officer (page OFFICER) finds order ORDERID in the queue, opens it and approves
 * it; returns the URL of the Servicedesk order page.
 */
async function approveAsServicedesk({ officer, origin, orderId, t, expectAccessible, what, name, organisation }) {
  await officer.goto(`${origin}/servicedesk`);
  await officer.getByRole('navigation', { name: t('layout.main_navigation') })
    .getByRole('link', { name: t('orders.queue.navigation'), exact: true }).click();
  await expect(officer).toHaveURL(/\/servicedesk\/bestellingen(\?|$)/);
  await expect(officer.getByRole('heading', { level: 1 })).toHaveText(t('orders.queue.title'));
  const queueRow = officer.getByRole('table', { name: t('orders.queue.caption') }).getByRole('row')
    .filter({ has: officer.getByRole('link', { name: orderId, exact: true }) });
  await expect(queueRow).toHaveCount(1);
  await expect(queueRow).toContainText(name);
  if (organisation) await expect(queueRow).toContainText(organisation);
  await expect(queueRow).toContainText(t('order.status.submitted'));
  await expectAccessible(officer, `servicedesk order queue (${what})`);
  await queueRow.getByRole('link', { name: orderId, exact: true }).click();
  const officerOrderUrl = `${origin}/servicedesk/bestellingen/${orderId}`;
  await expect(officer).toHaveURL(officerOrderUrl);
  await expect(officer.getByRole('heading', { level: 1 }))
    .toHaveText(t('orders.review.title', { number: orderId, name }));
  await expect(fact(officer, t('orders.fact.status'))).toHaveText(t('order.status.submitted'));
  await expectAccessible(officer, `servicedesk order page (${what})`);
  await officer.getByRole('button', { name: t('orders.review.approve'), exact: true }).click();
  await expect(officer).toHaveURL(new RegExp(`^${escape(officerOrderUrl)}(\\?|$)`));
  await expect(officer.getByRole('status')).toBeVisible();
  await expect(officer.getByRole('button', { name: t('orders.review.approve') })).toHaveCount(0);
  return officerOrderUrl;
}

test.describe('ordering cards', () => {
  test('the contact orders a group certificate; the Servicedesk approves, ships and activates it', async ({ loginAs, portal, expectAccessible }) => {
    test.setTimeout(120_000);
    const work = mkdtempSync(path.join(os.tmpdir(), 'mijncert-cards-'));
    try {
      // The contact opens the cards of her organisation and the group certificate form.
      const contact = await loginAs('contact');
      await contact.goto(`${portal.origin}/`);
      const href = await contact.getByRole('link', { name: 'Voorbeeld B.V.', exact: true }).getAttribute('href');
      const organisationId = href?.match(/^\/organisaties\/(\d+)$/)?.[1];
      expect(organisationId, `organisation link ${href}`).toBeTruthy();
      await contact.getByRole('navigation', { name: t('layout.main_navigation') })
        .getByRole('link', { name: t('certificates.navigation.cards'), exact: true }).click();
      await expect(contact).toHaveURL(`${portal.origin}/organisaties/${organisationId}/passen`);
      await expect(contact.getByRole('heading', { level: 1 })).toHaveText(t('cards.overview.title'));
      const cardsTable = contact.getByRole('table', { name: t('cards.overview.caption', { organisation: 'Voorbeeld B.V.' }) });
      await expect(cardsTable.getByRole('row').filter({ hasText: GROUP_NAME })).toHaveCount(0);
      await expectAccessible(contact, 'cards of the organisation');
      await contact.getByRole('main').getByRole('link', { name: t('card_orders.links.order_group'), exact: true }).click();
      const formUrl = `${portal.origin}/organisaties/${organisationId}/passen/bestellen?soort=groep`;
      await expect(contact).toHaveURL(formUrl);
      await expect(contact.getByRole('heading', { level: 1 })).toHaveText(t('card_orders.form.new_group_title'));
      await expect(fact(contact, t('card_orders.fact.organisation'))).toHaveText('Voorbeeld B.V.');
      await expect(fact(contact, t('card_orders.fact.card_type'))).toHaveText(t('cards.type.group'));
      await expectAccessible(contact, 'group certificate form');

      const groupName = contact.getByRole('textbox', { name: t('card_orders.form.group_name'), exact: true });
      const groupEmail = contact.getByRole('textbox', { name: t('card_orders.form.group_email'), exact: true });
      const managerSelect = contact.getByRole('combobox', { name: t('card_orders.form.manager'), exact: true });
      const submit = contact.getByRole('button', { name: t('orders.form.submit'), exact: true });
      const chooseManager = async () => {
        const option = managerSelect.locator('option').filter({ hasText: 'Pieter Bakker' });
        await expect(option, 'the certificate manager Pieter Bakker is offered').toHaveCount(1);
        await managerSelect.selectOption(await option.getAttribute('value'));
      };

      // Without a group name: the form comes back with the error summary linked to the field.
      await groupEmail.fill(GROUP_EMAIL);
      await chooseManager();
      const [refused] = await Promise.all([
        contact.waitForResponse((r) => r.request().method() === 'POST' && r.url().startsWith(`${portal.origin}/organisaties/${organisationId}/passen/bestellen`)),
        submit.click(),
      ]);
      expect(refused.status(), 'a group order without a group name re-renders the form with 400').toBe(400);
      await expect(contact).toHaveTitle(new RegExp(`^${escape(t('form.error_title', { title: t('card_orders.form.new_group_title') }))}`));
      const summary = contact.getByRole('alert');
      await expect(summary.getByRole('heading')).toHaveText(t('form.error_summary'));
      const groupError = summary.getByRole('link', { name: t('order.group_name_required'), exact: true });
      await expect(groupError).toBeVisible();
      await expect(groupError).toHaveAttribute('href', `#${await groupName.getAttribute('id')}`);
      await expect(groupName).toHaveAttribute('aria-invalid', 'true');
      await expect(contact.locator(`[id="${await groupName.getAttribute('id')}-error"]`)).toHaveText(t('order.group_name_required'));
      await expect(groupEmail, 'the entered e-mail address is kept').toHaveValue(GROUP_EMAIL);
      await expect(managerSelect.locator('option:checked'), 'the chosen manager is kept').toContainText('Pieter Bakker');
      await expectAccessible(contact, 'group certificate form without a group name');
      await groupError.click();
      await expect(groupName).toBeFocused();

      // With the group name: the review page with the card facts and the document.
      await groupName.fill(GROUP_NAME);
      await groupEmail.fill(GROUP_EMAIL);
      await chooseManager();
      await submit.click();
      const orderId = await orderIdOf(contact);
      const orderUrl = `${portal.origin}/bestellingen/${orderId}`;
      const draft = await apiOrder(contact, portal.origin, orderId);
      expect(draft).toMatchObject({
        type: 'card-new', status: 'draft', product: 'group',
        card: { card_type: 'group', group_name: GROUP_NAME, email: GROUP_EMAIL },
      });
      const main = contact.getByRole('main');
      await expect(contact.getByRole('heading', { level: 1 }))
        .toHaveText(t('orders.page.review_title', { number: orderId, name: draft.common_name }));
      await expect(fact(contact, t('orders.fact.type'))).toHaveText(t('orders.type.card-new'));
      await expect(fact(contact, t('orders.fact.status'))).toHaveText(t('order.status.draft'));
      await expect(fact(contact, t('orders.fact.organisation'))).toContainText('Voorbeeld B.V.');
      await expect(fact(contact, t('orders.fact.card_type'))).toHaveText(t('cards.type.group'));
      await expect(fact(contact, t('orders.fact.group_name'))).toHaveText(GROUP_NAME);
      await expect(fact(contact, t('orders.fact.manager'))).toContainText('Pieter Bakker');
      await expect(fact(contact, t('orders.fact.email'))).toHaveText(GROUP_EMAIL);
      await expect(fact(contact, t('orders.fact.requested_by'))).toHaveText('Sanne Jansen');
      await expect(fact(contact, t('orders.fact.validity'))).toContainText(t('orders.validity.from_until', {
        from: dutchDate(draft.not_before), until: dutchDate(draft.not_after),
      }));
      await expectAccessible(contact, 'group order review page');

      await signAndSubmit({
        page: contact, origin: portal.origin, orderId, user: portal.demo.users.contact, work, t,
        expectInDocument: [GROUP_NAME, GROUP_EMAIL, 'Soort pas:'],
      });
      await expect(contact.getByRole('heading', { level: 1 }))
        .toHaveText(t('orders.page.title', { number: orderId, name: draft.common_name }));
      await expect(fact(contact, t('orders.fact.signed_by'))).toContainText('Sanne Jansen');
      await expect(main.getByRole('heading', { name: t('orders.page.document_signed') })).toBeVisible();
      await expectAccessible(contact, 'group order page after signing');

      // The Servicedesk approves: the card goes into production; then shipped and activated.
      const officer = await loginAs('servicedesk');
      const officerOrderUrl = await approveAsServicedesk({
        officer, origin: portal.origin, orderId, t, expectAccessible, what: 'group card',
        name: draft.common_name, organisation: 'Voorbeeld B.V.',
      });
      await expect(fact(officer, t('orders.fact.status'))).toHaveText(t('order.status.in_production'));
      await expect(fact(officer, t('orders.fact.group_name'))).toHaveText(GROUP_NAME);
      await expect(fact(officer, t('orders.fact.signed_by'))).toContainText('Sanne Jansen');
      const shipped = officer.getByRole('button', { name: t('orders.review.shipped'), exact: true });
      await expect(officer.getByRole('button', { name: t('orders.review.activated'), exact: true })).toHaveCount(0);
      await expectAccessible(officer, 'servicedesk group order in production');
      await shipped.click();
      await expect(officer).toHaveURL(new RegExp(`^${escape(officerOrderUrl)}(\\?|$)`));
      await expect(officer.getByRole('status')).toHaveText(t('servicedesk.notice.verzonden'));
      await expect(fact(officer, t('orders.fact.status'))).toHaveText(t('order.status.shipped'));
      await expect(shipped).toHaveCount(0);
      await expectAccessible(officer, 'servicedesk group order shipped');
      await officer.getByRole('button', { name: t('orders.review.activated'), exact: true }).click();
      await expect(officer).toHaveURL(new RegExp(`^${escape(officerOrderUrl)}(\\?|$)`));
      await expect(officer.getByRole('status')).toHaveText(t('servicedesk.notice.geactiveerd'));
      await expect(fact(officer, t('orders.fact.status'))).toHaveText(t('order.status.issued'));
      await expect(officer.getByRole('button', { name: t('orders.review.activated'), exact: true })).toHaveCount(0);

      // The steps, each with its date, as the API records them.
      const issued = await apiOrder(officer, portal.origin, orderId);
      expect(issued.status).toBe('issued');
      expect(issued.card_id, 'the produced card').toBeTruthy();
      const statuses = issued.steps.map((step) => step.status);
      for (const status of ['draft', 'submitted', 'in_production', 'shipped', 'issued']) {
        expect(statuses, `the steps of the order reach ${status}`).toContain(status);
      }
      const steps = fact(officer, t('orders.fact.steps'));
      await expect(steps).toBeVisible();
      for (const step of issued.steps) {
        await expect(steps).toContainText(t('orders.step', { status: t(`order.status.${step.status}`), date: dutchDate(step.at) }));
      }
      await expectAccessible(officer, 'servicedesk group order issued');

      // The contact sees the order issued with its steps, and the new group card in "Passen".
      await contact.goto(orderUrl);
      await expect(fact(contact, t('orders.fact.status'))).toHaveText(t('order.status.issued'));
      const contactSteps = fact(contact, t('orders.fact.steps'));
      for (const step of issued.steps) {
        await expect(contactSteps).toContainText(t('orders.step', { status: t(`order.status.${step.status}`), date: dutchDate(step.at) }));
      }
      await expectAccessible(contact, 'issued group order page');
      await contact.getByRole('navigation', { name: t('layout.main_navigation') })
        .getByRole('link', { name: t('certificates.navigation.cards'), exact: true }).click();
      await expect(contact).toHaveURL(`${portal.origin}/organisaties/${organisationId}/passen`);
      const cardRow = cardsTable.getByRole('row').filter({ has: contact.getByRole('link', { name: GROUP_NAME, exact: true }) });
      await expect(cardRow).toHaveCount(1);
      await expect(cardRow).toContainText(t('cards.type.group'));
      await expect(cardRow.getByRole('link', { name: GROUP_NAME, exact: true })).toHaveAttribute('href', `/passen/${issued.card_id}`);
      await expectAccessible(contact, 'cards of the organisation with the new group card');
      await cardRow.getByRole('link', { name: GROUP_NAME, exact: true }).click();
      await expect(contact).toHaveURL(`${portal.origin}/passen/${issued.card_id}`);
      await expect(fact(contact, t('cards.detail.manager'))).toContainText('Pieter Bakker');
      await expectAccessible(contact, 'new group card');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  test('the professional renews her card and adds a mobile certificate with an activation code', async ({ loginAs, portal, expectAccessible }) => {
    test.setTimeout(150_000);
    const work = mkdtempSync(path.join(os.tmpdir(), 'mijncert-cards-'));
    try {
      const eva = await loginAs('professional');
      const officer = await loginAs('servicedesk');
      const nav = eva.getByRole('navigation', { name: t('layout.main_navigation') });
      const main = eva.getByRole('main');
      const openOwnCertificates = async (what) => {
        await eva.goto(`${portal.origin}/`);
        await nav.getByRole('link', { name: t('card_orders.own.navigation'), exact: true }).click();
        await expect(eva).toHaveURL(`${portal.origin}/mijn-certificaten`);
        await expect(eva.getByRole('heading', { level: 1 })).toHaveText(t('card_orders.own.title'));
        await expectAccessible(eva, `Mijn certificaten (${what})`);
      };
      const cardsTable = main.getByRole('table', { name: t('card_orders.own.cards_title') });
      const ordersTable = main.getByRole('table', { name: t('card_orders.own.orders_title') });

      // "Mijn certificaten": her professional card, due for renewal.
      await openOwnCertificates('before');
      const cardRows = cardsTable.getByRole('row').filter({ hasText: t('cards.type.professional') });
      await expect(cardRows).toHaveCount(1);
      const cardRow = cardRows.first();
      await expect(cardRow).toContainText('Eva de Boer');
      const renewLink = cardRow.getByRole('link', {
        name: t.pattern('card_orders.links.renew_label', { name: 'Eva de Boer', type: t('cards.type.professional') }),
      });
      await expect(renewLink).toHaveText(t('card_orders.links.renew'));
      const cardHref = await cardRow.getByRole('link', { name: 'Eva de Boer', exact: true }).getAttribute('href');
      const cardId = cardHref.match(/^\/passen\/(\d+)$/)?.[1];
      expect(cardId, `card link ${cardHref}`).toBeTruthy();
      await renewLink.click();

      // The renewal form, with her data filled in; she changes the registration number.
      await expect(eva).toHaveURL(`${portal.origin}/passen/${cardId}/vernieuwen`);
      await expect(eva.getByRole('heading', { level: 1 })).toHaveText(t('card_orders.form.renew_professional_title'));
      await expect(fact(eva, t('card_orders.fact.card_type'))).toHaveText(t('cards.type.professional'));
      await expect(eva.getByRole('textbox', { name: t('card_orders.form.given_name'), exact: true })).toHaveValue('Eva');
      await expect(eva.getByRole('textbox', { name: t('card_orders.form.surname'), exact: true })).toHaveValue('de Boer');
      const registration = eva.getByRole('textbox', { name: t('card_orders.form.registration_number'), exact: true });
      const oldRegistration = await registration.inputValue();
      expect(oldRegistration, 'the current registration number is filled in').not.toBe('');
      expect(oldRegistration).not.toBe(NEW_REGISTRATION_NUMBER);
      await expectAccessible(eva, 'professional renewal form');
      await registration.fill(NEW_REGISTRATION_NUMBER);
      await eva.getByRole('button', { name: t('orders.form.submit'), exact: true }).click();
      const renewalId = await orderIdOf(eva);
      const renewal = await apiOrder(eva, portal.origin, renewalId);
      expect(renewal).toMatchObject({
        type: 'card-renew', status: 'draft', organisation_id: null, product: 'professional',
        card: { card_type: 'professional', registration_number: NEW_REGISTRATION_NUMBER },
      });
      await expect(eva.getByRole('heading', { level: 1 }))
        .toHaveText(t('orders.page.review_title', { number: renewalId, name: renewal.common_name }));
      await expect(fact(eva, t('orders.fact.type'))).toHaveText(t('orders.type.card-renew'));
      await expect(fact(eva, t('orders.fact.card_type'))).toHaveText(t('cards.type.professional'));
      await expect(fact(eva, t('orders.fact.holder'))).toHaveText('Eva de Boer');
      await expect(fact(eva, t('orders.fact.registration_number'))).toHaveText(NEW_REGISTRATION_NUMBER);
      await expect(fact(eva, t('orders.fact.based_on'))).toHaveText(cardId);
      await expectAccessible(eva, 'professional renewal review page');
      await signAndSubmit({
        page: eva, origin: portal.origin, orderId: renewalId, user: portal.demo.users.professional, work, t,
        expectInDocument: [NEW_REGISTRATION_NUMBER, 'Soort pas:'],
      });
      await expect(fact(eva, t('orders.fact.signed_by'))).toContainText('Eva de Boer');
      await expectAccessible(eva, 'professional renewal after signing');

      // The Servicedesk approves: the new card is in production.
      await approveAsServicedesk({
        officer, origin: portal.origin, orderId: renewalId, t, expectAccessible, what: 'professional renewal',
        name: renewal.common_name,
      });
      await expect(fact(officer, t('orders.fact.status'))).toHaveText(t('order.status.in_production'));
      await expectAccessible(officer, 'servicedesk professional renewal in production');

      await openOwnCertificates('renewal in production');
      const renewalRow = ordersTable.getByRole('row').filter({ has: eva.getByRole('link', { name: renewalId, exact: true }) });
      await expect(renewalRow).toHaveCount(1);
      await expect(renewalRow).toContainText(t('orders.type.card-renew'));
      await expect(renewalRow).toContainText(t('order.status.in_production'));

      // A mobile certificate on her (current) professional card.
      const currentCardRow = cardsTable.getByRole('row')
        .filter({ has: eva.locator(`a[href="/passen/${cardId}"]`) });
      await expect(currentCardRow).toHaveCount(1);
      const mobileLink = currentCardRow.getByRole('link', {
        name: t.pattern('card_orders.links.mobile_label', { name: 'Eva de Boer' }),
      });
      await expect(mobileLink).toHaveText(t('card_orders.links.mobile'));
      await mobileLink.click();
      await expect(eva).toHaveURL(`${portal.origin}/passen/${cardId}/mobiel`);
      await expect(eva.getByRole('heading', { level: 1 })).toHaveText(t('card_orders.form.mobile_title'));
      await expect(fact(eva, t('card_orders.fact.name'))).toHaveText('Eva de Boer');
      const mobilePhone = eva.getByRole('textbox', { name: t('card_orders.form.mobile_phone'), exact: true });
      await expect(mobilePhone, 'the phone is asked, not assumed').toHaveValue('');
      await expectAccessible(eva, 'mobile certificate form');
      await mobilePhone.fill(MOBILE_NUMBER);
      await eva.getByRole('button', { name: t('orders.form.submit'), exact: true }).click();
      const mobileId = await orderIdOf(eva);
      const mobile = await apiOrder(eva, portal.origin, mobileId);
      expect(mobile).toMatchObject({ type: 'mobile-add', status: 'draft', product: 'mobile' });
      await expect(fact(eva, t('orders.fact.type'))).toHaveText(t('orders.type.mobile-add'));
      await expect(fact(eva, t('orders.fact.card_type'))).toHaveText(t('cards.type.mobile'));
      await expect(fact(eva, t('orders.fact.phone'))).toContainText(mobile.card.phone);
      await expectAccessible(eva, 'mobile order review page');
      await signAndSubmit({
        page: eva, origin: portal.origin, orderId: mobileId, user: portal.demo.users.professional, work, t,
        expectInDocument: ['Soort pas:'],
      });
      await expect(main.getByRole('button', { name: t('orders.activation.create') }), 'no code before approval').toHaveCount(0);
      await expectAccessible(eva, 'mobile order after signing');

      await approveAsServicedesk({
        officer, origin: portal.origin, orderId: mobileId, t, expectAccessible, what: 'mobile certificate',
        name: mobile.common_name,
      });
      await expect(fact(officer, t('orders.fact.status'))).toHaveText(t('order.status.approved'));
      await expectAccessible(officer, 'servicedesk mobile order approved');

      // Eva opens her order from "Mijn certificaten" and makes an activation code: shown once.
      await openOwnCertificates('mobile approved');
      const mobileRow = ordersTable.getByRole('row').filter({ has: eva.getByRole('link', { name: mobileId, exact: true }) });
      await expect(mobileRow).toContainText(t('order.status.approved'));
      await mobileRow.getByRole('link', { name: mobileId, exact: true }).click();
      const mobileUrl = `${portal.origin}/bestellingen/${mobileId}`;
      await expect(eva).toHaveURL(mobileUrl);
      await expect(fact(eva, t('orders.fact.status'))).toHaveText(t('order.status.approved'));
      await expect(main.getByText(t('orders.activation.explanation'))).toBeVisible();
      await expectAccessible(eva, 'approved mobile order page');
      const [made] = await Promise.all([
        eva.waitForResponse((r) => r.request().method() === 'POST' && r.url() === `${mobileUrl}/activeringscode`),
        main.getByRole('button', { name: t('orders.activation.create'), exact: true }).click(),
      ]);
      expect(made.status(), 'POST activeringscode').toBe(200);
      expect(made.headers()['cache-control'], 'the page with the code is not stored').toContain('no-store');
      const shown = eva.getByRole('status').filter({ hasText: t('orders.activation.shown_once') });
      await expect(shown).toBeVisible();
      const code = eva.locator('#activeringscode');
      await expect(code).toHaveText(/^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
      const codeText = (await code.textContent()).trim();
      await expectAccessible(eva, 'mobile order page with the activation code');

      // Opened again (GET): the code is gone, the page says one was made.
      await eva.goto(mobileUrl);
      await expect(eva.locator('#activeringscode')).toHaveCount(0);
      await expect(main).not.toContainText(codeText);
      const withCode = await apiOrder(eva, portal.origin, mobileId);
      expect(withCode.activation_code, 'the API knows a code exists').toMatchObject({ used: false });
      expect(JSON.stringify(withCode), 'the API never returns the code').not.toContain(codeText);
      await expect(main.getByText(t('orders.activation.made', { expires: dutchDate(withCode.activation_code.expires_at) }), { exact: true }))
        .toBeVisible();
      await expectAccessible(eva, 'mobile order page after the code was made');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
