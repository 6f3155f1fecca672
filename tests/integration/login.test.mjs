// Logging in with a client certificate (PRODUCT.md §3): who gets which page, and refusals that say
// why without showing anything about other customers.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import {
  assertContains, assertMentionsNone, assertNoSessionCookie, assertSessionCookie, foreignNames, SESSION_COOKIE,
} from '../support/assertions.mjs';
import { withDemoServer } from '../support/integration.mjs';
import { portalServerCertificate, serverProfileCertificate, subjectSerialOf } from '../support/login-certificates.mjs';
import { removeTempFiles } from '../support/orders.mjs';

const portal = withDemoServer();
after(removeTempFiles);

describe('without a client certificate', () => {
  test('GET / answers 401 with the login instructions and no session', async () => {
    const response = await portal.client.get(null, '/');
    assert.equal(response.status, 401, response.toString());
    assert.match(response.header('content-type'), /^text\/html/);
    assertContains(response.body, 'Inloggen bij MijnCertificaten', 'login page');
    assertMentionsNone(response.body, foreignNames(portal.demo, null), 'login page');
    assertNoSessionCookie(response, 'without a certificate');
  });

  test('/healthz answers 200 with the database status and this node\'s background jobs', async () => {
    let response = await portal.client.get(null, '/healthz');
    // The first round of jobs starts with the server: give it a moment to report.
    for (let i = 0; i < 50 && response.status === 200 && response.json().jobs?.status === 'starting'; ++i) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      response = await portal.client.get(null, '/healthz');
    }
    assert.equal(response.status, 200, response.toString());
    const { jobs, ...health } = response.json();
    assert.deepEqual(health, { status: 'ok', database: 'ok' });
    // One node: it runs the shared jobs; its first round runs at start-up.
    assert.equal(jobs.leader, true, response.body);
    assert.equal(jobs.status, 'ok', response.body);
    assert.ok(Math.abs(Date.parse(jobs.last_run) - Date.now()) < 120_000, response.body);
  });
});

describe('contact person of Voorbeeld B.V.', () => {
  test('sees the dashboard with name, organisation and role', async () => {
    const response = await portal.client.get('contact', '/');
    assert.equal(response.status, 200, response.toString());
    for (const text of ['Welkom, Sanne Jansen', 'Voorbeeld B.V.', 'Contactpersoon']) {
      assertContains(response.body, text, 'contact dashboard');
    }
    assert.ok(!response.body.includes('Andere Organisatie B.V.'), 'contact sees another organisation');
  });

  test('gets a __Host- session cookie (Secure, HttpOnly, SameSite=Strict, 256 bits) once', async () => {
    const first = await portal.client.get('contact', '/');
    const session = assertSessionCookie(first, 'on the first visit');
    const second = await portal.client.get('contact', '/', { cookies: { [SESSION_COOKIE]: session } });
    assert.equal(second.status, 200, second.toString());
    assertContains(second.body, 'Welkom, Sanne Jansen', 'dashboard with session');
    assert.equal(second.cookie(SESSION_COOKIE), undefined, 'a valid session cookie was replaced by a new one');
  });

  test('two logins get two different session ids', async () => {
    const a = assertSessionCookie(await portal.client.get('contact', '/'));
    const b = assertSessionCookie(await portal.client.get('contact', '/'));
    assert.notEqual(a, b);
  });

  test('an unknown session cookie is replaced by a fresh session', async () => {
    const forged = 'A'.repeat(43);
    const response = await portal.client.get('contact', '/', { cookies: { [SESSION_COOKIE]: forged } });
    assert.equal(response.status, 200, response.toString());
    const session = assertSessionCookie(response, 'for an unknown session id');
    assert.notEqual(session, forged, 'the server adopted a session id chosen by the client (session fixation)');
  });

  test('a resumed TLS session is still the same person', async (t) => {
    await portal.client.get('contact', '/');
    const again = await portal.client.get('contact', '/');
    assert.equal(again.status, 200, again.toString());
    assertContains(again.body, 'Welkom, Sanne Jansen', 'second connection');
    if (!again.tls.reused) t.diagnostic('note: the server did not resume the TLS session');
  });
});

describe('other portal users see only their own organisation', () => {
  const cases = [
    { identity: 'representative', shows: ['Welkom, Willem van Dijk', 'Voorbeeld B.V.', 'Bevoegd Vertegenwoordiger'], hides: ['Andere Organisatie B.V.'] },
    { identity: 'other', shows: ['Welkom, Fatima El Amrani', 'Andere Organisatie B.V.'], hides: ['Voorbeeld B.V.', 'Sanne Jansen', 'Willem van Dijk'] },
    { identity: 'professional', shows: ['Welkom, Eva de Boer', 'Notaris'], hides: ['Voorbeeld B.V.', 'Andere Organisatie B.V.'] },
  ];
  for (const { identity, shows, hides } of cases) {
    test(`${identity}: ${shows[0]}`, async () => {
      const response = await portal.client.get(identity, '/');
      assert.equal(response.status, 200, response.toString());
      for (const text of shows) assertContains(response.body, text, `${identity} dashboard`);
      assertMentionsNone(response.body, hides, `${identity} dashboard`);
      assertSessionCookie(response, `for ${identity}`);
    });
  }
});

describe('servicedesk', () => {
  test('GET / redirects (303) to /servicedesk', async () => {
    const response = await portal.client.get('servicedesk', '/');
    assert.equal(response.status, 303, response.toString());
    assert.equal(response.location?.origin, portal.server.origin);
    assert.equal(response.location?.pathname, '/servicedesk');
  });

  test('GET /servicedesk shows the back office', async () => {
    const response = await portal.client.get('servicedesk', '/servicedesk');
    assert.equal(response.status, 200, response.toString());
    assertContains(response.body, 'Servicedesk', 'servicedesk page');
  });

  test('a contact person may not open /servicedesk (403)', async () => {
    const response = await portal.client.get('contact', '/servicedesk');
    assert.equal(response.status, 403, response.toString());
  });
});

describe('refused certificates get a 403 page that says why', () => {
  const cases = [
    { identity: 'manager', message: 'U heeft geen toegang tot MijnCertificaten' },
    { identity: 'stranger', message: 'U bent niet bekend bij MijnCertificaten' },
    { identity: 'expired', message: 'Uw certificaat is verlopen' },
    { identity: 'revoked', message: 'Uw certificaat is ingetrokken' },
    { identity: 'foreign', message: 'Dit certificaat wordt niet herkend' },
  ];
  for (const { identity, message } of cases) {
    test(`${identity}: "${message}", nothing about others, no session`, async () => {
      const response = await portal.client.get(identity, '/');
      assert.equal(response.status, 403, response.toString());
      assert.match(response.header('content-type'), /^text\/html/);
      assertContains(response.body, message, `${identity} page`);
      assertMentionsNone(response.body, foreignNames(portal.demo, identity), `${identity} page`);
      assert.ok(!response.body.includes('Welkom'), `${identity} sees a welcome`);
      assertNoSessionCookie(response, `for refused ${identity}`);
    });
  }

  test('a refused certificate cannot reach a portal page directly either', async () => {
    for (const identity of ['stranger', 'foreign', 'manager']) {
      const response = await portal.client.get(identity, '/servicedesk');
      assert.ok([401, 403].includes(response.status), `${identity} GET /servicedesk: ${response.status}`);
      assertMentionsNone(response.body, foreignNames(portal.demo, identity), `${identity} /servicedesk`);
    }
  });
});

describe('only a person\'s certificate from a login CA logs in (ADR 0022)', () => {
  /** GET PATH as the holder of CREDENTIALS ({cert, key}) on a connection of its own. */
  const getWith = (credentials, path, headers = {}) =>
    portal.client.get(null, path, { tls: { cert: credentials.cert, key: credentials.key }, headers });

  test('a server certificate the portal issued (serverAuth + clientAuth) is refused: wrong issuer', async () => {
    const server = await portalServerCertificate(portal);
    const api = await getWith(server, '/api/v1/me', { accept: 'application/json' });
    assert.equal(api.status, 403, api.toString());
    assert.equal(api.json().type, 'about:blank#wrong_issuer', api.body);
    const page = await getWith(server, '/');
    assert.equal(page.status, 403, page.toString());
    assertContains(page.body, 'Met dit certificaat kunt u niet inloggen', 'refusal page');
    assertNoSessionCookie(page, 'for a server certificate');
  });

  test("a server certificate from the persons CA with a registered person's serialNumber is refused: not personal", async () => {
    const serial = await subjectSerialOf(portal.demo, 'contact');
    const server = await serverProfileCertificate(portal.demo, 'persons-ca',
      `/C=NL/O=Voorbeeld B.V./GN=Sanne/SN=Jansen/serialNumber=${serial}/CN=www.voorbeeld.example`);
    const api = await getWith(server, '/api/v1/me', { accept: 'application/json' });
    assert.equal(api.status, 403, `the server certificate logged in: ${api.toString()}`);
    assert.equal(api.json().type, 'about:blank#not_personal', api.body);
    const page = await getWith(server, '/');
    assertContains(page.body, 'Dit is geen persoonlijk certificaat', 'refusal page');
    // Control: the person's own card still logs in.
    assert.equal((await portal.client.get('contact', '/api/v1/me')).status, 200);
  });
});
