// Who may do what (PRODUCT.md §2, auth::authorize): every route × every demo identity → the
// expected status. Another organisation's objects answer 404 and whole areas 403, and no refusal
// shows anything of an organisation the asker does not belong to.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { assertMentionsNone, foreignNames, SESSION_COOKIE } from '../support/assertions.mjs';
import { withDemoServer } from '../support/integration.mjs';
import { demoUsers } from '../support/server.mjs';
import { csrfTokenFrom } from '../support/tls.mjs';

const portal = withDemoServer();

/** Identities that use the portal; the other demo identities are refused at login. */
const PORTAL_USERS = ['representative', 'contact', 'other', 'professional', 'servicedesk'];
const REFUSED = demoUsers.filter((name) => !PORTAL_USERS.includes(name));
/** Where each identity has a role (V: Voorbeeld B.V., A: Andere Organisatie B.V.). */
const MEMBER_OF = {
  representative: 'V', contact: 'V', manager: 'V', expired: 'V', revoked: 'V', other: 'A',
};
/** Data of each organisation that must never appear in a refusal shown to an outsider. */
const ORGANISATION_DATA = {
  V: ['Voorbeeld B.V.', '12345678', '00000001812345678000', 'Stationsplein', 'voorbeeld.nl',
    'Willem van Dijk', 'Sanne Jansen', 'Pieter Bakker', 'PO-2026-0042'],
  A: ['Andere Organisatie B.V.', '87654321', '00000001887654321000', 'Coolsingel',
    'andere-organisatie.nl', 'Fatima El Amrani'],
};

/** Expected status of each portal user, in the order of PORTAL_USERS. */
const row = (representative, contact, other, professional, servicedesk) => ({
  representative, contact, other, professional, servicedesk,
});
const ALL = (status) => row(status, status, status, status, status);
const VOORBEELD_DATA = row(200, 200, 404, 404, 200);
const ANDERE_DATA = row(404, 404, 200, 404, 200);
const SERVICEDESK_ONLY = row(403, 403, 403, 403, 200);
const PROFESSIONAL_ONLY = row(403, 403, 403, 200, 403);

// {V}/{A}: the organisations' ids; {contact_person}: Sanne Jansen's person id.
const ROUTES = [
  ['GET', '/', row(200, 200, 200, 200, 303)],
  ['GET', '/api/v1/me', ALL(200)],
  ['GET', '/organisaties/{V}', VOORBEELD_DATA],
  ['GET', '/organisaties/{V}/facturatie', VOORBEELD_DATA],
  ['GET', '/organisaties/{V}/personen', VOORBEELD_DATA],
  ['GET', '/api/v1/organisations/{V}', VOORBEELD_DATA],
  ['GET', '/organisaties/{A}', ANDERE_DATA],
  ['GET', '/organisaties/{A}/facturatie', ANDERE_DATA],
  ['GET', '/organisaties/{A}/personen', ANDERE_DATA],
  ['GET', '/api/v1/organisations/{A}', ANDERE_DATA],
  ['GET', '/organisaties/999999', ALL(404)],
  ['GET', '/api/v1/organisations/999999', ALL(404)],
  ['POST', '/organisatie-kiezen', row(303, 303, 404, 404, 403), { organisation_id: '{V}' }],
  ['POST', '/organisatie-kiezen', row(404, 404, 303, 404, 403), { organisation_id: '{A}' }],
  ['GET', '/mijn-gegevens', PROFESSIONAL_ONLY],
  ['GET', '/mijn-gegevens/facturatie', PROFESSIONAL_ONLY],
  ['GET', '/servicedesk', SERVICEDESK_ONLY],
  ['GET', '/servicedesk/audit', SERVICEDESK_ONLY],
  ['GET', '/servicedesk/domeinvalidaties', SERVICEDESK_ONLY],
  ['GET', '/servicedesk/organisaties', SERVICEDESK_ONLY],
  ['GET', '/servicedesk/organisaties/{V}', SERVICEDESK_ONLY],
  ['GET', '/servicedesk/organisaties/{A}/bewerken', SERVICEDESK_ONLY],
  ['GET', '/servicedesk/personen/{contact_person}', SERVICEDESK_ONLY],
  ['POST', '/servicedesk/organisaties/{V}/domeinen', row(403, 403, 403, 403, 303),
    { domain: 'matrix.voorbeeld.nl' }],
];

describe('authorisation matrix', () => {
  const values = {};
  const sessions = {};

  // Root hooks run concurrently in node 20: this one waits for the server inside a suite.
  before(async () => {
    const me = async (identity) => (await portal.client.get(identity, '/api/v1/me')).json();
    const contact = await me('contact');
    values.V = contact.roles[0].organisation_id;
    values.contact_person = contact.person.id;
    values.A = (await me('other')).roles[0].organisation_id;
    // Every logged-in HTML page, an error page too, carries the logout form with the token.
    for (const identity of PORTAL_USERS) {
      const response = await portal.client.get(identity, '/organisaties/999999');
      sessions[identity] = {
        cookie: response.cookie(SESSION_COOKIE)?.value,
        csrf: csrfTokenFrom(response.body),
      };
      assert.ok(sessions[identity].cookie && sessions[identity].csrf, `no session for ${identity}`);
    }
  });

  const fill = (text) => text.replace(/\{(\w+)\}/g, (_, name) => String(values[name]));

  /** Sends the route as IDENTITY (null: no certificate); POSTs as a same-origin form. */
  function send(identity, method, pathname, form) {
    if (method === 'GET') return portal.client.get(identity, pathname);
    const session = sessions[identity];
    const fields = Object.fromEntries(Object.entries(form).map(([k, v]) => [k, fill(v)]));
    return portal.client.request(identity, method, pathname, {
      cookies: session ? { [SESSION_COOKIE]: session.cookie } : undefined,
      form: session ? { csrf_token: session.csrf, ...fields } : fields,
      headers: { origin: portal.server.origin, 'sec-fetch-site': 'same-origin' },
    });
  }

  /** A refusal shows nothing of organisations IDENTITY does not belong to, nor other people. */
  function assertNothingLeaks(identity, response, what) {
    assertMentionsNone(response.body, foreignNames(portal.demo, identity), what);
    for (const [organisation, data] of Object.entries(ORGANISATION_DATA)) {
      if (MEMBER_OF[identity] === organisation) continue;
      const leaked = data.filter((text) => response.body.includes(text));
      assert.deepEqual(leaked, [], `${what} shows data of ${organisation}`);
    }
  }

  for (const [method, pattern, expected, form = {}] of ROUTES) {
    const name = `${method} ${pattern}${method === 'POST' ? ` ${JSON.stringify(form)}` : ''}`;
    test(name, async () => {
      const pathname = fill(pattern);
      const want = { '(no certificate)': 401, ...Object.fromEntries(REFUSED.map((n) => [n, 403])), ...expected };
      const got = {};
      for (const identity of [null, ...REFUSED, ...PORTAL_USERS]) {
        const response = await send(identity, method, pathname, form);
        const label = identity ?? '(no certificate)';
        got[label] = response.status;
        if (response.status >= 400) assertNothingLeaks(identity, response, `${label}: ${method} ${pathname}`);
      }
      assert.deepEqual(got, want, `statuses of ${method} ${pathname}`);
    });
  }
});
