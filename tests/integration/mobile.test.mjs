// Mobile login, signing and enrolment (ADR 0008, PRODUCT.md §3, §4, docs/mobile-protocol.md).
// Eva de Boer (the demo's professional) orders a mobile certificate on her professional card; the
// Servicedesk approves it; her activation code enrols a P-256 key made with `openssl req` (as a
// phone would) and the issued certificate is checked with openssl. With that certificate the
// "app" (node + `openssl cms -sign`) answers login and signing requests that a browser without
// client certificate started; the browser then gets a session that works without certificate.
// Every refusal of the protocol table is provoked and leaves no login behind. Expiry runs on a
// server with [mobile] request_validity_seconds = 10, the per-address limits on servers of their
// own with the default limits (the last tests of this file). The reference signer app
// build/mijncert-signer is exercised when it has been built.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { SESSION_COOKIE, assertSessionCookie } from '../support/assertions.mjs';
import { getBinary, subjectOf, verifyPersonCertificate } from '../support/cards.mjs';
import {
  assertProblem, htmlIncludes, makeCsr, message, publicKeyOf, removeTempFiles, signDocument, tempPath,
} from '../support/orders.mjs';
import {
  MOBILE_COOKIE, REQUEST_ID_PATTERN, assertMobileProblem, mobileApi, mobileMessage, runSigner, signatureCertificates,
  signerAvailable, signerBinary, withMobileServer,
} from '../support/mobile.mjs';
import { csrfTokenFrom } from '../support/tls.mjs';

const T = { timeout: 120_000 };
/** Eva de Boer's serialNumber (PRODUCT.md §9): her card and her mobile certificate carry it. */
const EVA_SERIAL_NUMBER = '900000005';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

after(removeTempFiles);

/** GET /api/v1/me with only the session cookie SESSION and IDENTITY's certificate (null: none). */
function me(portal, session, identity = null) {
  return portal.client.get(identity, '/api/v1/me', { headers: { accept: 'application/json' }, cookies: { [SESSION_COOKIE]: session } });
}

/** The text of an HTML page as a person reads it: no tags, attributes, scripts or styles. */
function visibleText(html) {
  return html.replace(/<(script|style)\b[\s\S]*?<\/\1>/g, ' ').replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ');
}

/** Asserts that RESPONSE hands out no session (no __Host-mc_session cookie with a value). */
function assertNoSession(response, what) {
  const cookie = response.cookie(SESSION_COOKIE);
  assert.ok(!cookie || !cookie.value, `${what}: a session cookie was set: ${cookie?.raw}`);
}

describe('mobile certificates (requests_per_minute raised so that the limit does not interfere)', () => {
  const portal = withMobileServer({ requests_per_minute: 1000 });
  const mobile = mobileApi(portal);
  const { cards, pages } = mobile;
  /** Eva's enrolled mobile certificate: {certPath, keyPath, certificatePem, …}. */
  let evaMobile;
  /** Eva's mobile certificate: the one of the enrolment test, or a new one (tests run filtered). */
  const ensureMobile = async () => {
    evaMobile ??= await mobile.enrolMobile();
    return evaMobile;
  };

  describe('enrolment', () => {
    let order;
    let csr;
    let enrolled = false;

    before(async () => {
      order = await mobile.approvedMobileOrder();
      csr = await mobile.newKeyAndCsr();
    }, { timeout: 60_000 });

    test('a wrong or malformed code is 404 invalid_code and uses nothing up', T, async () => {
      const last = order.code.at(-1);
      const wrong = `${order.code.slice(0, -1)}${last === 'A' ? 'B' : 'A'}`;
      for (const code of [wrong, 'AAAA-AAAA-AAAA-AAAA', 'ABC', '']) {
        const response = await mobile.enroll({ code, csr: csr.csrPem });
        assertMobileProblem(response, 404, 'invalid_code');
        assert.equal(response.cookie(SESSION_COOKIE), undefined);
      }
      const current = await cards.order('professional', order.orderId);
      assert.equal(current.status, 'approved', JSON.stringify(current));
      assert.equal(current.activation_code?.used, false, `the code was used up by wrong codes: ${JSON.stringify(current.activation_code)}`);
    });

    test('a garbage or weak CSR, or a body that is not JSON, is 400 and does not use the code up', T, async () => {
      assertMobileProblem(await mobile.enroll({ code: order.code, csr: 'garbage' }), 400, 'invalid');
      const header = '-----BEGIN CERTIFICATE REQUEST-----\nMIIBgarbage\n-----END CERTIFICATE REQUEST-----\n';
      assertProblem(await mobile.enroll({ code: order.code, csr: header }), 400);
      const weak = await makeCsr({ subject: '/CN=Zwakke sleutel', keyAlgorithm: 'rsa1024' });
      assertProblem(await mobile.enroll({ code: order.code, csr: weak.csrPem }), 400);
      assertProblem(await mobile.enroll('{"code": '), 400);
      const current = await cards.order('professional', order.orderId);
      assert.equal(current.status, 'approved', JSON.stringify(current));
      assert.equal(current.activation_code?.used, false, `a refused CSR used the code up: ${JSON.stringify(current.activation_code)}`);
    });

    test('the code enrols the key: 201, a mobile certificate of Eva (serialNumber 900000005) chaining to the demo root, order issued', T, async () => {
      const response = await mobile.enroll({ code: order.code, csr: csr.csrPem });
      assert.equal(response.status, 201, response.toString());
      assert.match(response.header('content-type') ?? '', /^application\/json/);
      assert.equal(response.cookie(SESSION_COOKIE), undefined, 'enrolment must not log anybody in');
      const body = response.json();
      assert.equal(body.order_id, order.orderId, response.body);
      assert.ok(Number.isInteger(body.card_id), `card_id: ${response.body}`);
      assert.match(body.certificate ?? '', /^-----BEGIN CERTIFICATE-----/);
      assert.match(body.chain ?? '', /-----BEGIN CERTIFICATE-----/);

      // The chain: the issuing persons CA; the whole path verifies against the demo root.
      const certificate = new X509Certificate(body.certificate);
      const issuer = new X509Certificate(body.chain.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/)[0]);
      assert.ok(certificate.checkIssued(issuer), `the first chain certificate (${issuer.subject}) did not issue ${certificate.subject}`);
      const verified = await verifyPersonCertificate(portal.demo, body.certificate);
      assert.ok(verified.ok, `openssl verify of the mobile certificate:\n${verified.output}`);
      const client = await verifyPersonCertificate(portal.demo, body.certificate, 'sslclient');
      assert.ok(client.ok || /unsupported certificate purpose/.test(client.output), client.output);

      // The holder's data, not the CSR's subject; the CSR's key.
      const subject = await subjectOf(body.certificate);
      assert.match(subject, new RegExp(`(^|,)serialNumber=${EVA_SERIAL_NUMBER}(,|$)`), subject);
      assert.match(subject, /(^|,)CN=Eva de Boer(,|$)/, subject);
      assert.ok(!subject.includes('Mijn telefoon'), `the CSR's subject was copied: ${subject}`);
      assert.equal(await publicKeyOf('x509', body.certificate), await publicKeyOf('req', csr.csrPem), 'not the key of the CSR');
      const days = (Date.parse(certificate.validTo) - Date.now()) / 86_400_000;
      assert.ok(days > 30 && days <= 731, `the mobile certificate ends in ${days} days`);

      const issued = await cards.order('professional', order.orderId);
      assert.equal(issued.status, 'issued', JSON.stringify(issued));
      assert.equal(issued.activation_code?.used, true, JSON.stringify(issued.activation_code));
      assert.ok(issued.steps.some((step) => step.status === 'issued'), JSON.stringify(issued.steps));
      const own = await cards.ownCards('professional');
      assert.ok(own.some((card) => card.id === body.card_id), `the mobile certificate's card ${body.card_id} is not among Eva's: ${JSON.stringify(own)}`);

      const certPath = await tempPath('eva-mobile.crt');
      await writeFile(certPath, `${body.certificate.trim()}\n${body.chain.trim()}\n`);
      evaMobile = { certPath, keyPath: csr.keyPath, certificatePem: body.certificate, fingerprint256: certificate.fingerprint256 };
      enrolled = true;
    });

    test('the code works once: a second enrolment is 404 invalid_code and issues nothing', T, async () => {
      assert.ok(enrolled, 'the enrolment test did not enrol');
      const again = await mobile.newKeyAndCsr();
      const before = (await cards.ownCards('professional')).length;
      assertMobileProblem(await mobile.enroll({ code: order.code, csr: again.csrPem }), 404, 'invalid_code');
      assert.equal((await cards.ownCards('professional')).length, before, 'a used code made another card');
      assert.equal((await cards.order('professional', order.orderId)).status, 'issued');
    });

    test('a new code replaces the previous one; the code is typed in any case, with spaces', T, async () => {
      // Two codes for one order: the second replaces the first (cards contract), so the first is invalid.
      const second = await mobile.approvedMobileOrder();
      const replaced = await cards.activationCode('professional', second.orderId);
      assert.equal(replaced.status, 200, replaced.toString());
      const newCode = replaced.json().activation_code;
      assert.notEqual(newCode, second.code);
      const key = await mobile.newKeyAndCsr();
      assertMobileProblem(await mobile.enroll({ code: second.code, csr: key.csrPem }), 404, 'invalid_code');
      // Typed by a person: lower case and without dashes is the same code.
      const enrolled = await mobile.enroll({ code: newCode.toLowerCase().replaceAll('-', ' '), csr: key.csrPem });
      assert.equal(enrolled.status, 201, enrolled.toString());
      assert.equal(enrolled.json().order_id, second.orderId);
    });
  });

  describe('login', () => {
    before(ensureMobile, { timeout: 60_000 });

    test('start without certificate: 303 to the request page with a __Host- binding cookie; the page has the QR code, link and code', T, async () => {
      const { response, id, binding } = await mobile.startLoginOk();
      assert.equal(response.location.pathname, `/mobiel/verzoeken/${id}`);
      assertNoSession(response, 'starting a login');
      const cookie = response.cookie(MOBILE_COOKIE);
      assert.ok(cookie, 'no binding cookie');
      assert.match(cookie.value, /^[A-Za-z0-9_-]{43,}$/, `binding cookie is not ≥ 256 bits: ${cookie.raw}`);
      assert.equal(cookie.attributes.secure, true, cookie.raw);
      assert.equal(cookie.attributes.httponly, true, cookie.raw);
      assert.equal(String(cookie.attributes.samesite).toLowerCase(), 'strict', cookie.raw);
      assert.equal(cookie.attributes.path, '/', cookie.raw);
      assert.equal(cookie.attributes.domain, undefined, cookie.raw);

      const page = await mobile.requestPage(id, binding);
      assert.equal(page.status, 200, page.toString());
      assert.equal(page.header('cache-control'), 'no-store');
      const svg = page.body.match(/<svg\b[^>]*>/)?.[0] ?? '';
      assert.match(svg, /\brole="img"/, `the QR code is not an image: ${svg}`);
      assert.ok(svg.includes(`aria-label="${mobileMessage('mobile.page.qr_label')}"`), `the QR code has no accessible name: ${svg}`);
      assert.ok(page.body.includes(`${portal.server.origin}/m/${id}`), 'the request URL is not on the page');
      assert.ok(page.body.includes(`>${id}</code>`), 'the typed code is not on the page');
      assert.ok(htmlIncludes(page.body, mobileMessage('mobile.page.login_title')), 'the login heading is missing');
      assert.ok(htmlIncludes(page.body, mobileMessage('mobile.status.pending')), 'the pending status is missing');

      // Starting again in the same browser keeps its binding cookie.
      const again = await mobile.startLoginOk(binding);
      assert.notEqual(again.id, id);
      assert.equal(again.response.cookie(MOBILE_COOKIE), undefined, 'a new binding cookie although the browser had one');
      assert.equal((await mobile.requestPage(again.id, binding)).status, 200);
    });

    test('the app fetches the request without certificate: kind login, the portal origin and the exact document', T, async () => {
      const { id } = await mobile.startLoginOk();
      const t0 = Date.now();
      const response = await mobile.appRequest(id);
      assert.equal(response.status, 200, response.toString());
      assert.equal(response.header('cache-control'), 'no-store');
      const request = response.json();
      assert.equal(request.id, id);
      assert.equal(request.kind, 'login');
      assert.equal(request.origin, portal.server.origin);
      assert.equal(request.order_id, undefined);
      assert.match(request.nonce, /^[A-Za-z0-9_-]{16,}$/);
      assert.match(request.expires_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      const left = (Date.parse(request.expires_at) - t0) / 1000;
      assert.ok(left > 100 && left <= 122, `the request is valid for ${left} s, not 2 minutes`);
      assert.equal(request.document, [
        'Document: mijncert-inloggen-2',
        `Portaal: ${portal.server.origin}`,
        `Verzoek: ${id}`,
        `Nonce: ${request.nonce}`,
        `Geldig tot: ${request.expires_at}`,
        `Browser: ${request.browser.description}`,
        `IP-adres: ${request.browser.address}`,
        `Gestart: ${request.browser.started_at}`,
      ].join('\n'));
      const other = await mobile.appRequestOk((await mobile.startLoginOk()).id);
      assert.notEqual(other.nonce, request.nonce, 'two requests share a nonce');
    });

    test('answered with the mobile key: completed; afronden gives a session for Eva that works without certificate until logout', T, async () => {
      const { id, binding } = await mobile.startLoginOk();
      const status0 = await mobile.status(id, binding);
      assert.equal(status0.status, 200, status0.toString());
      assert.deepEqual(status0.json(), { status: 'pending' });

      const answered = await mobile.signAndAnswer(id, evaMobile);
      assert.equal(answered.status, 200, answered.toString());
      assert.equal(answered.json().status, 'completed');
      assertNoSession(answered, 'the app\'s answer');
      await sleep(1100);
      const status1 = await mobile.status(id, binding);
      assert.equal(status1.status, 200, status1.toString());
      assert.equal(status1.json().status, 'completed');

      const finished = await mobile.finish(id, binding);
      assert.equal(finished.status, 303, finished.toString());
      assert.equal(finished.location.pathname, '/');
      const session = assertSessionCookie(finished, 'after a mobile login');

      const who = await me(portal, session);
      assert.equal(who.status, 200, who.toString());
      assert.equal(who.json().person.name, 'Eva de Boer');
      const dashboard = await portal.client.get(null, '/', { cookies: { [SESSION_COOKIE]: session } });
      assert.equal(dashboard.status, 200, dashboard.toString());
      assert.ok(dashboard.body.includes('Welkom, Eva de Boer'), 'the dashboard does not welcome Eva');
      assert.equal(dashboard.cookie(SESSION_COOKIE), undefined, 'the mobile session was replaced by a new one');
      const own = await portal.client.get(null, '/api/v1/cards', { headers: { accept: 'application/json' }, cookies: { [SESSION_COOKIE]: session } });
      assert.equal(own.status, 200, own.toString());
      assert.ok(own.json().items.some((card) => card.type === 'professional'), own.body);
      const certificates = await portal.client.get(null, '/mijn-certificaten', { cookies: { [SESSION_COOKIE]: session } });
      assert.equal(certificates.status, 200, certificates.toString());

      // The login is used once: afronden again makes no second session.
      const twice = await mobile.finish(id, binding);
      assertNoSession(twice, 'a second afronden');
      assert.notEqual(twice.status, 200);

      // Logout ends it.
      const csrf = csrfTokenFrom(dashboard.body);
      assert.ok(csrf, 'no logout form on the dashboard of a mobile session');
      const logout = await portal.client.request(null, 'POST', '/uitloggen', {
        cookies: { [SESSION_COOKIE]: session }, form: { csrf_token: csrf },
        headers: { origin: portal.server.origin, 'sec-fetch-site': 'same-origin' },
      });
      assert.equal(logout.status, 200, logout.toString());
      assert.ok(htmlIncludes(logout.body, 'U bent uitgelogd'), 'no logout page');
      const afterLogout = await me(portal, session);
      assert.equal(afterLogout.status, 401, `the session still works after logout: ${afterLogout.toString()}`);
      const pageAfter = await portal.client.get(null, '/', { cookies: { [SESSION_COOKIE]: session } });
      assert.equal(pageAfter.status, 401, pageAfter.toString());
    });

    test('number matching: only the browser shows the number; the app gets it among two decoys, with the browser\'s time, user agent and address', T, async () => {
      const firefox = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
      const { id, binding } = await mobile.startLoginOk(null, { 'user-agent': firefox });
      const number = await mobile.shownNumber(id, binding);
      assert.ok(Number.isInteger(number) && number >= 10 && number <= 99, `the page shows no two-digit number: ${number}`);
      const page = await mobile.requestPage(id, binding);
      assert.ok(htmlIncludes(page.body, mobileMessage('mobile.page.number_intro')), 'the page does not say to pick the number in the app');

      const t0 = Date.now();
      const request = await mobile.appRequestOk(id);
      assert.equal(request.choices?.length, 3, `the app is not offered three numbers: ${JSON.stringify(request)}`);
      assert.equal(new Set(request.choices).size, 3, `the decoys are not distinct: ${request.choices}`);
      assert.ok(request.choices.includes(number), `the browser's number ${number} is not among ${request.choices}`);
      assert.ok(request.choices.every((n) => Number.isInteger(n) && n >= 10 && n <= 99), `${request.choices}`);
      assert.deepEqual([...request.choices].sort((a, b) => a - b), request.choices, 'the order of the choices gives the number away');
      assert.equal(request.browser?.description, 'Firefox op Linux', JSON.stringify(request.browser));
      assert.equal(request.browser.address, '127.0.0.1');
      assert.ok(Math.abs(Date.parse(request.browser.started_at) - t0) < 10_000, `started_at ${request.browser.started_at}`);
      assert.ok(!JSON.stringify({ ...request, choices: null }).includes(`"${number}"`), 'the app\'s JSON names the number outside the choices');
      // What the person confirms is what is signed.
      assert.ok(request.document.includes('\nBrowser: Firefox op Linux\nIP-adres: 127.0.0.1\n'), request.document);

      // Neither the link page (what the phone opens) nor another browser sees the number.
      const link = await portal.client.get(null, `/m/${id}`);
      assert.equal(link.status, 200, link.toString());
      assert.ok(!link.body.includes('mobiel-nummer'), 'the link page shows the number');
      const chrome = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
      const other = await mobile.startLoginOk(null, { 'user-agent': chrome });
      assert.equal((await mobile.appRequestOk(other.id)).browser.description, 'Chrome op Windows');
    });

    test('a wrong number cancels the login: 409 wrong_number, the browser shows why, no session; a new request is needed', T, async () => {
      const { id, binding } = await mobile.startLoginOk();
      const number = await mobile.shownNumber(id, binding);
      const { choices, document } = await mobile.appRequestOk(id);
      const decoy = choices.find((n) => n !== number);
      const refused = await mobile.signAndAnswer(id, evaMobile, { document, number: decoy });
      const problem = assertMobileProblem(refused, 409, 'wrong_number');
      assert.equal(problem.detail, mobileMessage('mobile.wrong_number'));
      assertNoSession(refused, 'a wrong number');

      await sleep(1100);
      const status = await mobile.status(id, binding);
      assert.equal(status.status, 200, status.toString());
      assert.equal(status.json().status, 'cancelled', status.body);
      assert.equal(status.json().reason, mobileMessage('mobile.wrong_number'), status.body);
      const page = await mobile.requestPage(id, binding);
      assert.ok(htmlIncludes(page.body, mobileMessage('mobile.wrong_number')), 'the page does not say why the request was cancelled');
      assert.ok(page.body.includes('href="/mobiel/inloggen"'), 'the page offers no new request');
      assert.ok(!page.body.includes('mobiel-nummer'), 'a cancelled request still shows its number');

      // The right number afterwards does not revive it, and afronden logs nobody in.
      assertMobileProblem(await mobile.signAndAnswer(id, evaMobile, { document, number }), 409, 'cancelled');
      assertMobileProblem(await mobile.appRequest(id), 409, 'cancelled');
      assertNoSession(await mobile.finish(id, binding), 'afronden after a wrong number');
      // A new request of the same browser works.
      const again = await mobile.startLoginOk(binding);
      await mobile.answerOk(again.id, evaMobile);
      assertSessionCookie(await mobile.finish(again.id, binding), 'a new request after a wrong number');
    });

    test('a login answer without a number is 400 number_missing and changes nothing; knowing the id cancels nothing', T, async () => {
      const { id, binding } = await mobile.startLoginOk();
      const { document, choices } = await mobile.appRequestOk(id);
      assertMobileProblem(await mobile.signAndAnswer(id, evaMobile, { document, number: null }), 400, 'number_missing');
      assertMobileProblem(await mobile.signAndAnswer(id, evaMobile, { document, number: 'x' }), 400, 'number_missing');
      // Not a mobile certificate, or not a valid signature: a wrong number of those cancels nothing.
      const number = await mobile.shownNumber(id, binding);
      const decoy = choices.find((n) => n !== number);
      assertMobileProblem(await mobile.signAndAnswer(id, 'professional', { document, number: decoy }), 403, 'not_mobile');
      assertMobileProblem(await mobile.answer(id, Buffer.from('not a signature'), 'application/pkcs7-signature', decoy), 400, 'invalid');
      assert.equal((await mobile.appRequest(id)).status, 200, 'the request was cancelled by an unverified answer');
      await mobile.answerOk(id, evaMobile);
      assertSessionCookie(await mobile.finish(id, binding), 'after refused answers');
    });

    test('/m/{id} of an unknown request repeats nothing of the URL', T, async () => {
      for (const id of ['AAAAAAAAAAAAAAAAAAAAAA', 'Bel-0800-1234-voor-hulp', encodeURIComponent('Bel 0800 1234: uw account is geblokkeerd')]) {
        const link = await portal.client.get(null, `/m/${id}`);
        assert.equal(link.status, 404, `${id}: ${link.toString()}`);
        // What a person reads: the text and the title (the language switch's link may carry the path).
        const shown = visibleText(link.body);
        for (const text of [decodeURIComponent(id), 'AAAAAAAAAAAAAAAAAAAAAA', '0800', 'geblokkeerd']) {
          assert.ok(!shown.includes(text), `the page for /m/${id} shows "${text}" from the URL: ${shown}`);
        }
        if (!id.includes('%')) assert.ok(htmlIncludes(link.body, mobileMessage('mobile.unknown')), `/m/${id} does not say the request is unknown`);
      }
      // A request that can still be answered shows its code.
      const { id } = await mobile.startLoginOk();
      const known = await portal.client.get(null, `/m/${id}`);
      assert.equal(known.status, 200, known.toString());
      assert.ok(known.body.includes(`>${id}</code>`), 'the link page of a live request lacks its code');
    });

    test('a mobile session is nobody\'s with another client certificate: the cookie replayed by the contact, a stranger or Eva\'s card', T, async () => {
      const { session } = await mobile.login(evaMobile);
      const asContact = await me(portal, session, 'contact');
      assert.equal(asContact.status, 200, asContact.toString());
      assert.equal(asContact.json().person.name, 'Sanne Jansen', `the contact's connection is ${asContact.body}`);
      assert.ok(!asContact.body.includes('Eva de Boer'), 'the contact got Eva\'s session');
      const contactPage = await portal.client.get('contact', '/', { cookies: { [SESSION_COOKIE]: session } });
      assert.ok(!contactPage.body.includes('Welkom, Eva de Boer'), 'the contact sees Eva\'s dashboard');
      assert.ok(contactPage.cookie(SESSION_COOKIE)?.value && contactPage.cookie(SESSION_COOKIE).value !== session,
        'the contact was not given a session of her own');

      const asStranger = await me(portal, session, 'stranger');
      assert.equal(asStranger.status, 403, `a stranger with Eva's mobile session cookie: ${asStranger.toString()}`);
      assert.ok(!asStranger.body.includes('Eva de Boer'));

      // Eva's own card: a session bound to a certificate is never the mobile one.
      const asCard = await portal.client.get('professional', '/', { cookies: { [SESSION_COOKIE]: session } });
      assert.equal(asCard.status, 200, asCard.toString());
      const fresh = asCard.cookie(SESSION_COOKIE)?.value;
      assert.ok(fresh && fresh !== session, 'the mobile session was taken for a session of Eva\'s card');

      // Without a certificate the mobile session is still Eva's.
      const still = await me(portal, session);
      assert.equal(still.status, 200, still.toString());
      assert.equal(still.json().person.name, 'Eva de Boer');
      // And the card session does not work without the card.
      const cardSessionAlone = await me(portal, fresh);
      assert.equal(cardSessionAlone.status, 401, `a card session used without the card: ${cardSessionAlone.toString()}`);
    });

    test('afronden from another site (foreign Origin) is refused and logs nobody in; the browser can still finish', T, async () => {
      const { id, binding } = await mobile.startLoginOk();
      await mobile.answerOk(id, evaMobile);
      const foreign = await portal.client.request(null, 'POST', `/mobiel/verzoeken/${id}/afronden`, {
        form: {}, headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }, cookies: { [MOBILE_COOKIE]: binding },
      });
      assert.equal(foreign.status, 403, foreign.toString());
      assertNoSession(foreign, 'a cross-site afronden');
      const finished = await mobile.finish(id, binding);
      assert.equal(finished.status, 303, finished.toString());
      assertSessionCookie(finished, 'afronden after a refused cross-site attempt');
    });
  });

  describe('refusals: the protocol\'s problems, and no login', () => {
    before(ensureMobile, { timeout: 60_000 });

    test('an unknown request: 404 unknown for the app, 404 for a browser', T, async () => {
      const id = 'AAAAAAAAAAAAAAAAAAAAAA';
      assertMobileProblem(await mobile.appRequest(id), 404, 'unknown');
      const answered = await mobile.signAndAnswer(id, evaMobile, { document: 'Document: mijncert-inloggen-1\n' });
      assertMobileProblem(answered, 404, 'unknown');
      const { binding } = await mobile.startLoginOk();
      assert.equal((await mobile.status(id, binding)).status, 404);
      assert.equal((await mobile.requestPage(id, binding)).status, 404);
      const finished = await mobile.finish(id, binding);
      assert.equal(finished.status, 404, finished.toString());
      assertNoSession(finished, 'afronden of an unknown request');
    });

    test('a request is answered once: 409 used, before and after afronden', T, async () => {
      const { id, binding } = await mobile.startLoginOk();
      await mobile.answerOk(id, evaMobile);
      assertMobileProblem(await mobile.appRequest(id), 409, 'used');
      assertMobileProblem(await mobile.signAndAnswer(id, evaMobile, { document: (await mobile.appRequest(id)).json().document ?? '' }), 409, 'used');
      const finished = await mobile.finish(id, binding);
      assert.equal(finished.status, 303, finished.toString());
      assertSessionCookie(finished, 'the first afronden');
      assertMobileProblem(await mobile.appRequest(id), 409, 'used');
    });

    test('cancelled in the browser: 409 cancelled for the app, status cancelled, no login', T, async () => {
      const { id, binding } = await mobile.startLoginOk();
      const { document } = await mobile.appRequestOk(id);
      const cancelled = await mobile.cancel(id, binding);
      assert.equal(cancelled.status, 303, cancelled.toString());
      assert.equal(cancelled.location.pathname, `/mobiel/verzoeken/${id}`);
      assertMobileProblem(await mobile.appRequest(id), 409, 'cancelled');
      assertMobileProblem(await mobile.signAndAnswer(id, evaMobile, { document }), 409, 'cancelled');
      const status = await mobile.status(id, binding);
      assert.equal(status.status, 200, status.toString());
      assert.equal(status.json().status, 'cancelled');
      const page = await mobile.requestPage(id, binding);
      assert.equal(page.status, 200);
      assert.ok(htmlIncludes(page.body, mobileMessage('mobile.status.cancelled')), 'the page does not say the request was cancelled');
      assert.ok(!/<svg[^>]*role="img"/.test(page.body), 'a cancelled request still shows its QR code');
      const finished = await mobile.finish(id, binding);
      assertNoSession(finished, 'afronden of a cancelled request');
    });

    test('a signature over a changed document: 400 invalid, the browser sees why, and a correct answer may follow', T, async () => {
      const { id, binding } = await mobile.startLoginOk();
      const { document } = await mobile.appRequestOk(id);
      const tampered = document.replace(/^Nonce: .*$/m, 'Nonce: AAAAAAAAAAAAAAAAAAAAAA');
      assert.notEqual(tampered, document);
      const refused = await mobile.signAndAnswer(id, evaMobile, { document: tampered });
      const problem = assertMobileProblem(refused, 400, 'invalid');
      assert.ok(problem.errors?.[0]?.message, `no errors[0].message saying why: ${refused.body}`);
      const trailing = await mobile.signAndAnswer(id, evaMobile, { document: `${document}\n` });
      assertMobileProblem(trailing, 400, 'invalid');
      const status = await mobile.status(id, binding);
      assert.equal(status.status, 200, status.toString());
      const state = status.json();
      assert.equal(state.status, 'pending');
      assert.ok(state.reason?.includes(problem.errors[0].message), `the browser does not see the reason: ${status.body}`);
      assertNoSession(await mobile.finish(id, binding), 'afronden after a refused answer');
      // Not final: the right signature still completes the login.
      await mobile.answerOk(id, evaMobile);
      const finished = await mobile.finish(id, binding);
      assert.equal(finished.status, 303, finished.toString());
      const session = assertSessionCookie(finished, 'after a retried answer');
      assert.equal((await me(portal, session)).json().person.name, 'Eva de Boer');
    });

    test('a card certificate is not a mobile certificate: 403 not_mobile, no login', T, async () => {
      const { id, binding } = await mobile.startLoginOk();
      const refused = await mobile.signAndAnswer(id, 'professional');
      const problem = assertMobileProblem(refused, 403, 'not_mobile');
      assert.equal(problem.detail, mobileMessage('mobile.not_mobile'));
      assertNoSession(refused, 'a refused answer');
      await sleep(1100);
      const status = await mobile.status(id, binding);
      assert.equal(status.json().status, 'pending', status.body);
      assert.ok(status.json().reason?.includes(mobileMessage('mobile.not_mobile')), status.body);
      const finished = await mobile.finish(id, binding);
      assertNoSession(finished, 'afronden after not_mobile');
      // A person without portal access, with a card of a trusted CA, is refused the same way.
      assertMobileProblem(await mobile.signAndAnswer(id, 'stranger'), 403, 'not_mobile');
    });

    test('another person\'s signing request answered by Eva\'s phone: 403 wrong_person, the order stays a draft', T, async () => {
      // Only Eva can have a mobile certificate in the demo, so the other way round: the contact
      // starts a signing request for her own order and Eva's mobile certificate answers it.
      const { order } = await cards.newOrder({ identity: 'contact', cn: 'mobiel.voorbeeld.nl' });
      const session = await pages.login('contact', `/bestellingen/${order.id}`);
      const started = await mobile.startSigning(session, order.id);
      assert.equal(started.response.status, 303, started.response.toString());
      assert.match(started.id ?? '', REQUEST_ID_PATTERN);
      const refused = await mobile.signAndAnswer(started.id, evaMobile);
      const problem = assertMobileProblem(refused, 403, 'wrong_person');
      assert.equal(problem.detail, mobileMessage('mobile.wrong_person'));
      assert.equal((await cards.order('contact', order.id)).status, 'draft', 'the order was submitted by another person\'s phone');
      const status = await mobile.status(started.id, started.binding, 'contact');
      assert.equal(status.json().status, 'pending', status.body);
      // The contact's own card is no mobile certificate either.
      assertMobileProblem(await mobile.signAndAnswer(started.id, 'contact'), 403, 'not_mobile');
      assert.equal((await cards.order('contact', order.id)).status, 'draft');
    });

    test('another browser (another or no binding cookie) sees no request: 404, cannot cancel or finish it', T, async () => {
      const mine = await mobile.startLoginOk();
      const other = await mobile.startLoginOk();
      assert.notEqual(other.binding, mine.binding);
      await mobile.answerOk(mine.id, evaMobile);
      assert.equal((await mobile.status(mine.id, other.binding)).status, 404);
      assert.equal((await mobile.status(mine.id, null)).status, 404);
      assert.equal((await mobile.requestPage(mine.id, other.binding)).status, 404);
      assert.equal((await mobile.requestPage(mine.id, null)).status, 404);
      const stolen = await mobile.finish(mine.id, other.binding);
      assert.equal(stolen.status, 404, stolen.toString());
      assertNoSession(stolen, 'afronden from another browser');
      assertNoSession(await mobile.finish(mine.id, null), 'afronden without binding cookie');
      const pending = await mobile.startLoginOk();
      assert.equal((await mobile.cancel(pending.id, other.binding)).status, 404);
      assert.equal((await mobile.appRequest(pending.id)).status, 200, 'another browser cancelled the request');
      // The right browser still finishes its login.
      const finished = await mobile.finish(mine.id, mine.binding);
      assert.equal(finished.status, 303, finished.toString());
      assertSessionCookie(finished, 'the right browser');
    });

    test('the status is polled at most once a second: 429', T, async () => {
      const { id, binding } = await mobile.startLoginOk();
      // The limit counts whole seconds of the server's clock (this machine's): both polls go
      // out right after a second begins, so that no second boundary lies between them.
      await sleep(1000 - (Date.now() % 1000) + 20);
      assert.equal((await mobile.status(id, binding)).status, 200);
      const soon = await mobile.status(id, binding);
      assert.equal(soon.status, 429, `a second poll within a second: ${soon.toString()}`);
      await sleep(1100);
      const later = await mobile.status(id, binding);
      assert.equal(later.status, 200, later.toString());
    });
  });

  describe('signing an order with the phone', () => {
    before(ensureMobile, { timeout: 60_000 });

    test('Eva renews her card, signs it with her phone: the order is submitted with the mobile certificate as evidence', T, async () => {
      const card = await mobile.professionalCard();
      const draft = await cards.createCardOrder('professional', { type: 'card-renew', card_id: card.id });
      const session = await pages.login('professional', `/bestellingen/${draft.id}`);
      assert.ok(htmlIncludes(session.page.body, mobileMessage('mobile.sign.button')), 'no "Ondertekenen met uw telefoon" on the review page');
      assert.ok(session.page.body.includes(`action="/bestellingen/${draft.id}/mobiel-ondertekenen"`), 'no mobile signing form');

      const started = await mobile.startSigning(session, draft.id);
      assert.equal(started.response.status, 303, started.response.toString());
      assert.match(started.id ?? '', REQUEST_ID_PATTERN);
      assert.ok(started.binding, 'no binding cookie for the signing request');
      const page = await mobile.requestPage(started.id, started.binding, 'professional', { [SESSION_COOKIE]: session.cookie });
      assert.equal(page.status, 200, page.toString());
      assert.ok(htmlIncludes(page.body, mobileMessage('mobile.page.sign_title')), 'not the signing page');

      const request = await mobile.appRequestOk(started.id);
      assert.equal(request.kind, 'sign');
      assert.equal(request.order_id, draft.id);
      assert.equal(request.origin, portal.server.origin);
      assert.equal(request.document, await cards.document('professional', draft.id), 'the app is not shown the order document byte for byte');

      // A card certificate cannot answer it, and the order stays a draft.
      assertMobileProblem(await mobile.signAndAnswer(started.id, 'professional'), 403, 'not_mobile');
      assert.equal((await cards.order('professional', draft.id)).status, 'draft');

      const answered = await mobile.signAndAnswer(started.id, evaMobile);
      assert.equal(answered.status, 200, answered.toString());
      assert.deepEqual(answered.json(), { status: 'completed', order_status: 'submitted' });
      assert.equal((await mobile.status(started.id, started.binding, 'professional')).json().status, 'completed');

      const finished = await mobile.finish(started.id, started.binding, { identity: 'professional', cookies: { [SESSION_COOKIE]: session.cookie } });
      assert.equal(finished.status, 303, finished.toString());
      assert.equal(`${finished.location.pathname}${finished.location.search}`, `/bestellingen/${draft.id}?melding=ondertekend`);
      const orderPage = await pages.get(session, `/bestellingen/${draft.id}?melding=ondertekend`);
      assert.equal(orderPage.status, 200);
      assert.ok(htmlIncludes(orderPage.body, message('orders.notice.ondertekend')), 'no "ondertekend" notice');
      assert.ok(htmlIncludes(orderPage.body, message('order.status.submitted')), 'the order page does not say Ingediend');

      const submitted = await cards.order('professional', draft.id);
      assert.equal(submitted.status, 'submitted', JSON.stringify(submitted));
      // The evidence is the answer's signature, by the mobile certificate.
      const evidence = await getBinary(portal, 'servicedesk', `/servicedesk/bestellingen/${draft.id}/handtekening.p7s`);
      assert.equal(evidence.status, 200, `evidence download: ${evidence.status} ${evidence.body.toString('utf8').slice(0, 300)}`);
      const signers = await signatureCertificates(evidence.body);
      assert.ok(signers.length >= 1, 'no certificate in the evidence');
      assert.ok(signers.some((pem) => new X509Certificate(pem).fingerprint256 === evaMobile.fingerprint256),
        `the evidence is not signed with the mobile certificate: ${signers.map((pem) => new X509Certificate(pem).subject).join(' | ')}`);
      const card509 = new X509Certificate(await readFile(portal.demo.users.professional.certPath));
      assert.ok(!signers.some((pem) => new X509Certificate(pem).fingerprint256 === card509.fingerprint256), 'the card certificate is the evidence');

      // Signing is once: the request is used, and a submitted order cannot get another request.
      assertMobileProblem(await mobile.appRequest(started.id), 409, 'used');
      const again = await mobile.startSigning(session, draft.id, started.binding);
      assert.notEqual(again.response.status, 303, `a signing request for a submitted order: ${again.response.toString()}`);
      assert.equal(again.response.status, 409, again.response.toString());
    });

    test('nobody starts a signing request for another person\'s order, and not without a session', T, async () => {
      const { order } = await cards.newOrder({ identity: 'contact', cn: 'ander.voorbeeld.nl' });
      const eva = await pages.login('professional', '/');
      const foreign = await mobile.startSigning(eva, order.id);
      assert.ok([403, 404].includes(foreign.response.status), `Eva started a request for the contact's order: ${foreign.response.toString()}`);
      const representative = await pages.login('representative', '/');
      const colleague = await mobile.startSigning(representative, order.id);
      assert.ok([403, 404].includes(colleague.response.status), `the representative signs the contact's order: ${colleague.response.toString()}`);
      const anonymous = await portal.client.request(null, 'POST', `/bestellingen/${order.id}/mobiel-ondertekenen`, {
        form: {}, headers: { origin: portal.server.origin, 'sec-fetch-site': 'same-origin' },
      });
      assert.equal(anonymous.status, 401, anonymous.toString());
      const noCsrf = await portal.client.request('contact', 'POST', `/bestellingen/${order.id}/mobiel-ondertekenen`, {
        form: {}, headers: { origin: portal.server.origin, 'sec-fetch-site': 'same-origin' },
        cookies: { [SESSION_COOKIE]: (await pages.login('contact', '/')).cookie },
      });
      assert.equal(noCsrf.status, 403, `a signing request without csrf token: ${noCsrf.toString()}`);
    });
  });
});

describe('the reference signer app (build/mijncert-signer)', { skip: signerAvailable() ? false : `${signerBinary} is not built` }, () => {
  const portal = withMobileServer({ requests_per_minute: 1000 });
  const mobile = mobileApi(portal);
  let keyPath;
  let certPath;

  test('enroll: makes a key (0600) and gets the certificate with its chain; a wrong code leaves nothing behind', T, async () => {
    const order = await mobile.approvedMobileOrder();
    const wrongKey = await tempPath('wrong.key');
    const wrongCert = await tempPath('wrong.crt');
    const wrong = await runSigner(['enroll', '--url', portal.server.origin, '--code', 'AAAA-AAAA-AAAA-AAAA',
      '--key-out', wrongKey, '--cert-out', wrongCert, '--cacert', portal.demo.rootCa]);
    assert.equal(wrong.code, 1, `a wrong code: ${JSON.stringify(wrong)}`);
    assert.ok(!existsSync(wrongKey) && !existsSync(wrongCert), 'a refused enrolment left files behind');

    keyPath = await tempPath('signer.key');
    certPath = await tempPath('signer.crt');
    const enrolled = await runSigner(['enroll', '--url', portal.server.origin, '--code', order.code,
      '--key-out', keyPath, '--cert-out', certPath, '--cacert', portal.demo.rootCa]);
    assert.equal(enrolled.code, 0, JSON.stringify(enrolled));
    assert.equal(statSync(keyPath).mode & 0o777, 0o600, 'the key file is not 0600');
    const pem = await readFile(certPath, 'utf8');
    const certificates = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
    assert.ok(certificates.length >= 2, 'the certificate file does not hold the chain');
    const verified = await verifyPersonCertificate(portal.demo, `${certificates[0]}\n`);
    assert.ok(verified.ok, verified.output);
    assert.match(await subjectOf(`${certificates[0]}\n`), new RegExp(`serialNumber=${EVA_SERIAL_NUMBER}`));
    assert.equal((await mobile.cards.order('professional', order.orderId)).status, 'issued');

    const exists = await runSigner(['enroll', '--url', portal.server.origin, '--code', order.code,
      '--key-out', keyPath, '--cert-out', await tempPath('other.crt'), '--cacert', portal.demo.rootCa]);
    assert.notEqual(exists.code, 0, 'enroll overwrote an existing key file');
    assert.ok(existsSync(keyPath), 'the existing key was removed');
  });

  test('login with the request URL and --yes: the browser gets Eva\'s session', T, async () => {
    assert.ok(certPath, 'the enroll test failed');
    const { id, binding } = await mobile.startLoginOk();
    const number = await mobile.shownNumber(id, binding);
    const result = await runSigner(['login', `${portal.server.origin}/m/${id}`, '--key', keyPath, '--cert', certPath,
      '--cacert', portal.demo.rootCa, '--yes', '--number', String(number)]);
    assert.equal(result.code, 0, JSON.stringify(result));
    assert.ok(result.stdout.includes('Address:     127.0.0.1'), `the browser's address is not shown: ${result.stdout}`);
    const finished = await mobile.finish(id, binding);
    assert.equal(finished.status, 303, finished.toString());
    const session = assertSessionCookie(finished, 'login by the signer app');
    assert.equal((await me(portal, session)).json().person.name, 'Eva de Boer');
  });

  test('login with the typed id and --url; "n" on the question answers nothing; a login on a signing request is refused', T, async () => {
    assert.ok(certPath, 'the enroll test failed');
    const { id, binding } = await mobile.startLoginOk();
    const declined = await runSigner(['login', id, '--url', portal.server.origin, '--key', keyPath, '--cert', certPath,
      '--cacert', portal.demo.rootCa], { input: 'n\n' });
    assert.equal(declined.code, 1, JSON.stringify(declined));
    assert.equal((await mobile.appRequest(id)).status, 200, 'declining answered the request');
    const accepted = await runSigner(['login', id, '--url', portal.server.origin, '--key', keyPath, '--cert', certPath,
      '--cacert', portal.demo.rootCa], { input: `y\n${await mobile.shownNumber(id, binding)}\n` });
    assert.equal(accepted.code, 0, JSON.stringify(accepted));
    assertSessionCookie(await mobile.finish(id, binding), 'after "y"');

    const card = await mobile.professionalCard();
    const draft = await mobile.cards.createCardOrder('professional', { type: 'mobile-add', card_id: card.id, phone: '06 12 34 56 78' });
    const session = await mobile.pages.login('professional', `/bestellingen/${draft.id}`);
    const started = await mobile.startSigning(session, draft.id);
    const wrongKind = await runSigner(['login', `${portal.server.origin}/m/${started.id}`, '--key', keyPath, '--cert', certPath,
      '--cacert', portal.demo.rootCa, '--yes', '--number', '42']);
    assert.equal(wrongKind.code, 1, JSON.stringify(wrongKind));
    assert.equal((await mobile.appRequest(started.id)).status, 200, 'a refused kind answered the request');
    assert.equal((await mobile.cards.order('professional', draft.id)).status, 'draft');
  });

  test('sign: the order is submitted; without --cacert the demo portal is not trusted', T, async () => {
    assert.ok(certPath, 'the enroll test failed');
    const card = await mobile.professionalCard();
    const draft = await mobile.cards.createCardOrder('professional', { type: 'card-renew', card_id: card.id });
    const session = await mobile.pages.login('professional', `/bestellingen/${draft.id}`);
    const started = await mobile.startSigning(session, draft.id);
    assert.equal(started.response.status, 303, started.response.toString());
    const untrusted = await runSigner(['sign', `${portal.server.origin}/m/${started.id}`, '--key', keyPath, '--cert', certPath, '--yes']);
    assert.equal(untrusted.code, 1, `no --cacert: ${JSON.stringify(untrusted)}`);
    assert.equal((await mobile.cards.order('professional', draft.id)).status, 'draft');
    const result = await runSigner(['sign', `${portal.server.origin}/m/${started.id}`, '--key', keyPath, '--cert', certPath,
      '--cacert', portal.demo.rootCa, '--yes']);
    assert.equal(result.code, 0, JSON.stringify(result));
    assert.equal((await mobile.cards.order('professional', draft.id)).status, 'submitted');
    const again = await runSigner(['sign', `${portal.server.origin}/m/${started.id}`, '--key', keyPath, '--cert', certPath,
      '--cacert', portal.demo.rootCa, '--yes']);
    assert.equal(again.code, 1, `a used request: ${JSON.stringify(again)}`);
  });

  test('login --number: a decoy makes the portal cancel (exit 1, says so); a number not offered signs nothing; --yes needs --number', T, async () => {
    assert.ok(certPath, 'the enroll test failed');
    const args = (id) => ['login', `${portal.server.origin}/m/${id}`, '--key', keyPath, '--cert', certPath, '--cacert', portal.demo.rootCa];

    const { id, binding } = await mobile.startLoginOk();
    const number = await mobile.shownNumber(id, binding);
    const decoy = (await mobile.appRequestOk(id)).choices.find((n) => n !== number);
    const wrong = await runSigner([...args(id), '--yes', '--number', String(decoy)]);
    assert.equal(wrong.code, 1, JSON.stringify(wrong));
    assert.match(wrong.stderr, /wrong_number/, wrong.stderr);
    assert.match(wrong.stderr, /cancelled the request/, wrong.stderr);
    await sleep(1100);
    assert.equal((await mobile.status(id, binding)).json().status, 'cancelled');
    assertNoSession(await mobile.finish(id, binding), 'afronden after the signer picked a decoy');

    const other = await mobile.startLoginOk();
    const offered = (await mobile.appRequestOk(other.id)).choices;
    const absent = [11, 12, 13, 14].find((n) => !offered.includes(n));
    const foreign = await runSigner([...args(other.id), '--yes', '--number', String(absent)]);
    assert.equal(foreign.code, 1, JSON.stringify(foreign));
    assert.match(foreign.stderr, /wrong number.*nothing was signed/s, foreign.stderr);
    assert.equal((await mobile.appRequest(other.id)).status, 200, 'a number not offered answered the request');

    const usage = await runSigner([...args(other.id), '--yes']);
    assert.equal(usage.code, 2, JSON.stringify(usage));
    assert.match(usage.stderr, /--number/, usage.stderr);
    assert.equal((await mobile.appRequest(other.id)).status, 200);
  });

  test('a card certificate (PEM) answers with exit status 1 and the reason not_mobile', T, async () => {
    const { id } = await mobile.startLoginOk();
    const user = portal.demo.users.professional;
    const number = await mobile.shownNumber(id);
    const result = await runSigner(['login', `${portal.server.origin}/m/${id}`, '--key', user.keyPath, '--cert', user.certPath,
      '--cacert', portal.demo.rootCa, '--yes', '--number', String(number)]);
    assert.equal(result.code, 1, JSON.stringify(result));
    assert.ok(`${result.stdout}${result.stderr}`.includes(mobileMessage('mobile.not_mobile')), `the portal's reason is not shown: ${JSON.stringify(result)}`);
  });
});

describe('expiry (request_validity_seconds = 10)', () => {
  const portal = withMobileServer({ request_validity_seconds: 10 });
  const mobile = mobileApi(portal);
  let evaMobile;

  before(async () => {
    evaMobile = await mobile.enrolMobile();
  }, { timeout: 60_000 });

  test('past expires_at: 410 expired for the app, status expired for the browser, no login', T, async () => {
    const { id, binding } = await mobile.startLoginOk();
    const request = await mobile.appRequestOk(id);
    const validity = (Date.parse(request.expires_at) - Date.now()) / 1000;
    assert.ok(validity > 5 && validity <= 11, `the request is valid for ${validity} s, not 10`);
    // Signed in time, posted too late.
    const late = await signDocument(portal.demo, evaMobile, request.document);
    await sleep(Math.max(0, Date.parse(request.expires_at) - Date.now()) + 1500);
    assertMobileProblem(await mobile.appRequest(id), 410, 'expired');
    assertMobileProblem(await mobile.answer(id, late), 410, 'expired');
    const status = await mobile.status(id, binding);
    assert.equal(status.status, 200, status.toString());
    assert.equal(status.json().status, 'expired');
    const page = await mobile.requestPage(id, binding);
    assert.ok(htmlIncludes(page.body, mobileMessage('mobile.status.expired')), 'the page does not say the request expired');
    assertNoSession(await mobile.finish(id, binding), 'afronden of an expired request');
  });

  test('answered in time but afronden after the request expired: 410, no session', T, async () => {
    const { id, binding } = await mobile.startLoginOk();
    const request = await mobile.appRequestOk(id);
    await mobile.answerOk(id, evaMobile);
    await sleep(Math.max(0, Date.parse(request.expires_at) - Date.now()) + 1500);
    const status = await mobile.status(id, binding);
    assert.equal(status.status, 200, status.toString());
    assert.equal(status.json().status, 'expired', status.body);
    const late = await mobile.finish(id, binding);
    assert.equal(late.status, 410, late.toString());
    assertNoSession(late, 'a late afronden');
    assert.ok(htmlIncludes(late.body, mobileMessage('mobile.expired')), 'the page does not say the request expired');
  });

  test('/m/{id} of an expired request repeats nothing of the URL', T, async () => {
    const { id } = await mobile.startLoginOk();
    const request = await mobile.appRequestOk(id);
    await sleep(Math.max(0, Date.parse(request.expires_at) - Date.now()) + 1500);
    const link = await portal.client.get(null, `/m/${id}`);
    assert.equal(link.status, 410, link.toString());
    assert.ok(!visibleText(link.body).includes(id), 'the page of an expired request shows its id');
    assert.ok(htmlIncludes(link.body, mobileMessage('mobile.expired')), link.body);
  });

  test('answered in time, the login completes within the 10 seconds', T, async () => {
    const { session } = await mobile.login(evaMobile);
    assert.equal((await me(portal, session)).json().person.name, 'Eva de Boer');
  });

  // wrong_person for a login (a mobile certificate whose person has no portal access) cannot be
  // provoked in the demo: only Eva can have a mobile certificate, and a professional keeps her
  // access by being a professional (core::Principal::hasPortalAccess; the Servicedesk's
  // "toegang" flag is for BV/CP). What a withdrawal does do is end every session, the mobile one too.
  test('the Servicedesk withdraws Eva\'s access: her mobile session ends with it', T, async () => {
    const { session } = await mobile.login(evaMobile);
    assert.equal((await me(portal, session)).status, 200);
    const eva = await mobile.cards.personOf('professional');
    const officer = await mobile.pages.login('servicedesk', `/servicedesk/personen/${eva}`);
    const withdrawn = await mobile.pages.post(officer, `/servicedesk/personen/${eva}/toegang`, { access: '0' });
    assert.equal(withdrawn.status, 303, withdrawn.toString());
    const who = await me(portal, session);
    assert.equal(who.status, 401, `the mobile session outlived the withdrawal of access: ${who.toString()}`);
    assert.ok(!who.body.includes('Eva de Boer'));
  });
});

/** The certificate identities on the Servicedesk's page of a person: [{issuer_dn, subject_serial}]. */
function identitiesOnPage(html) {
  const unescape = (text) => text.replace(/&#x([0-9a-f]+);/gi, (_, hex) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec) => String.fromCharCode(Number(dec)))
    .replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
  const pattern = /name="issuer_dn" value="([^"]*)">\s*<input type="hidden" name="subject_serial" value="([^"]*)"/g;
  return [...html.matchAll(pattern)].map(([, issuer, serial]) => ({ issuer_dn: unescape(issuer), subject_serial: unescape(serial) }));
}

describe('the Servicedesk changes Eva\'s registration: her mobile session and requests follow', () => {
  const portal = withMobileServer({ requests_per_minute: 1000 });
  const mobile = mobileApi(portal);
  let evaMobile;

  before(async () => {
    evaMobile = await mobile.enrolMobile();
  }, { timeout: 60_000 });

  test('a requester who is no longer a contact of the organisation cannot sign its order from the phone', T, async () => {
    // Eva becomes a contact of Voorbeeld B.V. with portal access and orders a server certificate.
    const eva = await mobile.cards.personOf('professional');
    const voorbeeld = await mobile.cards.organisationOf('contact');
    const officer = await mobile.pages.login('servicedesk', `/servicedesk/personen/${eva}`);
    const added = await mobile.pages.post(officer, `/servicedesk/personen/${eva}/rollen`, { organisation_kvk: '12345678', role: 'contact' });
    assert.equal(added.status, 303, added.toString());
    const granted = await mobile.pages.post(officer, `/servicedesk/personen/${eva}/toegang`, { access: '1' });
    assert.equal(granted.status, 303, granted.toString());
    const { order } = await mobile.cards.newOrder({ identity: 'professional', organisationId: voorbeeld, cn: 'eva.voorbeeld.nl' });
    const session = await mobile.pages.login('professional', `/bestellingen/${order.id}`);
    const started = await mobile.startSigning(session, order.id);
    assert.equal(started.response.status, 303, started.response.toString());

    // Then her role there is removed; she keeps her portal access as a professional.
    const removed = await mobile.pages.post(officer, `/servicedesk/personen/${eva}/rollen/verwijderen`, { organisation_id: String(voorbeeld), role: 'contact' });
    assert.equal(removed.status, 303, removed.toString());
    const refused = await mobile.signAndAnswer(started.id, evaMobile);
    const problem = assertMobileProblem(refused, 403, 'not_allowed');
    assert.equal(problem.detail, mobileMessage('mobile.not_allowed'));
    const current = await mobile.cards.order('servicedesk', order.id);
    assert.equal(current.status, 'draft', `the order was submitted by a former contact's phone: ${JSON.stringify(current)}`);
    // The web and API paths refuse her just the same (one rule, policy sign_order).
    const signature = await signDocument(portal.demo, 'professional', await mobile.cards.document('servicedesk', order.id));
    const api = await portal.client.request('professional', 'POST', `/api/v1/orders/${order.id}/signature`, {
      headers: { 'content-type': 'application/pkcs7-signature', accept: 'application/json' }, body: signature,
    });
    assert.equal(api.status, 404, api.toString());
    assert.equal((await mobile.cards.order('servicedesk', order.id)).status, 'draft');
  });

  test('removing the identity of her mobile certificate ends her mobile session at once', T, async () => {
    const { session } = await mobile.login(evaMobile);
    assert.equal((await me(portal, session)).status, 200);
    const eva = await mobile.cards.personOf('professional');
    const officer = await mobile.pages.login('servicedesk', `/servicedesk/personen/${eva}`);
    const issuer = new X509Certificate(evaMobile.certificatePem).issuer.match(/CN=(.*)/)[1];
    const identity = identitiesOnPage(officer.page.body)
      .find((i) => i.subject_serial === EVA_SERIAL_NUMBER && i.issuer_dn.includes(issuer));
    assert.ok(identity, `no identity of the mobile certificate (${issuer}) on Eva's page: ${JSON.stringify(identitiesOnPage(officer.page.body))}`);
    const removed = await mobile.pages.post(officer, `/servicedesk/personen/${eva}/certificaten/verwijderen`, identity);
    assert.equal(removed.status, 303, removed.toString());
    const who = await me(portal, session);
    assert.equal(who.status, 401, `the mobile session outlived its identity: ${who.toString()}`);
    assert.ok(!who.body.includes('Eva de Boer'));
  });
});

// The limits count per client address; every request of these tests comes from 127.0.0.1, so
// they run last, each on a server of its own with the default [mobile] settings.
describe('limits per client address (defaults: 10 per minute)', () => {
  describe('login and signing requests', () => {
    const portal = withMobileServer();
    const mobile = mobileApi(portal);

    test('the 11th request within a minute from one address is refused with 429, also a signing request', T, async () => {
      const { order } = await mobile.cards.newOrder({ identity: 'contact', cn: 'limiet.voorbeeld.nl' });
      const session = await mobile.pages.login('contact', `/bestellingen/${order.id}`);
      for (let i = 1; i <= 10; i += 1) {
        const started = await mobile.startLogin();
        assert.equal(started.response.status, 303, `request ${i}: ${started.response.toString()}`);
      }
      const eleventh = await mobile.startLogin();
      assert.equal(eleventh.response.status, 429, `the 11th login request: ${eleventh.response.toString()}`);
      assert.equal(eleventh.id, null);
      assertNoSession(eleventh.response, 'a refused request');
      const signing = await mobile.startSigning(session, order.id);
      assert.equal(signing.response.status, 429, `a signing request beyond the limit: ${signing.response.toString()}`);
    });
  });

  describe('enrolment attempts and answers', () => {
    const portal = withMobileServer();
    const mobile = mobileApi(portal);

    test('the 11th enrolment attempt within a minute is 429 rate_limited, even with the right code', T, async () => {
      const order = await mobile.approvedMobileOrder();
      const csr = await mobile.newKeyAndCsr();
      for (let i = 1; i <= 10; i += 1) {
        const code = `AAAA-AAAA-AAAA-${String(i).padStart(4, 'B').replace(/[01]/g, 'C')}`;
        assertMobileProblem(await mobile.enroll({ code, csr: csr.csrPem }), 404, 'invalid_code');
      }
      // docs/mobile-protocol.md "Limits": at most mobile.requests_per_minute (10) new requests and
      // enrolment attempts per client address per minute.
      const refused = await mobile.enroll({ code: order.code, csr: csr.csrPem });
      assertMobileProblem(refused, 429, 'rate_limited');
      assert.equal((await mobile.cards.order('professional', order.orderId)).status, 'approved', 'a refused attempt enrolled');
    });

    test('too many answers from one address: 429 rate_limited', T, async () => {
      const statuses = [];
      for (let i = 0; i < 60; i += 1) {
        const response = await mobile.answer('AAAAAAAAAAAAAAAAAAAAAA', Buffer.from('not a signature'));
        statuses.push(response.status);
        if (response.status === 429) {
          assertMobileProblem(response, 429, 'rate_limited');
          break;
        }
        assertMobileProblem(response, 404, 'unknown');
      }
      assert.equal(statuses.at(-1), 429, `60 answers within a minute were never limited: ${statuses.join(',')}`);
    });
  });
});
