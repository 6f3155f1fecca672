// Language choice: Dutch by default, English via /taal, and no open redirect through `terug`.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertContains, LANGUAGE_COOKIE } from '../support/assertions.mjs';
import { withDemoServer } from '../support/integration.mjs';

const portal = withDemoServer();

function switchLanguage(query) {
  return portal.client.get('contact', `/taal?${query}`);
}

describe('language switch', () => {
  test('Dutch is the default', async () => {
    const response = await portal.client.get('contact', '/');
    assert.equal(response.status, 200);
    assertContains(response.body, 'Welkom, Sanne Jansen', 'default dashboard');
    assert.match(response.body, /<html[^>]*\blang="nl"/);
  });

  test('GET /taal?lang=en&terug=/ redirects (303) to / and sets __Host-mc_lang=en', async () => {
    const response = await switchLanguage('lang=en&terug=/');
    assert.equal(response.status, 303, response.toString());
    assert.equal(response.location?.origin, portal.server.origin);
    assert.equal(response.location?.pathname, '/');
    const cookie = response.cookie(LANGUAGE_COOKIE);
    assert.ok(cookie, `no ${LANGUAGE_COOKIE} cookie: ${JSON.stringify(response.headers['set-cookie'])}`);
    assert.equal(cookie.value, 'en');
    assert.equal(cookie.attributes.path, '/', cookie.raw);
    assert.equal(cookie.attributes.secure, true, cookie.raw);
    assert.equal(cookie.attributes.domain, undefined, cookie.raw);
  });

  test('with __Host-mc_lang=en the dashboard is in English', async () => {
    const response = await portal.client.get('contact', '/', { cookies: { [LANGUAGE_COOKIE]: 'en' } });
    assert.equal(response.status, 200, response.toString());
    assertContains(response.body, 'Welcome, Sanne Jansen', 'English dashboard');
    assert.ok(!response.body.includes('Welkom'), 'the English dashboard still says "Welkom"');
    assert.match(response.body, /<html[^>]*\blang="en"/);
  });

  test('switching back to Dutch (lang=nl) works', async () => {
    const response = await switchLanguage('lang=nl&terug=/');
    assert.equal(response.status, 303, response.toString());
    assert.equal(response.cookie(LANGUAGE_COOKIE)?.value, 'nl');
  });

  test('terug keeps a local path', async () => {
    const response = await switchLanguage('lang=en&terug=%2Fservicedesk');
    assert.equal(response.status, 303, response.toString());
    assert.equal(response.location?.origin, portal.server.origin);
    assert.equal(response.location?.pathname, '/servicedesk');
  });

  // Browsers drop tabs and newlines from a Location and read "/<TAB>/host" as "//host".
  const offSite = ['//evil.example', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)',
    '/\t/evil.example', '/\n/evil.example', '/ /evil.example', '/\u00a0/evil.example', '/x\t/../evil.example'];
  for (const target of offSite) {
    test(`terug=${JSON.stringify(target)} redirects to / of the portal, not elsewhere`, async () => {
      const response = await switchLanguage(`lang=en&terug=${encodeURIComponent(target)}`);
      assert.equal(response.status, 303, response.toString());
      const location = response.header('location');
      assert.ok(!/evil\.example|javascript:/i.test(location), `open redirect: Location ${location}`);
      assert.equal(response.location.origin, portal.server.origin, `Location ${location}`);
      assert.equal(response.location.pathname, '/', `Location ${location}`);
      // Control: the query was read (else every target would trivially end up at /).
      assert.equal(response.cookie(LANGUAGE_COOKIE)?.value, 'en', 'lang=en in the same query was ignored');
    });
  }
});
