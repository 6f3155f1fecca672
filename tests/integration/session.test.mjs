// Sessions: logging out (POST /uitloggen), CSRF protection of forms, and sessions bound to the
// certificate that created them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertContains, assertSessionCookie, SESSION_COOKIE } from '../support/assertions.mjs';
import { withDemoServer } from '../support/integration.mjs';
import { csrfTokenFrom } from '../support/tls.mjs';

const portal = withDemoServer();

/** Logs IDENTITY in (GET /) and returns {cookie, csrf} of the new session. */
async function login(identity) {
  const response = await portal.client.get(identity, '/');
  assert.equal(response.status, 200, response.toString());
  const cookie = assertSessionCookie(response, `for ${identity}`);
  const csrf = csrfTokenFrom(response.body);
  assert.ok(csrf && csrf.length >= 20, `no csrf_token in the logout form of ${identity}'s page`);
  return { cookie, csrf };
}

/** POST /uitloggen as IDENTITY with the session COOKIE and form FIELDS. */
function logout(identity, cookie, fields, headers = {}) {
  return portal.client.request(identity, 'POST', '/uitloggen', {
    cookies: cookie ? { [SESSION_COOKIE]: cookie } : undefined,
    form: fields,
    headers,
  });
}

/** Asserts that COOKIE is still a valid session of IDENTITY (no new cookie is handed out). */
async function assertSessionValid(identity, cookie) {
  const response = await portal.client.get(identity, '/', { cookies: { [SESSION_COOKIE]: cookie } });
  assert.equal(response.status, 200, response.toString());
  assert.equal(response.cookie(SESSION_COOKIE), undefined, 'the session was not valid any more (a new cookie was set)');
}

/** Asserts that COOKIE is no longer accepted for IDENTITY: the server starts a new session. */
async function assertSessionGone(identity, cookie) {
  const response = await portal.client.get(identity, '/', { cookies: { [SESSION_COOKIE]: cookie } });
  assert.equal(response.status, 200, response.toString());
  const fresh = assertSessionCookie(response, 'after the old session ended');
  assert.notEqual(fresh, cookie);
}

/**
 * Control for the refusal tests: the same session logs out with its own token, so a 403 above
 * was caused by what the test changed, not by a logout that never works.
 */
async function assertLogoutWorks(identity, { cookie, csrf }) {
  const response = await logout(identity, cookie, { csrf_token: csrf });
  assert.equal(response.status, 200, `control: the correct logout of this session failed too: ${response.toString()}`);
}

function assertFormRefused(response) {
  assert.equal(response.status, 403, response.toString());
  assertContains(response.body, 'Formulier niet geaccepteerd', 'refused form');
}

describe('logging out', () => {
  test('with the right token and cookie: "U bent uitgelogd", cookie cleared, session ended', async () => {
    const { cookie, csrf } = await login('contact');
    const response = await logout('contact', cookie, { csrf_token: csrf });
    assert.equal(response.status, 200, response.toString());
    assertContains(response.body, 'U bent uitgelogd', 'logged-out page');
    const cleared = response.cookie(SESSION_COOKIE);
    assert.ok(cleared, `the session cookie is not cleared: ${JSON.stringify(response.headers['set-cookie'])}`);
    assert.equal(cleared.attributes['max-age'], '0', `cookie not expired: ${cleared.raw}`);
    assert.equal(cleared.attributes.path, '/', cleared.raw);
    assert.equal(cleared.attributes.secure, true, cleared.raw);
    await assertSessionGone('contact', cookie);
  });

  test('as a browser does it (same Origin, Sec-Fetch-Site: same-origin)', async () => {
    const { cookie, csrf } = await login('representative');
    const response = await logout('representative', cookie, { csrf_token: csrf }, {
      origin: portal.server.origin, 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'navigate',
    });
    assert.equal(response.status, 200, response.toString());
    assertContains(response.body, 'U bent uitgelogd', 'logged-out page');
    await assertSessionGone('representative', cookie);
  });

  test('GET /uitloggen does not log out', async () => {
    const { cookie } = await login('contact');
    await portal.client.get('contact', '/uitloggen', { cookies: { [SESSION_COOKIE]: cookie } });
    await assertSessionValid('contact', cookie);
  });
});

describe('CSRF: a logout that is not clearly from the user is refused', () => {
  const refusals = [
    { name: 'without csrf_token', fields: () => ({}) },
    { name: 'with a wrong csrf_token', fields: ({ csrf }) => ({ csrf_token: `${csrf.slice(0, -2)}xx` }) },
    { name: 'with an empty csrf_token', fields: () => ({ csrf_token: '' }) },
    { name: 'with the right token but Origin https://evil.example', fields: ({ csrf }) => ({ csrf_token: csrf }), headers: { origin: 'https://evil.example' } },
    { name: 'with the right token but Sec-Fetch-Site: cross-site', fields: ({ csrf }) => ({ csrf_token: csrf }), headers: { 'sec-fetch-site': 'cross-site' } },
  ];
  for (const { name, fields, headers } of refusals) {
    test(`${name}: 403 "Formulier niet geaccepteerd", session still valid`, async () => {
      const session = await login('contact');
      assertFormRefused(await logout('contact', session.cookie, fields(session), headers));
      await assertSessionValid('contact', session.cookie);
      await assertLogoutWorks('contact', session);
    });
  }

  test('the token of another session of the same person is refused', async () => {
    const first = await login('contact');
    const second = await login('contact');
    assert.notEqual(first.csrf, second.csrf, 'two sessions share a csrf token');
    assertFormRefused(await logout('contact', second.cookie, { csrf_token: first.csrf }));
    await assertSessionValid('contact', second.cookie);
    await assertLogoutWorks('contact', second);
  });

  test('the right token without the session cookie is refused', async () => {
    const { cookie, csrf } = await login('contact');
    assertFormRefused(await logout('contact', null, { csrf_token: csrf }));
    await assertSessionValid('contact', cookie);
    await assertLogoutWorks('contact', { cookie, csrf });
  });
});

describe('a session belongs to the certificate that started it', () => {
  test("the contact's cookie on the representative's connection is not the contact's session", async () => {
    const contact = await login('contact');
    const response = await portal.client.get('representative', '/', { cookies: { [SESSION_COOKIE]: contact.cookie } });
    assert.equal(response.status, 200, response.toString());
    assertContains(response.body, 'Willem van Dijk', 'page for the representative');
    assert.ok(!response.body.includes('Sanne Jansen'), "the representative sees the contact's session");
    const own = assertSessionCookie(response, 'for the representative presenting a foreign cookie');
    assert.notEqual(own, contact.cookie);
  });

  test("the representative cannot end the contact's session with the contact's token and cookie", async () => {
    const contact = await login('contact');
    assertFormRefused(await logout('representative', contact.cookie, { csrf_token: contact.csrf }));
    await assertSessionValid('contact', contact.cookie);
    await assertLogoutWorks('contact', contact);
  });

  test("a session cookie does not let a request without certificate in", async () => {
    const contact = await login('contact');
    const response = await portal.client.get(null, '/', { cookies: { [SESSION_COOKIE]: contact.cookie } });
    assert.equal(response.status, 401, response.toString());
    assert.ok(!response.body.includes('Sanne Jansen'), 'the anonymous request sees the contact');
  });
});
