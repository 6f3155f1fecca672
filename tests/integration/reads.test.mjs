// A read never writes (ADR 0015): API calls get no session, a page view begins a signed session
// that is stored only at the first state change, logging out ends it at once, and a login or a
// refusal is audited once per certificate and interval, not once per request.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertNoSessionCookie, assertSessionCookie, SESSION_COOKIE } from '../support/assertions.mjs';
import { demoSql } from '../support/database.mjs';
import { withDemoServer } from '../support/integration.mjs';
import { csrfTokenFrom } from '../support/tls.mjs';

const portal = withDemoServer();

const count = async (table, where = '1 = 1') =>
  Number(await demoSql(portal.demo, `SELECT COUNT(*) FROM ${table} WHERE ${where}`));
const sessionRows = () => count('sessions');
const loginRecords = (action) => count('audit_log', `action = '${action}'`);

/** GET PATH as IDENTITY REPEAT times (with COOKIE, if given); every answer must be STATUS. */
async function repeatGet(identity, path, repeat, { cookie, status = 200 } = {}) {
  const responses = [];
  for (let i = 0; i < repeat; i++) {
    const response = await portal.client.get(identity, path, cookie ? { cookies: { [SESSION_COOKIE]: cookie } } : {});
    assert.equal(response.status, status, response.toString());
    responses.push(response);
  }
  return responses;
}

describe('reads write nothing', () => {
  test('API calls without a cookie get no session and write no session row', async () => {
    const before = await sessionRows();
    for (const response of await repeatGet('contact', '/api/v1/me', 5)) assertNoSessionCookie(response, 'on an API call');
    assert.equal(await sessionRows(), before);
  });

  test('a page view begins a signed session that stays unwritten while one reads', async () => {
    const before = await sessionRows();
    const [first] = await repeatGet('representative', '/', 1);
    const cookie = assertSessionCookie(first, 'on a first page view');
    assert.match(cookie, /^s1\./, 'a signed session, not a stored one');
    for (const response of await repeatGet('representative', '/', 5, { cookie })) {
      assert.equal(response.cookie(SESSION_COOKIE), undefined, 'the session stayed valid: no new cookie');
      assert.ok(csrfTokenFrom(response.body), 'its forms carry a CSRF token');
    }
    assert.equal(await sessionRows(), before, 'page views stored no session');
  });

  test('a login is audited once per certificate, not once per request', async () => {
    await repeatGet('other', '/api/v1/me', 1);
    const before = await loginRecords('login');
    await repeatGet('other', '/api/v1/me', 5);
    await repeatGet('other', '/', 3);
    assert.equal(await loginRecords('login'), before);
    // Control: another certificate's first request is audited.
    await repeatGet('professional', '/api/v1/me', 1);
    assert.equal(await loginRecords('login'), before + 1, 'a first login is audited');
  });

  test('a refused certificate is audited once, however often it knocks', async () => {
    const before = await loginRecords('login.refused');
    await repeatGet('stranger', '/', 4, { status: 403 });
    await repeatGet('stranger', '/api/v1/me', 2, { status: 403 });
    assert.equal(await loginRecords('login.refused'), before + 1);
  });
});

describe('the first state change stores the session; logging out ends it at once', () => {
  test('choose an organisation, then log out', async () => {
    const [view] = await repeatGet('contact', '/', 1);
    const cookie = assertSessionCookie(view);
    const csrf = csrfTokenFrom(view.body);
    const organisation = await demoSql(portal.demo, "SELECT id FROM organisations WHERE name = 'Voorbeeld B.V.'");
    const before = await sessionRows();
    const form = (path, fields) => portal.client.request('contact', 'POST', path, {
      cookies: { [SESSION_COOKIE]: cookie },
      form: { csrf_token: csrf, ...fields },
      headers: { origin: portal.server.origin, 'sec-fetch-site': 'same-origin' },
    });

    const chosen = await form('/organisatie-kiezen', { organisation_id: organisation });
    assert.equal(chosen.status, 303, chosen.toString());
    assert.equal(await sessionRows(), before + 1, 'the state change stored the session');
    const [after] = await repeatGet('contact', '/', 1, { cookie });
    assert.equal(after.cookie(SESSION_COOKIE), undefined, 'the same session goes on');
    assert.match(after.body, /Voorbeeld B\.V\./);

    const loggedOut = await form('/uitloggen', {});
    assert.equal(loggedOut.status, 200, loggedOut.toString());
    const [replayed] = await repeatGet('contact', '/', 1, { cookie });
    assert.notEqual(assertSessionCookie(replayed, 'after logging out'), cookie, 'the old cookie opens nothing');
    const again = await form('/organisatie-kiezen', { organisation_id: organisation });
    assert.equal(again.status, 403, `a form of the ended session is refused: ${again.toString()}`);
  });
});
