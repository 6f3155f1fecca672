// Logging in and signing with the phone (ADR 0008, docs/mobile-protocol.md) in a real browser.
// Before the tests Eva de Boer enrols a mobile certificate through the API (a mobile-add order,
// approved by the Servicedesk, its activation code and a P-256 key from `openssl req`).
// 1. A browser WITHOUT client certificate opens "Inloggen met uw telefoon", starts, and sees the
//    QR code (an svg image with an accessible name), the link and the code to type. The test plays
//    the app: it fetches the request and answers it with the mobile key (the reference signer app
//    build/mijncert-signer when it has been built, `openssl cms -sign` otherwise). The page's
//    script notices by itself and continues to Eva's dashboard; the test never reloads.
// 2. Eva, with her card in the browser, orders a mobile certificate, and on the review page chooses
//    "Ondertekenen met uw telefoon"; the QR page appears, the app answers, and the page continues
//    by itself to the order, now "Ingediend".
// Every page is WCAG 2.1 AA clean (axe).
import { PortalClient } from '../support/tls.mjs';
import { removeTempFiles } from '../support/orders.mjs';
import { mobileApi, runSigner, signerAvailable } from '../support/mobile.mjs';
import { escape, fact, t } from '../support/pages.mjs';
import { expect, test } from '../support/browser.mjs';

/** How long the page may take to notice the answer: it polls every 2 s. */
const CONTINUES_WITHIN_MS = 15_000;

test.describe('the phone as login and signature', () => {
  test.describe.configure({ mode: 'serial' });

  /** The node side of the browser suite's server: {server, client, demo}. */
  let portal;
  let mobile;
  /** Eva's mobile certificate: {certPath, keyPath, …}. */
  let evaMobile;

  test.beforeAll(async () => {
    const server = JSON.parse(process.env.MIJNCERT_BROWSER_SERVER);
    portal = { server, client: new PortalClient(server), demo: server.demo };
    mobile = mobileApi(portal);
    evaMobile = await mobile.enrolMobile();
  });

  test.afterAll(async () => {
    portal?.client.close();
    await removeTempFiles();
  });

  /**
   * The app: answers request ID (typed from the page) of KIND with Eva's mobile certificate —
   * with the reference signer app when it is built, with openssl otherwise.
   */
  async function answerOnPhone(id, kind, number = null) {
    // A login is confirmed by picking the number the browser shows (ADR 0021).
    const pick = number === null ? [] : ['--number', String(number)];
    if (signerAvailable()) {
      const result = await runSigner([kind, id, '--url', portal.server.origin, '--key', evaMobile.keyPath,
        '--cert', evaMobile.certPath, '--cacert', portal.demo.rootCa, '--yes', ...pick]);
      expect(result.code, `mijncert-signer ${kind}: ${result.stdout}\n${result.stderr}`).toBe(0);
      return;
    }
    const request = await mobile.appRequestOk(id);
    expect(request.kind).toBe(kind);
    expect(request.origin).toBe(portal.server.origin);
    const response = await mobile.signAndAnswer(id, evaMobile, { document: request.document, number });
    expect(response.status, response.toString()).toBe(200);
    expect(response.json().status).toBe('completed');
  }

  /** Asserts the QR page of a pending request and returns its id (the code to type). */
  async function expectQrPage(page, heading, expectAccessible, what) {
    await expect(page).toHaveURL(new RegExp(`^${escape(portal.server.origin)}/mobiel/verzoeken/[A-Za-z0-9_-]{22}$`));
    const id = new URL(page.url()).pathname.split('/').at(-1);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);
    const qr = page.getByRole('img', { name: t('mobile.page.qr_label'), exact: true });
    await expect(qr).toBeVisible();
    expect(await qr.evaluate((element) => element.tagName.toLowerCase())).toBe('svg');
    const box = await qr.boundingBox();
    expect(box.width, 'the QR code is too small to scan').toBeGreaterThanOrEqual(150);
    await expect(page.locator('#mobiel-code')).toHaveText(id);
    const link = page.getByRole('link', { name: `${portal.server.origin}/m/${id}`, exact: true });
    await expect(link).toHaveAttribute('href', `${portal.server.origin}/m/${id}`);
    await expect(page.getByRole('status')).toHaveText(t('mobile.status.pending'));
    await expectAccessible(page, what);
    return id;
  }

  test('without a card: log in by confirming on the phone; the page continues by itself to the dashboard', async ({ loginAs, expectAccessible }) => {
    test.setTimeout(60_000);
    const page = await loginAs(null);
    const navigations = [];
    page.on('framenavigated', (frame) => frame === page.mainFrame() && navigations.push(frame.url()));

    // The login page without certificate leads to the phone.
    await page.goto(`${portal.server.origin}/`);
    await page.getByRole('link', { name: t('mobile.start.title'), exact: true }).click();
    await expect(page).toHaveURL(`${portal.server.origin}/mobiel/inloggen`);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('mobile.start.title'));
    await expectAccessible(page, 'mobile login start page');

    await page.getByRole('button', { name: t('mobile.start.button'), exact: true }).click();
    const id = await expectQrPage(page, t('mobile.page.login_title'), expectAccessible, 'mobile login QR page');
    const before = navigations.length;

    const number = Number(await page.locator('#mobiel-nummer').textContent());
    expect(number, 'the page shows no number to pick in the app').toBeGreaterThanOrEqual(10);
    await answerOnPhone(id, 'login', number);

    await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('dashboard.title', { name: 'Eva de Boer' }),
      { timeout: CONTINUES_WITHIN_MS });
    await expect(page).toHaveURL(`${portal.server.origin}/`);
    // The script submitted "Verder" (afronden) and followed the redirect: no reload of the QR page.
    const after = navigations.slice(before);
    expect(after.some((url) => url.endsWith(`/mobiel/verzoeken/${id}`)), `the QR page was reloaded: ${after.join(', ')}`).toBe(false);
    await expectAccessible(page, 'dashboard after a mobile login');

    // The session works without a certificate: her own page, and logout ends it.
    await page.getByRole('navigation', { name: t('layout.main_navigation') })
      .getByRole('link', { name: t('card_orders.own.navigation'), exact: true }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('card_orders.own.title'));
    await page.getByRole('button', { name: t('layout.logout') }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(t('logout.title'));
    const response = await page.goto(`${portal.server.origin}/`);
    expect(response.status()).toBe(401);
  });

  test('Eva signs her order with the phone: the QR page continues by itself to the order, "Ingediend"', async ({ loginAs, expectAccessible }) => {
    test.setTimeout(60_000);
    const card = await mobile.professionalCard();
    const eva = await loginAs('professional');
    await eva.goto(`${portal.server.origin}/passen/${card.id}/mobiel`);
    await expect(eva.getByRole('heading', { level: 1 })).toHaveText(t('card_orders.form.mobile_title'));
    await eva.getByRole('textbox', { name: t('card_orders.form.mobile_phone'), exact: true }).fill('06 98 76 54 32');
    await eva.getByRole('button', { name: t('orders.form.submit'), exact: true }).click();
    await expect(eva).toHaveURL(new RegExp(`^${escape(portal.server.origin)}/bestellingen/\\d+$`));
    const orderId = Number(new URL(eva.url()).pathname.split('/').at(-1));
    await expect(fact(eva, t('orders.fact.status'))).toHaveText(t('order.status.draft'));

    const phoneButton = eva.getByRole('button', { name: t('mobile.sign.button'), exact: true });
    await expect(phoneButton).toBeVisible();
    await expectAccessible(eva, 'review page with the phone option');
    await phoneButton.click();

    const id = await expectQrPage(eva, t('mobile.page.sign_title'), expectAccessible, 'mobile signing QR page');
    const request = await mobile.appRequestOk(id);
    expect(request).toMatchObject({ kind: 'sign', order_id: orderId });
    expect(request.document).toBe(await mobile.cards.document('professional', orderId));

    await answerOnPhone(id, 'sign');

    await expect(eva).toHaveURL(`${portal.server.origin}/bestellingen/${orderId}?melding=ondertekend`, { timeout: CONTINUES_WITHIN_MS });
    await expect(eva.getByRole('status')).toHaveText(t('orders.notice.ondertekend'));
    await expect(fact(eva, t('orders.fact.status'))).toHaveText(t('order.status.submitted'));
    await expect(fact(eva, t('orders.fact.signed_by'))).toContainText('Eva de Boer');
    await expect(eva.getByRole('button', { name: t('mobile.sign.button'), exact: true })).toHaveCount(0);
    await expectAccessible(eva, 'order signed with the phone');
    expect((await mobile.cards.order('professional', orderId)).status).toBe('submitted');
  });
});
