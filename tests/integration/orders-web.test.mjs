// Ordering server certificates through the pages (docs/architecture.md §One order): the order form
// with a CSR upload, the review page with the document to sign, uploading the .p7s, the renewal
// form, and the Servicedesk's queue and decisions. Forms need the session's csrf_token; refusals
// re-render the form with status 400 and the message; other organisations get 404.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { withDemoServer } from '../support/integration.mjs';
import {
  dutchDate, htmlIncludes, mainOf, makeCsr, message, orderApi, pageApi, preText, removeTempFiles, signDocument,
} from '../support/orders.mjs';

const T = { timeout: 120_000 };

describe('server certificate orders through the pages', () => {
  const portal = withDemoServer();
  const api = orderApi(portal);
  const pages = pageApi(portal);
  const ids = {};
  let contact;
  let officer;

  before(async () => {
    ids.voorbeeld = await api.organisationOf('contact');
    const organisation = await api.organisation('contact', ids.voorbeeld);
    ids.manager = organisation.managers.find((m) => m.name === 'Pieter Bakker').id;
    contact = await pages.login('contact', '/');
    officer = await pages.login('servicedesk', '/servicedesk');
  }, { timeout: 60_000 });
  after(removeTempFiles);

  const orderForm = () => `/organisaties/${ids.voorbeeld}/servercertificaten/bestellen`;

  /** The number of orders of Voorbeeld, through the API. */
  async function orderCount() {
    return (await api.getJson('contact', `/api/v1/organisations/${ids.voorbeeld}/orders`)).items.length;
  }

  /** Asserts a 303 to /bestellingen/N (or PREFIX/N) and returns N. */
  function orderIdFrom(response, prefix = '/bestellingen') {
    assert.equal(response.status, 303, response.toString());
    const match = response.location?.pathname.match(new RegExp(`^${prefix}/(\\d+)$`));
    assert.ok(match, `redirect to ${response.header('location')}, expected ${prefix}/N`);
    return Number(match[1]);
  }

  /** Asserts the error pattern: STATUS, "Fout:" in the title, an error summary with MESSAGE. */
  function assertFormError(response, status, expectedMessage) {
    assert.equal(response.status, status, response.toString());
    const html = response.body;
    assert.match(html, /<title>Fout: /, 'the title does not say there is an error');
    const summary = html.match(/<div class="[^"]*utrecht-alert--error[^"]*" role="alert"[^>]*>([\s\S]*?)<\/div>/);
    assert.ok(summary, `no error summary:\n${mainOf(html).slice(0, 3000)}`);
    assert.ok(htmlIncludes(summary[1], message('form.error_summary')), 'the summary has no heading');
    if (expectedMessage) {
      assert.ok(htmlIncludes(summary[1], expectedMessage), `the summary does not list ${JSON.stringify(expectedMessage)}:\n${summary[1]}`);
    }
    return html;
  }

  /** Posts the order form with CSR (PEM) as a file and manager FIELDS; returns the response. */
  async function postOrderForm(session, csrPem, fields = { manager: String(ids.manager) }, options) {
    return pages.postMultipart(session, orderForm(), fields,
      csrPem === null ? {} : { csr: { filename: 'server.csr', content: csrPem, type: 'application/pkcs10' } }, options);
  }

  /** Orders CN through the form and returns {id, csr}. */
  async function orderThroughForm(cn, sans) {
    const csr = await makeCsr({ cn, sans });
    const response = await postOrderForm(contact, csr.csrPem);
    return { id: orderIdFrom(response), csr };
  }

  describe('ordering, reviewing and signing as the contact', () => {
    let orderId;
    let document;

    test('the order form offers the managers and carries a csrf token', T, async () => {
      const response = await pages.get(contact, orderForm());
      assert.equal(response.status, 200, response.toString());
      const html = response.body;
      assert.match(html, /<input type="hidden" name="csrf_token" value="[^"]+">/);
      assert.match(html, /<form\b[^>]*enctype="multipart\/form-data"/, 'the form cannot upload a file');
      assert.match(html, /<input\b[^>]*type="file"[^>]*name="csr"|<input\b[^>]*name="csr"[^>]*type="file"/, 'no CSR file input');
      assert.match(html, /<textarea\b[^>]*name="csr_text"/, 'no CSR textarea');
      assert.match(html, new RegExp(`<option value="${ids.manager}"[^>]*>[^<]*Pieter Bakker`), 'Pieter Bakker is not offered');
      assert.match(html, /<option value="nieuw"/, 'no option for a new manager');
    });

    test('posting a CSR file leads to the review page with the validity and the document', T, async () => {
      const csr = await makeCsr({ cn: 'web.voorbeeld.nl', sans: ['web.voorbeeld.nl', 'www.web.voorbeeld.nl'] });
      const before = await orderCount();
      orderId = orderIdFrom(await postOrderForm(contact, csr.csrPem));
      assert.equal(await orderCount(), before + 1);
      const order = await api.order('contact', orderId);
      assert.equal(order.status, 'draft');
      assert.deepEqual(order.sans, ['web.voorbeeld.nl', 'www.web.voorbeeld.nl']);
      document = await api.document('contact', orderId);

      const page = await pages.get(contact, `/bestellingen/${orderId}`);
      assert.equal(page.status, 200, page.toString());
      const html = mainOf(page.body);
      assert.ok(html.includes(dutchDate(order.not_before)), `the start ${dutchDate(order.not_before)} is not shown`);
      assert.ok(html.includes(dutchDate(order.not_after)), `the end ${dutchDate(order.not_after)} is not shown`);
      assert.ok(htmlIncludes(html, 'www.web.voorbeeld.nl'), 'the SANs are not shown');
      const shown = preText(html);
      assert.ok(shown, 'the document is not shown in a <pre>');
      assert.equal(shown.trim(), document.trim(), 'the page shows another document than the one to sign');
      assert.match(html, new RegExp(`href="/bestellingen/${orderId}/document\\.txt"`), 'no download link');
      assert.match(html, new RegExp(`<form\\b[^>]*action="/bestellingen/${orderId}/handtekening"`), 'no signature form');
      assert.match(page.body, /<input type="hidden" name="csrf_token" value="[^"]+">/);
    });

    test('document.txt is exactly the document of the API', T, async () => {
      const response = await pages.get(contact, `/bestellingen/${orderId}/document.txt`);
      assert.equal(response.status, 200, response.toString());
      assert.match(response.header('content-type') ?? '', /^text\/plain/);
      assert.match(response.header('content-disposition') ?? '', /attachment/);
      assert.equal(response.body, document);
    });

    test('an unreadable .p7s is refused with the message, and the order stays a draft', T, async () => {
      const response = await pages.postMultipart(contact, `/bestellingen/${orderId}/handtekening`, {},
        { signature: { filename: 'bestelling.p7s', content: randomBytes(300), type: 'application/pkcs7-signature' } });
      assert.equal(response.status, 400, response.toString());
      assert.ok(htmlIncludes(response.body, message('signature.unreadable')), 'the unreadable message is not shown');
      assert.equal((await api.order('contact', orderId)).status, 'draft');
    });

    test('a signature by someone else is refused with other_person', T, async () => {
      const signature = await signDocument(portal.demo, 'representative', document);
      const response = await pages.postMultipart(contact, `/bestellingen/${orderId}/handtekening`, {},
        { signature: { filename: 'bestelling.p7s', content: signature, type: 'application/pkcs7-signature' } });
      assert.equal(response.status, 400, response.toString());
      assert.ok(htmlIncludes(response.body, message('signature.other_person')), 'the other_person message is not shown');
      assert.equal((await api.order('contact', orderId)).status, 'draft');
    });

    test('without the csrf token the signature is not accepted', T, async () => {
      const signature = await signDocument(portal.demo, 'contact', document);
      const response = await pages.postMultipart(contact, `/bestellingen/${orderId}/handtekening`, {},
        { signature: { filename: 'bestelling.p7s', content: signature } }, { withCsrf: false });
      assert.equal(response.status, 403, response.toString());
      assert.equal((await api.order('contact', orderId)).status, 'draft');
    });

    test('another organisation gets 404 for the order page and its document', T, async () => {
      const other = await pages.login('other', '/');
      assert.equal((await pages.get(other, `/bestellingen/${orderId}`)).status, 404);
      const download = await pages.get(other, `/bestellingen/${orderId}/document.txt`);
      assert.equal(download.status, 404, download.toString());
      assert.ok(!download.body.includes('Nonce'), 'the document leaked');
      const signature = await signDocument(portal.demo, 'other', document);
      const response = await pages.postMultipart(other, `/bestellingen/${orderId}/handtekening`, {},
        { signature: { filename: 'bestelling.p7s', content: signature } });
      assert.equal(response.status, 404, response.toString());
      assert.equal((await api.order('contact', orderId)).status, 'draft');
    });

    test('the signed .p7s is accepted: 303 and the page says "Ingediend"', T, async () => {
      const signature = await signDocument(portal.demo, 'contact', document);
      const response = await pages.postMultipart(contact, `/bestellingen/${orderId}/handtekening`, {},
        { signature: { filename: 'bestelling.p7s', content: signature, type: 'application/pkcs7-signature' } });
      assert.equal(orderIdFrom(response), orderId);
      assert.equal((await api.order('contact', orderId)).status, 'submitted');
      const page = await pages.get(contact, `/bestellingen/${orderId}`);
      assert.equal(page.status, 200);
      assert.ok(htmlIncludes(mainOf(page.body), message('order.status.submitted')), 'the status "Ingediend" is not shown');
      assert.doesNotMatch(page.body, new RegExp(`<form\\b[^>]*action="/bestellingen/${orderId}/handtekening"`),
        'a submitted order still offers the signature form');
    });

    test('the order is listed on the organisation\'s orders page', T, async () => {
      const page = await pages.get(contact, `/organisaties/${ids.voorbeeld}/bestellingen`);
      assert.equal(page.status, 200, page.toString());
      assert.match(page.body, new RegExp(`href="/bestellingen/${orderId}"`));
    });

    test('the Servicedesk finds it in the queue and approves it: issued', T, async () => {
      const queue = await pages.get(officer, '/servicedesk/bestellingen?status=submitted');
      assert.equal(queue.status, 200, queue.toString());
      assert.match(queue.body, new RegExp(`href="/servicedesk/bestellingen/${orderId}"`), 'the order is not in the queue');
      const detail = await pages.get(officer, `/servicedesk/bestellingen/${orderId}`);
      assert.equal(detail.status, 200, detail.toString());
      assert.ok(htmlIncludes(detail.body, document.match(/^Nonce: .*$/m)[0]), 'the evidence does not show the document');
      const p7s = await pages.get(officer, `/servicedesk/bestellingen/${orderId}/handtekening.p7s`);
      assert.equal(p7s.status, 200, p7s.toString());

      const refused = await pages.post(contact, `/servicedesk/bestellingen/${orderId}/goedkeuren`);
      assert.equal(refused.status, 403, refused.toString());
      assert.equal((await api.order('contact', orderId)).status, 'submitted');

      const approved = await pages.post(officer, `/servicedesk/bestellingen/${orderId}/goedkeuren`);
      assert.equal(orderIdFrom(approved, '/servicedesk/bestellingen'), orderId);
      const order = await api.order('contact', orderId);
      assert.equal(order.status, 'issued');
      assert.ok(Number.isInteger(order.certificate_id));
      const page = await pages.get(contact, `/bestellingen/${orderId}`);
      assert.ok(htmlIncludes(mainOf(page.body), message('order.status.issued')), 'the status "Uitgegeven" is not shown');
      assert.match(page.body, new RegExp(`href="/servercertificaten/${order.certificate_id}"`), 'no link to the certificate');
    });
  });

  describe('refused order forms', () => {
    test('without the csrf token nothing is ordered (403)', T, async () => {
      const csr = await makeCsr({ cn: 'zonder-token.voorbeeld.nl' });
      const before = await orderCount();
      const response = await postOrderForm(contact, csr.csrPem, { manager: String(ids.manager) }, { withCsrf: false });
      assert.equal(response.status, 403, response.toString());
      const wrongToken = await postOrderForm(contact, csr.csrPem, { manager: String(ids.manager), csrf_token: 'x'.repeat(43) }, { withCsrf: false });
      assert.equal(wrongToken.status, 403, wrongToken.toString());
      assert.equal(await orderCount(), before, 'a forged form created an order');
    });

    test('a malformed CSR re-renders the form (400) with the csr message', T, async () => {
      const before = await orderCount();
      const response = await postOrderForm(contact, 'dit is geen CSR');
      const html = assertFormError(response, 400, message('csr.unreadable'));
      assert.match(html, /<input type="hidden" name="csrf_token" value="[^"]+">/, 'the re-rendered form has no token');
      assert.equal(await orderCount(), before);
    });

    test('a wildcard CSR pasted as text is refused with the wildcard message', T, async () => {
      const { csrPem } = await makeCsr({ cn: '*.voorbeeld.nl' });
      const response = await pages.postMultipart(contact, orderForm(), { manager: String(ids.manager), csr_text: csrPem });
      assertFormError(response, 400, message('csr.name.wildcard'));
    });

    test('a new manager with an invalid e-mail address is refused (400)', T, async () => {
      const { csrPem } = await makeCsr({ cn: 'nieuwe-beheerder-web.voorbeeld.nl' });
      const before = await orderCount();
      const response = await postOrderForm(contact, csrPem, {
        manager: 'nieuw', manager_name: 'Kees Nieuwenhuis', manager_email: 'geen-e-mailadres', manager_phone: '+31 30 123 45 77',
      });
      const html = assertFormError(response, 400);
      assert.match(html, /href="#[^"]*manager[-_]email"/, 'the summary does not link to the e-mail field');
      assert.ok(htmlIncludes(html, message('validation.email')), 'the e-mail message is not shown');
      assert.equal(await orderCount(), before);
    });

    test('a CSR pasted as text with a new manager is ordered', T, async () => {
      const { csrPem } = await makeCsr({ cn: 'geplakt.voorbeeld.nl' });
      const response = await pages.postMultipart(contact, orderForm(), {
        csr_text: csrPem, manager: 'nieuw', manager_name: 'Kees Nieuwenhuis', manager_email: 'k.nieuwenhuis@voorbeeld.nl',
        manager_phone: '+31 30 123 45 77',
      });
      const id = orderIdFrom(response);
      const document = await api.document('contact', id);
      assert.match(document, /^Certificaatbeheerder \(nieuw\): Kees Nieuwenhuis <k\.nieuwenhuis@voorbeeld\.nl>/m);
    });

    test('another organisation gets 404 for Voorbeeld\'s order form', T, async () => {
      const other = await pages.login('other', '/');
      assert.equal((await pages.get(other, orderForm())).status, 404);
    });
  });

  describe('renewal form', () => {
    test('the certificate page links to it; it shows the certificate and leads to a renewal order', T, async () => {
      const old = (await api.certificates('contact', ids.voorbeeld)).find((item) => item.status === 'expiring');
      assert.ok(old, 'no expiring certificate');
      const detail = await pages.get(contact, `/servercertificaten/${old.id}`);
      assert.equal(detail.status, 200, detail.toString());
      assert.match(detail.body, new RegExp(`href="/servercertificaten/${old.id}/vernieuwen"`), 'no "Vernieuwen" link');

      const form = await pages.get(contact, `/servercertificaten/${old.id}/vernieuwen`);
      assert.equal(form.status, 200, form.toString());
      assert.ok(htmlIncludes(mainOf(form.body), old.common_name), 'the form does not show the certificate being renewed');
      assert.match(form.body, /<input type="hidden" name="csrf_token" value="[^"]+">/);

      const csr = await makeCsr({ cn: old.common_name, sans: old.sans });
      const response = await pages.postMultipart(contact, `/servercertificaten/${old.id}/vernieuwen`, {},
        { csr: { filename: 'vernieuwing.csr', content: csr.csrPem, type: 'application/pkcs10' } });
      const id = orderIdFrom(response);
      const order = await api.order('contact', id);
      assert.equal(order.type, 'server-renew');
      assert.equal(order.renewal_of, old.id);
      assert.equal(order.status, 'draft');
      const page = await pages.get(contact, `/bestellingen/${id}`);
      assert.equal(page.status, 200);
      assert.ok(page.body.includes(dutchDate(order.not_after)), 'the review page does not show the new end');
    });

    test('another organisation gets 404 for the renewal form', T, async () => {
      const old = (await api.certificates('contact', ids.voorbeeld))[0];
      const other = await pages.login('other', '/');
      assert.equal((await pages.get(other, `/servercertificaten/${old.id}/vernieuwen`)).status, 404);
    });
  });

  describe('Servicedesk decisions on pages', () => {
    test('a rejection needs a reason; the requester sees "Afgewezen" and the reason', T, async () => {
      const { id } = await orderThroughForm('afwijzen-web.voorbeeld.nl');
      await api.submit('contact', id);
      const empty = await pages.post(officer, `/servicedesk/bestellingen/${id}/afwijzen`, { reason: '' });
      assert.equal(empty.status, 400, empty.toString());
      assert.ok(htmlIncludes(empty.body, message('order.reason_required')), 'no "reason required" message');
      assert.equal((await api.order('contact', id)).status, 'submitted');
      const reason = 'De CSR hoort niet bij deze organisatie <script>';
      const rejected = await pages.post(officer, `/servicedesk/bestellingen/${id}/afwijzen`, { reason });
      assert.equal(orderIdFrom(rejected, '/servicedesk/bestellingen'), id);
      assert.equal((await api.order('contact', id)).status, 'rejected');
      const page = await pages.get(contact, `/bestellingen/${id}`);
      const html = mainOf(page.body);
      assert.ok(htmlIncludes(html, message('order.status.rejected')), 'the status "Afgewezen" is not shown');
      assert.ok(html.includes('De CSR hoort niet bij deze organisatie &lt;script&gt;'), 'the reason is not shown (escaped)');
    });

    test('an order on hold: the Servicedesk validates the domain on the order page, then approves', T, async () => {
      const { id } = await orderThroughForm('www.web-nieuw-domein.nl');
      await api.submit('contact', id, 'on_hold');
      const page = await pages.get(contact, `/bestellingen/${id}`);
      assert.ok(htmlIncludes(mainOf(page.body), message('order.status.on_hold')), 'the status "Wacht op domeinvalidatie" is not shown');
      const detail = await pages.get(officer, `/servicedesk/bestellingen/${id}`);
      assert.ok(htmlIncludes(detail.body, 'www.web-nieuw-domein.nl'));
      const early = await pages.post(officer, `/servicedesk/bestellingen/${id}/goedkeuren`);
      assert.ok([400, 409].includes(early.status), `approving before validation: ${early.toString()}`);
      assert.equal((await api.order('contact', id)).status, 'on_hold');
      const validated = await pages.post(officer, `/servicedesk/bestellingen/${id}/domein`, { domain: 'web-nieuw-domein.nl' });
      assert.equal(orderIdFrom(validated, '/servicedesk/bestellingen'), id);
      const approved = await pages.post(officer, `/servicedesk/bestellingen/${id}/goedkeuren`);
      assert.equal(orderIdFrom(approved, '/servicedesk/bestellingen'), id);
      assert.equal((await api.order('contact', id)).status, 'issued');
    });

    test('a key put on the blocklist by the Servicedesk is refused in a new CSR', T, async () => {
      const csr = await makeCsr({ cn: 'geblokkeerd.voorbeeld.nl' });
      const again = await makeCsr({ cn: 'nog-eens-geblokkeerd.voorbeeld.nl', key: csr.keyPath });
      const list = await pages.get(officer, '/servicedesk/sleutelblokkades');
      assert.equal(list.status, 200, list.toString());
      const customer = await pages.post(contact, '/servicedesk/sleutelblokkades', { key: csr.csrPem, reason: 'zelf geblokkeerd' });
      assert.equal(customer.status, 403, customer.toString());
      const blocked = await pages.post(officer, '/servicedesk/sleutelblokkades', { key: csr.csrPem, reason: 'Sleutel uitgelekt' });
      assert.equal(blocked.status, 303, blocked.toString());
      assert.equal(blocked.location.pathname, '/servicedesk/sleutelblokkades');
      const response = await api.createOrder('contact', {
        type: 'server-new', organisation_id: ids.voorbeeld, csr: again.csrPem, manager: { id: ids.manager },
      });
      assert.equal(response.status, 400, response.toString());
      const entry = response.json().errors?.find((e) => e.field === 'csr');
      assert.equal(entry?.message, message('csr.weak_key.blocklisted'), response.body);
    });

    test('the requester can cancel a draft on its page', T, async () => {
      const { id } = await orderThroughForm('annuleren-web.voorbeeld.nl');
      const response = await pages.post(contact, `/bestellingen/${id}/annuleren`);
      assert.equal(orderIdFrom(response), id);
      assert.equal((await api.order('contact', id)).status, 'cancelled');
      const page = await pages.get(contact, `/bestellingen/${id}`);
      assert.ok(htmlIncludes(mainOf(page.body), message('order.status.cancelled')), 'the status "Geannuleerd" is not shown');
    });
  });
});
