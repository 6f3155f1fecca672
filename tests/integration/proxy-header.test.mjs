// TLS terminated at a proxy (ADR 0010): from a trusted proxy address the client
// certificate comes from the X-SSL-Client-Cert header and the client address from
// X-Forwarded-For; from any other address both are ignored and the TLS certificate counts.
// The "proxy" is this test connecting from 127.0.0.2 (all of 127.0.0.0/8 is loopback on Linux).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { assertContains, assertNoSessionCookie } from '../support/assertions.mjs';
import { portalServerCertificate, serverProfileCertificate, subjectSerialOf } from '../support/login-certificates.mjs';
import { removeTempFiles } from '../support/orders.mjs';
import { createDemo, removeDemo, startServer } from '../support/server.mjs';
import { PortalClient } from '../support/tls.mjs';

const PROXY = '127.0.0.2';
const DIRECT = '127.0.0.1';

const portal = { server: null, client: null, demo: null };

before(async () => {
  portal.demo = await createDemo();
  // Keys must go into the existing [server] table: a second [server] table is invalid TOML.
  const config = await readFile(portal.demo.config, 'utf8');
  assert.match(config, /^\[server\]$/m);
  // The bundle holds the whole hierarchy, the TLS CAs too, as a bundle of all PKIoverheid CAs
  // would: the server certificates below it verify, and only the login rules refuse them.
  const pki = path.join(portal.demo.dir, 'pki');
  const bundle = path.join(pki, 'all-cas.pem');
  const parts = await Promise.all(['client-cas.pem', 'tls-intermediate-ca.crt', 'tls-ca.crt'].map((name) => readFile(path.join(pki, name), 'utf8')));
  await writeFile(bundle, parts.join('\n'));
  assert.match(config, /^client_ca_bundle = .*$/m);
  await writeFile(portal.demo.config, config
    .replace(/^\[server\]$/m, `[server]\ntrusted_proxies = ["${PROXY}"]`)
    .replace(/^client_ca_bundle = .*$/m, `client_ca_bundle = ${JSON.stringify(bundle)}`));
  try {
    portal.server = await startServer(portal.demo);
  } catch (error) {
    await removeDemo(portal.demo);
    throw error;
  }
  portal.client = new PortalClient(portal.server);
}, { timeout: 60_000 });

after(async () => {
  await removeTempFiles();
  portal.client?.close();
  await portal.server?.stop();
  if (portal.demo && !process.env.MIJNCERT_KEEP_DEMO) await removeDemo(portal.demo);
}, { timeout: 30_000 });

/** What nginx's $ssl_client_escaped_cert holds for demo user NAME: the URL-encoded PEM. */
function escapedCertificate(name) {
  return encodeURIComponent(readFileSync(portal.demo.users[name].certPath, 'utf8'));
}

/**
 * GET PATH on a new connection from FROM (a local address), with the TLS client certificate of
 * demo user TLS (null: none) and HEADERS.
 */
function get(path, { from, tls = null, headers = {} }) {
  return portal.client.get(tls, path, {
    headers: { accept: 'application/json', ...headers },
    tls: { localAddress: from },
  });
}

const asHeader = (name) => ({ 'X-SSL-Client-Cert': escapedCertificate(name) });

describe('from the trusted proxy address', () => {
  test('the header logs in the person of the certificate', async () => {
    const response = await get('/api/v1/me', { from: PROXY, headers: asHeader('contact') });
    assert.equal(response.status, 200, response.toString());
    assert.equal(response.json().person.name, 'Sanne Jansen');
  });

  test('a revoked certificate in the header is refused as over TLS', async () => {
    const direct = await portal.client.get('revoked', '/');
    const viaProxy = await get('/', { from: PROXY, headers: asHeader('revoked') });
    assert.equal(direct.status, 403, direct.toString());
    assert.equal(viaProxy.status, direct.status, viaProxy.toString());
    assertContains(viaProxy.body, 'Uw certificaat is ingetrokken', 'revoked via the proxy');
    assertNoSessionCookie(viaProxy, 'for a revoked certificate via the proxy');
    const api = await get('/api/v1/me', { from: PROXY, headers: asHeader('revoked') });
    assert.equal(api.status, 403, api.toString());
  });

  test('without the header nobody is logged in', async () => {
    const response = await get('/api/v1/me', { from: PROXY });
    assert.equal(response.status, 401, response.toString());
  });

  test("the proxy's own TLS certificate logs nobody in", async () => {
    const viaTls = await get('/api/v1/me', { from: DIRECT, tls: 'representative' });
    assert.equal(viaTls.status, 200, 'the certificate is good over TLS');
    const response = await get('/api/v1/me', { from: PROXY, tls: 'representative' });
    assert.equal(response.status, 401, response.toString());
  });

  test('a malformed header is refused like a bad certificate', async () => {
    const response = await get('/api/v1/me', { from: PROXY, headers: { 'X-SSL-Client-Cert': '%zz' } });
    assert.equal(response.status, 403, response.toString());
  });

  test('a header sent twice is refused, whichever copy is good', async () => {
    // A proxy that appends instead of replacing: the client's own header comes first.
    const response = await get('/api/v1/me', {
      from: PROXY,
      headers: { 'X-SSL-Client-Cert': [escapedCertificate('contact'), escapedCertificate('representative')] },
    });
    assert.equal(response.status, 403, response.toString());
  });

  test('X-Forwarded-For names the client in the request log', async () => {
    const from = await loggedClientAddress(PROXY, { 'X-Forwarded-For': '198.51.100.23, 203.0.113.41' });
    assert.equal(from, '203.0.113.41', 'a client-written entry was believed');
  });

  test('X-Forwarded-For headers are read together, ports dropped', async () => {
    const from = await loggedClientAddress(PROXY, { 'X-Forwarded-For': ['198.51.100.23', '203.0.113.42:51234, 127.0.0.2'] });
    assert.equal(from, '203.0.113.42');
  });

  test('an X-Forwarded-For entry that is no address leaves the proxy as the client', async () => {
    const from = await loggedClientAddress(PROXY, { 'X-Forwarded-For': '198.51.100.23, unknown' });
    assert.equal(from, PROXY, 'an entry left of the unusable one was believed');
  });
});

describe('from any other address', () => {
  test('the header is ignored: not logged in', async () => {
    const response = await get('/api/v1/me', { from: DIRECT, headers: asHeader('contact') });
    assert.equal(response.status, 401, response.toString());
  });

  test('the TLS certificate counts, not the header', async () => {
    const response = await get('/api/v1/me', { from: DIRECT, tls: 'representative', headers: asHeader('contact') });
    assert.equal(response.status, 200, response.toString());
    assert.equal(response.json().person.name, 'Willem van Dijk');
  });

  test('X-Forwarded-For is ignored', async () => {
    assert.equal(await loggedClientAddress(DIRECT, { 'X-Forwarded-For': '203.0.113.99' }), DIRECT);
  });
});

describe('a certificate that is no person\'s login certificate (ADR 0022), both ways', () => {
  /** GET /api/v1/me with CREDENTIALS once in the header from the proxy and once over TLS directly. */
  async function bothWays(credentials) {
    const header = { 'X-SSL-Client-Cert': encodeURIComponent(credentials.pem) };
    const viaProxy = await get('/api/v1/me', { from: PROXY, headers: header });
    const direct = await portal.client.get(null, '/api/v1/me', {
      headers: { accept: 'application/json' },
      tls: { localAddress: DIRECT, cert: credentials.cert, key: credentials.key },
    });
    return { viaProxy, direct };
  }

  test('a server certificate the portal issued is refused: wrong issuer', async () => {
    const { viaProxy, direct } = await bothWays(await portalServerCertificate(portal));
    for (const [mode, response] of [['proxy header', viaProxy], ['direct TLS', direct]]) {
      assert.equal(response.status, 403, `${mode}: ${response.toString()}`);
      assert.equal(response.json().type, 'about:blank#wrong_issuer', `${mode}: ${response.body}`);
    }
  });

  test("a server certificate of the persons CA with a person's serialNumber is refused: not personal", async () => {
    const serial = await subjectSerialOf(portal.demo, 'contact');
    const { viaProxy, direct } = await bothWays(await serverProfileCertificate(portal.demo, 'persons-ca',
      `/C=NL/O=Voorbeeld B.V./GN=Sanne/SN=Jansen/serialNumber=${serial}/CN=www.voorbeeld.example`));
    for (const [mode, response] of [['proxy header', viaProxy], ['direct TLS', direct]]) {
      assert.equal(response.status, 403, `${mode}: the server certificate logged in: ${response.toString()}`);
      assert.equal(response.json().type, 'about:blank#not_personal', `${mode}: ${response.body}`);
    }
  });
});

test('the start-up log names the proxy mode', () => {
  assert.match(portal.server.logs(), /client certificates: from header X-SSL-Client-Cert .*127\.0\.0\.2/);
});

/**
 * The from= of the request log line of a GET from FROM with HEADERS. The path is new and unknown
 * (404), so no other request (such as the readiness probe) can have written that line.
 */
async function loggedClientAddress(from, headers) {
  const path = `/xff-check-${randomUUID()}`;
  const response = await get(path, { from, headers });
  assert.equal(response.status, 404, response.toString());
  const line = await waitForLog(new RegExp(`path=${path} status=404 .*from=(\\S+)`));
  return line[1];
}

/** Waits (bounded) for a log line matching PATTERN and returns its match: the line follows the response. */
async function waitForLog(pattern, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  let match;
  while (!(match = pattern.exec(portal.server.logs()))) {
    if (Date.now() > deadline) assert.fail(`no log line matches ${pattern}:\n${portal.server.logs().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return match;
}
