// Helpers for the card order tests (ADR 0007): the demo's cards and persons by name, card orders
// through the JSON API from draft to their end state, binary downloads (the demo bureau's soft
// card as PKCS#12) and what openssl reads from a soft card. Builds on orderApi() of orders.mjs.
import assert from 'node:assert/strict';
import https from 'node:https';
import { X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { SESSION_COOKIE } from './assertions.mjs';
import { DAY_MS, message, openssl, orderApi, tempPath } from './orders.mjs';

/** The term of a new personal, group or professional card (ca/product_profile.cpp: 3 years). */
export const CARD_TERM_DAYS = 1095;
/** The term of a mobile certificate (2 years). */
export const MOBILE_TERM_DAYS = 730;
/** The password of the demo bureau's soft cards. */
export const SOFT_CARD_PASSWORD = 'demo';

/** "{label} is verplicht." and the like with {label} replaced, as the API writes field messages. */
export function fieldMessage(key, label) {
  return message(key).replaceAll('{label}', label);
}

/** The Dutch text of KEY (every message file is read by message() of orders.mjs). */
export const cardMessage = (key) => message(key);

/** ISO-8601 without milliseconds, as the server writes times. */
export function isoSeconds(ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The card order API for one portal ({server, client, demo} of withDemoServer()): orderApi()
 * plus card lists, creation, the production steps and activation codes.
 */
export function cardApi(portal) {
  const api = orderApi(portal);
  const cards = {
    ...api,

    /** The cards of ORGANISATION as IDENTITY (items: {id, type, holder, status, not_after}). */
    async organisationCards(identity, organisation) {
      return (await api.getJson(identity, `/api/v1/organisations/${organisation}/cards`)).items;
    },

    /** The own cards of IDENTITY (a professional holder). */
    async ownCards(identity) {
      return (await api.getJson(identity, '/api/v1/cards')).items;
    },

    /** The card of ORGANISATION (as IDENTITY) whose holder is HOLDER (a name); asserts one exists. */
    async cardOf(identity, organisation, holder, type) {
      const list = await cards.organisationCards(identity, organisation);
      const found = list.filter((card) => card.holder === holder && (!type || card.type === type));
      assert.equal(found.length, 1, `cards of ${holder} in ${organisation}: ${JSON.stringify(list)}`);
      return found[0];
    },

    /** POST /api/v1/orders with BODY as IDENTITY, asserting 201 and a draft; returns the order JSON. */
    async createCardOrder(identity, body) {
      const response = await api.createOrder(identity, body);
      assert.equal(response.status, 201, `POST /api/v1/orders ${JSON.stringify(body)} as ${identity}: ${response.toString()}`);
      const order = response.json();
      assert.ok(Number.isInteger(order.id), response.body);
      assert.equal(order.status, 'draft', response.body);
      assert.equal(order.type, body.type, response.body);
      assert.equal(response.header('location'), `/api/v1/orders/${order.id}`);
      return order;
    },

    /** POST /api/v1/servicedesk/orders/ID/STEP ("approve", "shipped", "activated") as IDENTITY. */
    step(id, step, identity = 'servicedesk') {
      return api.postJson(identity, `/api/v1/servicedesk/orders/${id}/${step}`, {});
    },

    /** Runs STEP as the Servicedesk, asserting 200 and STATUS; returns the order JSON. */
    async stepOk(id, step, status) {
      const response = await cards.step(id, step);
      assert.equal(response.status, 200, `${step} of ${id}: ${response.toString()}`);
      const order = response.json();
      assert.equal(order.id, id);
      assert.equal(order.status, status, `${step} of ${id}: ${response.body}`);
      return order;
    },

    /** Approves card order ID (status in_production with a card_id); returns the order JSON. */
    async approveCard(id) {
      const order = await cards.stepOk(id, 'approve', 'in_production');
      assert.ok(Number.isInteger(order.card_id), `no card_id after approval: ${JSON.stringify(order)}`);
      return order;
    },

    /**
     * Signs and submits order ID as IDENTITY, approves, ships and activates it; asserts every
     * status and returns the final order JSON (GET) with the steps.
     */
    async completeCard(identity, id) {
      await api.submit(identity, id);
      const approved = await cards.approveCard(id);
      await cards.stepOk(id, 'shipped', 'shipped');
      const issued = await cards.stepOk(id, 'activated', 'issued');
      assert.equal(issued.card_id, approved.card_id, 'the card changed on activation');
      return api.order(identity, id);
    },

    /** POST /api/v1/orders/ID/activation-code as IDENTITY. */
    activationCode(identity, id) {
      return api.postJson(identity, `/api/v1/orders/${id}/activation-code`, {});
    },
  };
  return cards;
}

/** The ids of the demo that the card tests use (organisations, persons, cards). */
export async function demoIds(cards) {
  const ids = {};
  ids.voorbeeld = await cards.organisationOf('contact');
  ids.andere = await cards.organisationOf('other');
  ids.contact = await cards.personOf('contact');
  ids.representative = await cards.personOf('representative');
  ids.eva = await cards.personOf('professional');
  const voorbeeld = await cards.organisation('contact', ids.voorbeeld);
  const pieter = voorbeeld.managers.find((m) => m.name === 'Pieter Bakker');
  assert.ok(pieter, `Pieter Bakker is not a manager of Voorbeeld: ${JSON.stringify(voorbeeld.managers)}`);
  ids.pieter = pieter.id;
  ids.card = {
    sanne: await cards.cardOf('contact', ids.voorbeeld, 'Sanne Jansen', 'personal'),
    willem: await cards.cardOf('contact', ids.voorbeeld, 'Willem van Dijk', 'personal'),
    facturatie: await cards.cardOf('contact', ids.voorbeeld, 'Afdeling Facturatie', 'group'),
    ict: await cards.cardOf('contact', ids.voorbeeld, 'Servicedesk ICT', 'group'),
    fatima: await cards.cardOf('other', ids.andere, 'Fatima El Amrani', 'personal'),
    receptie: await cards.cardOf('other', ids.andere, 'Receptie', 'group'),
  };
  const own = (await cards.ownCards('professional')).filter((card) => card.type === 'professional');
  assert.equal(own.length, 1, `Eva's cards: ${JSON.stringify(own)}`);
  ids.card.eva = own[0];
  return ids;
}

/** Days from now until ISO (fractional). */
export function daysUntil(iso) {
  return (Date.parse(iso) - Date.now()) / DAY_MS;
}

/**
 * GET PATH as IDENTITY and return {status, headers, body: Buffer} (the body byte for byte, for
 * downloads such as a PKCS#12). cookies: {name: value}, e.g. the session of pageApi().login().
 */
export function getBinary(portal, identity, urlPath, { cookies, session } = {}) {
  const jar = { ...(cookies ?? {}), ...(session ? { [SESSION_COOKIE]: session.cookie } : {}) };
  const headers = { host: `localhost:${portal.server.port}` };
  if (Object.keys(jar).length) headers.cookie = Object.entries(jar).map(([n, v]) => `${n}=${v}`).join('; ');
  return new Promise((resolve, reject) => {
    const request = https.request({ host: '127.0.0.1', port: portal.server.port, agent: portal.client.agent(identity),
      method: 'GET', path: urlPath, headers }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.setTimeout(10_000, () => request.destroy(new Error(`GET ${urlPath}: no response in time`)));
    request.on('error', reject);
    request.end();
  });
}

/**
 * Reads a PKCS#12 (Buffer) with `openssl pkcs12 -passin pass:demo`: {p12Path, certificatePem
 * (the end-entity certificate), caPems (the other certificates), keyPem}.
 */
export async function readPkcs12(p12, password = SOFT_CARD_PASSWORD) {
  const p12Path = await tempPath('softcard.p12');
  await writeFile(p12Path, p12);
  const pass = `pass:${password}`;
  const cert = (await openssl(['pkcs12', '-in', p12Path, '-passin', pass, '-nokeys', '-clcerts'])).stdout.toString('utf8');
  const cas = (await openssl(['pkcs12', '-in', p12Path, '-passin', pass, '-nokeys', '-cacerts'])).stdout.toString('utf8');
  const key = (await openssl(['pkcs12', '-in', p12Path, '-passin', pass, '-nocerts', '-nodes'])).stdout.toString('utf8');
  const pems = (text) => text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  const certificatePem = pems(cert)[0];
  assert.ok(certificatePem, `no certificate in the PKCS#12:\n${cert}`);
  const keyPem = key.match(/-----BEGIN (?:EC |RSA |ENCRYPTED )?PRIVATE KEY-----[\s\S]*?-----END (?:EC |RSA |ENCRYPTED )?PRIVATE KEY-----/)?.[0];
  assert.ok(keyPem, 'no private key in the PKCS#12');
  return { p12Path, certificatePem: `${certificatePem}\n`, caPems: pems(cas), keyPem };
}

/** The subject of a certificate PEM as openssl prints it with -nameopt RFC2253 (one line). */
export async function subjectOf(pem) {
  const file = await tempPath('subject.crt');
  await writeFile(file, pem);
  const { stdout } = await openssl(['x509', '-in', file, '-noout', '-subject', '-nameopt', 'RFC2253']);
  return stdout.toString('utf8').trim().replace(/^subject=/, '');
}

/**
 * `openssl verify -CAfile root -untrusted persons-ca.crt+persons-ca-chain.pem [-purpose PURPOSE]` of a person
 * certificate PEM issued by the demo's persons CA; returns {ok, output}.
 */
export async function verifyPersonCertificate(demo, pem, purpose) {
  const certFile = await tempPath('card.crt');
  await writeFile(certFile, pem);
  // The issuing persons CA and its intermediate (persons-ca-chain.pem: intermediate + root).
  const untrusted = await tempPath('persons-untrusted.pem');
  const pki = path.join(demo.dir, 'pki');
  await writeFile(untrusted, [await readFile(path.join(pki, 'persons-ca.crt'), 'utf8'),
    await readFile(path.join(pki, 'persons-ca-chain.pem'), 'utf8')].join('\n'));
  const args = ['verify', '-CAfile', demo.rootCa, '-untrusted', untrusted];
  if (purpose) args.push('-purpose', purpose);
  try {
    const { stdout, stderr } = await openssl([...args, certFile]);
    return { ok: /: OK\s*$/.test(stdout.toString('utf8')), output: `${stdout}${stderr}` };
  } catch (error) {
    return { ok: false, output: error.message };
  }
}

/** GET PATH on the portal with a client certificate from a PKCS#12 (node https {pfx, passphrase}). */
export async function requestWithPfx(portal, p12, urlPath, { passphrase = SOFT_CARD_PASSWORD, accept = 'application/json' } = {}) {
  const ca = await readFile(portal.demo.rootCa);
  return new Promise((resolve, reject) => {
    const request = https.request({ host: '127.0.0.1', port: portal.server.port, servername: 'localhost', ca, pfx: p12,
      passphrase, agent: false, method: 'GET', path: urlPath,
      headers: { host: `localhost:${portal.server.port}`, accept } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('error', reject);
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body }));
    });
    request.setTimeout(10_000, () => request.destroy(new Error(`GET ${urlPath} with a soft card: no response in time`)));
    request.on('error', reject);
    request.end();
  });
}

/** The X509Certificate of a PEM (node:crypto). */
export function x509(pem) {
  return new X509Certificate(pem);
}
