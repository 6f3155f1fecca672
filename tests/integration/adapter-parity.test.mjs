// The HTML pages and the JSON API are two adapters over the same use cases (ADR 0013): for every
// action a page and an API call share, every portal user gets the same outcome from both, each
// adapter starting from an object in the same state. Success is 2xx/3xx on either side; a
// refusal is the same status on both (404 for what one may not see, 403 for what one may only
// see, 400/409 for what the use case refuses).
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { SESSION_COOKIE } from '../support/assertions.mjs';
import { withDemoServer } from '../support/integration.mjs';
import { makeCsr, orderApi } from '../support/orders.mjs';
import { csrfTokenFrom } from '../support/tls.mjs';

const portal = withDemoServer();

const ROLES = ['representative', 'contact', 'other', 'professional', 'servicedesk'];

/** "ok" for a success of either adapter, else the status. */
const outcome = (response) => (response.status < 400 ? 'ok' : String(response.status));

describe('HTML and JSON adapters give the same outcome', () => {
  const api = orderApi(portal);
  const sessions = {};
  const ids = {};

  before(async () => {
    ids.V = await api.organisationOf('contact');
    ids.manager = (await api.organisation('contact', ids.V)).managers[0].id;
    const certificates = await api.certificates('contact', ids.V);
    ids.certificate = certificates.find((c) => c.status === 'valid').id;
    const own = (await api.getJson('professional', '/api/v1/cards')).items;
    ids.professionalCard = own.find((card) => card.type === 'professional').id;
    for (const role of ROLES) {
      const response = await portal.client.get(role, '/organisaties/999999');
      sessions[role] = {
        cookie: response.cookie(SESSION_COOKIE)?.value,
        csrf: csrfTokenFrom(response.body),
      };
      assert.ok(sessions[role].cookie && sessions[role].csrf, `no session for ${role}`);
    }
  });

  /** A page request as ROLE: GET, or a same-origin form POST with the session's token. */
  function page(role, method, path, form = {}) {
    const session = sessions[role];
    if (method === 'GET')
      return portal.client.get(role, path, { cookies: { [SESSION_COOKIE]: session.cookie } });
    return portal.client.request(role, 'POST', path, {
      cookies: { [SESSION_COOKIE]: session.cookie },
      form: { csrf_token: session.csrf, ...form },
      headers: { origin: portal.server.origin, 'sec-fetch-site': 'same-origin' },
    });
  }

  /** A JSON API request as ROLE. */
  function json(role, method, path, body) {
    if (method === 'GET') return api.get(role, path);
    if (typeof body === 'string') {
      return portal.client.request(role, 'POST', path, {
        headers: {
          'content-type': 'application/pkcs7-signature', accept: 'application/json',
          origin: portal.server.origin, 'sec-fetch-site': 'same-origin',
        },
        body,
      });
    }
    return api.postJson(role, path, body ?? {});
  }

  const NAME = 'pariteit.voorbeeld.nl';
  const CARD_HOLDER = {
    given_name: 'Pim', surname: 'Pariteit', email: 'pim@voorbeeld.nl', phone: '+31 6 12345678', title: '',
  };
  const draft = async () => (await api.newOrder({ identity: 'contact', cn: NAME })).order.id;
  const submitted = async () => (await api.submittedOrder({ identity: 'contact', cn: NAME })).order.id;
  const ownDraft = async () => {
    const response = await api.createOrder('professional', {
      type: 'mobile-add', card_id: ids.professionalCard, phone: '+31 6 12345678',
    });
    assert.equal(response.status, 201, response.toString());
    return response.json().id;
  };

  /**
   * Each action: a fresh object for each adapter (`make`, or none for reads), and the page and
   * API request for it. `expected` pins the outcomes the rules of PRODUCT.md demand.
   */
  const ACTIONS = [
    {
      name: 'see an organisation',
      html: () => ['GET', `/organisaties/${ids.V}`],
      json: () => ['GET', `/api/v1/organisations/${ids.V}`],
    },
    {
      name: 'list its server certificates',
      html: () => ['GET', `/organisaties/${ids.V}/servercertificaten`],
      json: () => ['GET', `/api/v1/organisations/${ids.V}/server-certificates`],
    },
    {
      name: 'see a server certificate',
      html: () => ['GET', `/servercertificaten/${ids.certificate}`],
      json: () => ['GET', `/api/v1/server-certificates/${ids.certificate}`],
    },
    {
      name: 'list its cards',
      html: () => ['GET', `/organisaties/${ids.V}/passen`],
      json: () => ['GET', `/api/v1/organisations/${ids.V}/cards`],
    },
    {
      name: 'list its orders',
      html: () => ['GET', `/organisaties/${ids.V}/bestellingen`],
      json: () => ['GET', `/api/v1/organisations/${ids.V}/orders`],
    },
    {
      name: 'list own cards',
      html: () => ['GET', '/mijn-certificaten'],
      json: () => ['GET', '/api/v1/cards'],
      expected: { professional: 'ok', contact: '403', servicedesk: '403' },
    },
    {
      name: 'order a server certificate',
      make: async () => (await makeCsr({ cn: NAME })).csrPem,
      html: (csr) => ['POST', `/organisaties/${ids.V}/servercertificaten/bestellen`,
        { csr_text: csr, manager: String(ids.manager) }],
      json: (csr) => ['POST', '/api/v1/orders',
        { type: 'server-new', organisation_id: ids.V, csr, manager: { id: ids.manager } }],
      expected: { representative: 'ok', contact: 'ok', other: '404', servicedesk: '403' },
    },
    {
      name: 'renew a server certificate',
      make: async () => (await makeCsr({ cn: NAME })).csrPem,
      html: (csr) => ['POST', `/servercertificaten/${ids.certificate}/vernieuwen`, { csr_text: csr }],
      json: (csr) => ['POST', '/api/v1/orders',
        { type: 'server-renew', certificate_id: ids.certificate, csr }],
      expected: { representative: 'ok', contact: 'ok', other: '404', professional: '404', servicedesk: '403' },
    },
    {
      name: 'order a personal card',
      html: () => ['POST', `/organisaties/${ids.V}/passen/bestellen`, { card_type: 'personal', ...CARD_HOLDER }],
      json: () => ['POST', '/api/v1/orders',
        { type: 'card-new', organisation_id: ids.V, card_type: 'personal', ...CARD_HOLDER }],
      expected: { representative: 'ok', contact: 'ok', other: '404', professional: '404', servicedesk: '403' },
    },
    {
      name: 'see an order',
      make: draft,
      html: (id) => ['GET', `/bestellingen/${id}`],
      json: (id) => ['GET', `/api/v1/orders/${id}`],
    },
    {
      name: 'read its document',
      make: draft,
      html: (id) => ['GET', `/bestellingen/${id}/document.txt`],
      json: (id) => ['GET', `/api/v1/orders/${id}/document`],
    },
    {
      name: 'sign it (with an unreadable signature)',
      make: draft,
      html: (id) => ['POST', `/bestellingen/${id}/handtekening`, { signature_text: 'geen handtekening' }],
      json: (id) => ['POST', `/api/v1/orders/${id}/signature`, 'geen handtekening'],
      expected: { contact: '400', representative: '403', other: '404', servicedesk: '403' },
    },
    {
      name: 'cancel an organisation order',
      make: draft,
      html: (id) => ['POST', `/bestellingen/${id}/annuleren`],
      json: (id) => ['POST', `/api/v1/orders/${id}/cancel`],
      expected: { representative: 'ok', contact: 'ok', other: '404', professional: '404', servicedesk: '403' },
    },
    {
      name: 'cancel a professional holder\'s own order',
      make: ownDraft,
      html: (id) => ['POST', `/bestellingen/${id}/annuleren`],
      json: (id) => ['POST', `/api/v1/orders/${id}/cancel`],
      expected: { professional: 'ok', contact: '404', servicedesk: '403' },
    },
    {
      name: 'make an activation code (not yet approved)',
      make: ownDraft,
      html: (id) => ['POST', `/bestellingen/${id}/activeringscode`],
      json: (id) => ['POST', `/api/v1/orders/${id}/activation-code`],
      expected: { professional: '409', contact: '404', servicedesk: '403' },
    },
    {
      name: 'see the Servicedesk queue',
      html: () => ['GET', '/servicedesk/bestellingen'],
      json: () => ['GET', '/api/v1/servicedesk/orders'],
      expected: { servicedesk: 'ok', contact: '403', professional: '403' },
    },
    {
      name: 'approve an order',
      make: submitted,
      html: (id) => ['POST', `/servicedesk/bestellingen/${id}/goedkeuren`],
      json: (id) => ['POST', `/api/v1/servicedesk/orders/${id}/approve`],
      expected: { servicedesk: 'ok', contact: '403', representative: '403' },
    },
    {
      name: 'reject an order',
      make: submitted,
      html: (id) => ['POST', `/servicedesk/bestellingen/${id}/afwijzen`, { reason: 'Pariteit' }],
      json: (id) => ['POST', `/api/v1/servicedesk/orders/${id}/reject`, { reason: 'Pariteit' }],
      expected: { servicedesk: 'ok', other: '403' },
    },
  ];

  for (const action of ACTIONS) {
    test(action.name, async () => {
      const html = {};
      const jsonOutcome = {};
      for (const role of ROLES) {
        const [pageMethod, pagePath, form] = action.html(action.make ? await action.make() : undefined);
        html[role] = outcome(await page(role, pageMethod, pagePath, form));
        const [apiMethod, apiPath, body] = action.json(action.make ? await action.make() : undefined);
        jsonOutcome[role] = outcome(await json(role, apiMethod, apiPath, body));
      }
      assert.deepEqual(html, jsonOutcome, `${action.name}: pages ${JSON.stringify(html)}, API ${JSON.stringify(jsonOutcome)}`);
      for (const [role, want] of Object.entries(action.expected ?? {}))
        assert.equal(html[role], want, `${action.name} as ${role}`);
    });
  }
});
