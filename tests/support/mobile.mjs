// Helpers for the mobile login, signing and enrolment tests (ADR 0008, docs/mobile-protocol.md):
// a demo server with a chosen [mobile] configuration, a mobile certificate enrolled for Eva de
// Boer (the demo's professional) through a real mobile-add order and its activation code, the
// browser side of a request (binding cookie, status, afronden, annuleren) and the app side
// (fetch the request, sign its document with `openssl cms`, post the answer), plus the reference
// signer app build/mijncert-signer when it has been built.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SESSION_COOKIE } from './assertions.mjs';
import { cardApi } from './cards.mjs';
import { withDemoServer } from './integration.mjs';
import { assertProblem, makeCsr, message, openssl, pageApi, signDocument, tempPath } from './orders.mjs';
import { repoRoot } from './server.mjs';

/** The browser binding cookie of a mobile request (web/portal.hpp kMobileCookie). */
export const MOBILE_COOKIE = '__Host-mc_mobile';
/** A request id: 128 random bits as base64url (22 characters). */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
/** The reference signer app (docs/mobile-protocol.md "Reference signer app"). */
export const signerBinary = process.env.MIJNCERT_SIGNER_BIN ?? path.join(repoRoot, 'build', 'mijncert-signer');

/** Whether the reference signer app has been built. */
export function signerAvailable() {
  return existsSync(signerBinary);
}

/**
 * withDemoServer() on a demo whose mijncert.toml has a [mobile] table with MOBILE
 * ({request_validity_seconds, requests_per_minute}; none when empty).
 */
export function withMobileServer(mobile = {}) {
  const lines = Object.entries(mobile).map(([key, value]) => `${key} = ${value}`);
  return withDemoServer(lines.length ? { config: `[mobile]\n${lines.join('\n')}` } : {});
}

/** The cookies of a Cookie header: {name: value}, skipping null values. */
function jar(cookies) {
  return Object.fromEntries(Object.entries(cookies).filter(([, value]) => value !== null && value !== undefined));
}

/**
 * The mobile protocol for one portal ({server, client, demo}): cardApi() plus the browser and
 * app sides of a request and enrolment.
 */
export function mobileApi(portal) {
  const cards = cardApi(portal);
  const pages = pageApi(portal);
  const browserHeaders = () => ({ origin: portal.server.origin, 'sec-fetch-site': 'same-origin' });
  /** The binding cookie of each login request started here: its page shows the number to pick. */
  const loginBindings = new Map();

  const mobile = {
    cards,
    pages,

    // ----- enrolment -----

    /** Eva's professional card (the only card a mobile certificate can be added to). */
    async professionalCard(identity = 'professional') {
      const own = (await cards.ownCards(identity)).filter((card) => card.type === 'professional');
      assert.ok(own.length >= 1, `no professional card of ${identity}: ${JSON.stringify(own)}`);
      // The one ending first: the demo's card (a renewal's new card ends years later).
      return own.sort((a, b) => Date.parse(a.not_after) - Date.parse(b.not_after))[0];
    },

    /**
     * A mobile-add order of IDENTITY on her professional card, signed, approved by the
     * Servicedesk, with an activation code. Returns {orderId, cardId, code, expiresAt}.
     */
    async approvedMobileOrder(identity = 'professional') {
      const card = await mobile.professionalCard(identity);
      const order = await cards.createCardOrder(identity, { type: 'mobile-add', card_id: card.id, phone: '06 12 34 56 78' });
      await cards.submit(identity, order.id);
      await cards.stepOk(order.id, 'approve', 'approved');
      const response = await cards.activationCode(identity, order.id);
      assert.equal(response.status, 200, `activation code of ${order.id}: ${response.toString()}`);
      const body = response.json();
      assert.match(body.activation_code ?? '', /^[A-Z0-9]{4}(-[A-Z0-9]{4}){3}$/, response.body);
      return { orderId: order.id, cardId: card.id, code: body.activation_code, expiresAt: body.expires_at };
    },

    /** A new EC P-256 key and CSR as a phone makes them: {csrPem, csrPath, keyPath}. */
    newKeyAndCsr() {
      return makeCsr({ subject: '/CN=Mijn telefoon' });
    },

    /** POST /api/v1/mobile/enroll without client certificate, as an app does (BODY an object or raw text). */
    enroll(body) {
      return portal.client.request(null, 'POST', '/api/v1/mobile/enroll', {
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    },

    /**
     * Enrols a mobile certificate for IDENTITY (default Eva) from a fresh approved mobile-add
     * order; asserts 201. Returns {certPath, keyPath, certificatePem, chainPem, orderId, cardId,
     * fingerprint256}; the certificate file holds the certificate followed by its chain.
     */
    async enrolMobile(identity = 'professional') {
      const order = await mobile.approvedMobileOrder(identity);
      const csr = await mobile.newKeyAndCsr();
      const response = await mobile.enroll({ code: order.code, csr: csr.csrPem });
      assert.equal(response.status, 201, `enrolment with ${order.code}: ${response.toString()}`);
      const body = response.json();
      const certPath = await tempPath('mobile.crt');
      await writeFile(certPath, `${body.certificate.trim()}\n${body.chain ? `${body.chain.trim()}\n` : ''}`);
      return {
        certPath, keyPath: csr.keyPath, certificatePem: body.certificate, chainPem: body.chain,
        orderId: body.order_id, cardId: body.card_id, order,
        fingerprint256: new X509Certificate(body.certificate).fingerprint256,
      };
    },

    // ----- the browser -----

    /**
     * POST /mobiel/inloggen as a browser without certificate (with the binding cookie BINDING
     * when given, and extra HEADERS such as user-agent). Returns {response, id, binding}: id from the 303 Location, binding the cookie
     * the browser holds afterwards.
     */
    async startLogin(binding = null, headers = {}) {
      const response = await portal.client.request(null, 'POST', '/mobiel/inloggen', {
        form: {}, headers: { ...browserHeaders(), ...headers }, cookies: jar({ [MOBILE_COOKIE]: binding }),
      });
      const started = { response, ...mobile.requestOf(response, binding) };
      if (started.id) loginBindings.set(started.id, started.binding);
      return started;
    },

    /**
     * The number the request page of login ID shows its browser (BINDING; by default the one
     * that started it here), or null when the page shows none (ADR 0021).
     */
    async shownNumber(id, binding = loginBindings.get(id)) {
      const page = await mobile.requestPage(id, binding);
      assert.equal(page.status, 200, `the request page of ${id}: ${page.toString()}`);
      const match = page.body.match(/id="mobiel-nummer" data-mobile-number="(\d{2})"/);
      return match ? Number(match[1]) : null;
    },

    /** The request id and binding cookie of a 303 to /mobiel/verzoeken/{id} (id null otherwise). */
    requestOf(response, binding = null) {
      const match = response.location?.pathname.match(/^\/mobiel\/verzoeken\/([^/]+)$/);
      return { id: match ? match[1] : null, binding: response.cookie(MOBILE_COOKIE)?.value ?? binding };
    },

    /** startLogin() asserting the 303 and a binding cookie. */
    async startLoginOk(binding = null, headers = {}) {
      const started = await mobile.startLogin(binding, headers);
      assert.equal(started.response.status, 303, `POST /mobiel/inloggen: ${started.response.toString()}`);
      assert.match(started.id ?? '', REQUEST_ID_PATTERN, `Location ${started.response.header('location')}`);
      assert.ok(started.binding, `no ${MOBILE_COOKIE} cookie: ${JSON.stringify(started.response.headers['set-cookie'])}`);
      return started;
    },

    /**
     * POST /bestellingen/ORDER/mobiel-ondertekenen in SESSION (pageApi().login()) with the
     * session's csrf token. Returns {response, id, binding}.
     */
    async startSigning(session, orderId, binding = null) {
      const response = await portal.client.request(session.identity, 'POST', `/bestellingen/${orderId}/mobiel-ondertekenen`, {
        cookies: jar({ [SESSION_COOKIE]: session.cookie, [MOBILE_COOKIE]: binding }),
        form: { csrf_token: session.csrf },
        headers: browserHeaders(),
      });
      return { response, ...mobile.requestOf(response, binding) };
    },

    /** GET /mobiel/verzoeken/ID (the QR page) with BINDING (and IDENTITY's certificate). */
    requestPage(id, binding, identity = null, extraCookies = {}) {
      return portal.client.get(identity, `/mobiel/verzoeken/${id}`, { cookies: jar({ [MOBILE_COOKIE]: binding, ...extraCookies }) });
    },

    /** GET /mobiel/verzoeken/ID/status with BINDING. */
    status(id, binding, identity = null) {
      return portal.client.get(identity, `/mobiel/verzoeken/${id}/status`, {
        headers: { accept: 'application/json' }, cookies: jar({ [MOBILE_COOKIE]: binding }),
      });
    },

    /** POST /mobiel/verzoeken/ID/afronden with BINDING (plus EXTRA cookies and IDENTITY's certificate). */
    finish(id, binding, { identity = null, cookies = {}, fields = {} } = {}) {
      return portal.client.request(identity, 'POST', `/mobiel/verzoeken/${id}/afronden`, {
        form: fields, headers: browserHeaders(), cookies: jar({ [MOBILE_COOKIE]: binding, ...cookies }),
      });
    },

    /** POST /mobiel/verzoeken/ID/annuleren with BINDING. */
    cancel(id, binding) {
      return portal.client.request(null, 'POST', `/mobiel/verzoeken/${id}/annuleren`, {
        form: {}, headers: browserHeaders(), cookies: jar({ [MOBILE_COOKIE]: binding }),
      });
    },

    // ----- the app -----

    /** GET /api/v1/mobile/requests/ID without certificate or cookie. */
    appRequest(id) {
      return portal.client.get(null, `/api/v1/mobile/requests/${id}`, { headers: { accept: 'application/json' } });
    },

    /** appRequest() asserting 200; returns the JSON. */
    async appRequestOk(id) {
      const response = await mobile.appRequest(id);
      assert.equal(response.status, 200, `GET /api/v1/mobile/requests/${id}: ${response.toString()}`);
      return response.json();
    },

    /**
     * POST SIGNATURE (Buffer or PEM text) to /api/v1/mobile/requests/ID/answer without
     * certificate, with ?number=NUMBER when given (the number picked for a login).
     */
    answer(id, signature, contentType = 'application/pkcs7-signature', number = null) {
      const query = number === null || number === undefined ? '' : `?number=${encodeURIComponent(number)}`;
      return portal.client.request(null, 'POST', `/api/v1/mobile/requests/${id}/answer${query}`, {
        headers: { 'content-type': contentType, accept: 'application/json' }, body: signature,
      });
    },

    /**
     * The app's part: fetch request ID, sign its document (or DOCUMENT instead) as SIGNER (a demo
     * user name or {certPath, keyPath}) with `openssl cms -sign -binary -md sha256`, post it
     * with NUMBER; for a login started here without NUMBER, the number its browser shows (the
     * person picks the right one). Returns the answer's response (not asserted).
     */
    async signAndAnswer(id, signer, { document, number } = {}) {
      const text = document ?? (await mobile.appRequestOk(id)).document;
      const signature = await signDocument(portal.demo, signer, text);
      const picked = number !== undefined ? number
        : loginBindings.has(id) ? await mobile.shownNumber(id) : null;
      return mobile.answer(id, signature, 'application/pkcs7-signature', picked);
    },

    /** signAndAnswer() asserting 200 {"status":"completed"}; returns the body. */
    async answerOk(id, signer, options = {}) {
      const response = await mobile.signAndAnswer(id, signer, options);
      assert.equal(response.status, 200, `answer of ${id}: ${response.toString()}`);
      const body = response.json();
      assert.equal(body.status, 'completed', response.body);
      return body;
    },

    /**
     * A whole mobile login answered by SIGNER (a mobile certificate {certPath, keyPath}): start,
     * answer, afronden. Returns {id, binding, session (the __Host-mc_session value), finished}.
     */
    async login(signer) {
      const { id, binding } = await mobile.startLoginOk();
      await mobile.answerOk(id, signer);
      const finished = await mobile.finish(id, binding);
      assert.equal(finished.status, 303, `afronden of ${id}: ${finished.toString()}`);
      const session = finished.cookie(SESSION_COOKIE)?.value;
      assert.ok(session, `no session cookie after afronden: ${JSON.stringify(finished.headers['set-cookie'])}`);
      return { id, binding, session, finished };
    },
  };
  return mobile;
}

/** The signer certificates (PEM) in a CMS signature (DER Buffer), as openssl prints them. */
export async function signatureCertificates(der) {
  const file = await tempPath('evidence.p7s');
  await writeFile(file, der);
  const { stdout } = await openssl(['pkcs7', '-inform', 'DER', '-in', file, '-print_certs']);
  return stdout.toString('utf8').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
}

/**
 * Runs the reference signer app with ARGS (bounded); INPUT goes to its stdin. Resolves
 * {code, stdout, stderr} whatever the exit status.
 */
export function runSigner(args, { input = '', timeoutMs = 30_000 } = {}) {
  return new Promise((resolve) => {
    const child = execFile(signerBinary, args, { timeout: timeoutMs, killSignal: 'SIGKILL', encoding: 'utf8' },
      (error, stdout, stderr) => {
        resolve({ code: error ? (error.code ?? error.signal ?? 'error') : 0, stdout, stderr, args });
      });
    child.stdin.end(input);
  });
}

/** The Dutch text of KEY ("mobile.not_mobile"; message() of orders.mjs reads every file). */
export const mobileMessage = (key) => message(key);

/**
 * Asserts an application/problem+json STATUS whose `type` is the protocol's TYPE
 * (docs/mobile-protocol.md: "unknown", "expired", …; written as TYPE or "…#TYPE"). Returns it.
 */
export function assertMobileProblem(response, status, type) {
  const problem = assertProblem(response, status);
  assert.ok(problem.type === type || String(problem.type).endsWith(`#${type}`) || String(problem.type).endsWith(`/${type}`),
    `problem type ${JSON.stringify(problem.type)} is not ${type}: ${response.body}`);
  return problem;
}

