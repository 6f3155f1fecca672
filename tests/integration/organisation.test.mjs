// The customer data pages (PRODUCT.md §5 "Inzage", §6): Organisatiegegevens, Facturatiegegevens
// and the persons of an organisation, choosing the organisation to work for, a professional
// holder's own data, and GET /api/v1/organisations/{id} (API.md).
import assert from 'node:assert/strict';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { assertContains, LANGUAGE_COOKIE, SESSION_COOKIE } from '../support/assertions.mjs';
import { withDemoServer } from '../support/integration.mjs';
import { csrfTokenFrom } from '../support/tls.mjs';

const portal = withDemoServer();
const ids = { voorbeeld: 0, andere: 0 };


/** GET PATH as IDENTITY, optionally in SESSION ({cookie}) and in English; asserts STATUS. */
async function page(identity, pathname, { status = 200, session, english = false } = {}) {
  const cookies = {};
  if (session) cookies[SESSION_COOKIE] = session.cookie;
  if (english) cookies[LANGUAGE_COOKIE] = 'en';
  const response = await portal.client.get(identity, pathname, {
    cookies: Object.keys(cookies).length > 0 ? cookies : undefined,
  });
  assert.equal(response.status, status, `${identity} GET ${pathname}: ${response.toString()}`);
  return response;
}

function assertContainsAll(html, texts, what) {
  for (const text of texts) assertContains(html, text, what);
}

/** The text of the main element, without tags, to check what the page itself says. */
function mainText(html) {
  const main = html.match(/<main[\s\S]*<\/main>/)?.[0] ?? '';
  return main.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
}

/** Starts a session for IDENTITY (GET /) and returns {cookie, csrf}. */
async function login(identity) {
  const response = await portal.client.get(identity, '/');
  const cookie = response.cookie(SESSION_COOKIE)?.value;
  assert.ok(cookie, `no session for ${identity}: ${response.toString()}`);
  const again = await page(identity, response.status === 303 ? response.location.pathname : '/', {
    session: { cookie },
  });
  const csrf = csrfTokenFrom(again.body);
  assert.ok(csrf, `no csrf_token on ${identity}'s page`);
  return { cookie, csrf };
}

/** POST /organisatie-kiezen as IDENTITY in SESSION with form FIELDS (csrf_token added). */
function choose(identity, session, fields) {
  return portal.client.request(identity, 'POST', '/organisatie-kiezen', {
    cookies: { [SESSION_COOKIE]: session.cookie },
    form: { csrf_token: session.csrf, ...fields },
    headers: { origin: portal.server.origin, 'sec-fetch-site': 'same-origin' },
  });
}

/** The "U werkt voor …" line of the header, or null. */
function workingFor(html) {
  return html.match(/U werkt voor <strong>([^<]*)<\/strong>/)?.[1] ?? null;
}

describe('customer data pages', () => {
  // Root hooks run concurrently in node 20: this one waits for the server inside a suite.
  before(async () => {
    // Noor Visser ("both"), contact of both demo organisations, is a demo user beyond PRODUCT.md §9.
    const users = path.join(portal.demo.dir, 'users');
    portal.demo.users.both = {
      name: 'both', certPath: path.join(users, 'both.crt'), keyPath: path.join(users, 'both.key'),
    };
    ids.voorbeeld = (await portal.client.get('contact', '/api/v1/me')).json().roles[0].organisation_id;
    ids.andere = (await portal.client.get('other', '/api/v1/me')).json().roles[0].organisation_id;
  });

  describe('Organisatiegegevens', () => {
    test('the contact sees the registered data of Voorbeeld B.V. and its validated domain', async () => {
      const response = await page('contact', `/organisaties/${ids.voorbeeld}`);
      assertContainsAll(response.body, [
        '<h1 class="utrecht-heading-1">Voorbeeld B.V.</h1>', 'Organisatiegegevens', 'KvK-nummer', '12345678',
        'OIN', '00000001812345678000', 'Bezoekadres', 'Stationsplein 1', '3511 ED Utrecht',
        'Postadres', 'Postbus 1234', '3500 AA Utrecht', 'Gevalideerde domeinen', 'voorbeeld.nl',
      ], 'Organisatiegegevens');
      assert.equal(workingFor(response.body), 'Voorbeeld B.V.');
      assert.match(response.body, new RegExp(`href="/organisaties/${ids.voorbeeld}" aria-current="page">Organisatie<`),
        'the main navigation marks "Organisatie" as current');
      assert.ok(!response.body.includes('Andere Organisatie'), 'another organisation is shown');
      assert.ok(!response.body.includes('/organisatie-kiezen'), 'a single organisation needs no choice');
    });

    test('the representative sees the same page; other sees Andere Organisatie B.V.', async () => {
      assertContains((await page('representative', `/organisaties/${ids.voorbeeld}`)).body, '12345678');
      const andere = await page('other', `/organisaties/${ids.andere}`);
      assertContainsAll(andere.body, ['Andere Organisatie B.V.', '87654321', 'Coolsingel 40', 'andere-organisatie.nl'], 'Andere');
      assert.ok(!andere.body.includes('Voorbeeld B.V.'), 'other sees Voorbeeld B.V.');
    });

    test('in English', async () => {
      const response = await page('contact', `/organisaties/${ids.voorbeeld}`, { english: true });
      assertContainsAll(response.body, ['Organisation data', 'Visiting address', 'Validated domains'], 'English page');
    });
  });

  describe('Facturatiegegevens', () => {
    test('the contact sees where invoices go', async () => {
      const response = await page('contact', `/organisaties/${ids.voorbeeld}/facturatie`);
      assertContainsAll(response.body, [
        'Facturatiegegevens', 'Ter attentie van', 'Crediteurenadministratie', 'Factuuradres',
        'facturen@voorbeeld.nl', 'Inkoopordernummer', 'PO-2026-0042', 'Btw-nummer', 'NL001234567B01',
      ], 'Facturatiegegevens');
      assert.match(response.body, /href="[^"]*\/facturatie" aria-current="page"/, 'the section link is current');
    });

    test('a missing purchase order number says "Niet opgegeven"', async () => {
      const response = await page('other', `/organisaties/${ids.andere}/facturatie`);
      assertContainsAll(response.body, ['Financiële administratie', 'NL009876543B01', 'Niet opgegeven'], 'Andere billing');
    });
  });

  describe('Personen', () => {
    test('lists representatives, contacts and certificate managers with their contact data', async () => {
      const html = (await page('contact', `/organisaties/${ids.voorbeeld}/personen`)).body;
      const section = (id) => html.match(new RegExp(`id="${id}"[\\s\\S]*?(?=<h2|<p class="utrecht-paragraph">Kloppen)`))?.[0] ?? '';
      assertContainsAll(section('bevoegd-vertegenwoordigers'), ['Bevoegd Vertegenwoordigers', 'Willem van Dijk', 'w.vandijk@voorbeeld.nl'], 'BV list');
      assertContainsAll(section('contactpersonen'), ['Contactpersonen', 'Sanne Jansen', 'Noor Visser', '+31 30 123 45 02'], 'CP list');
      assertContainsAll(section('certificaatbeheerders'), ['Certificaatbeheerders', 'Pieter Bakker', 'p.bakker@voorbeeld.nl'], 'CB list');
      assert.ok(!section('contactpersonen').includes('Willem van Dijk'), 'the representative is listed as contact');
      assert.match(html, /<table[^>]*aria-labelledby="certificaatbeheerders"/, 'tables are labelled by their heading');
      assert.ok(!html.includes('Fatima El Amrani'), 'a contact of another organisation is listed');
    });
  });

  describe('GET /api/v1/organisations/{id}', () => {
    test('the contact reads the organisation data of Voorbeeld B.V.', async () => {
      const response = await page('contact', `/api/v1/organisations/${ids.voorbeeld}`);
      assert.match(response.header('content-type'), /^application\/json/);
      const body = response.json();
      const withoutIds = (people) => people.map(({ id, ...rest }) => {
        assert.ok(Number.isInteger(id), `person id ${id}`);
        return rest;
      });
      assert.equal(body.id, ids.voorbeeld);
      assert.deepEqual({ name: body.name, kvk: body.kvk, oin: body.oin }, {
        name: 'Voorbeeld B.V.', kvk: '12345678', oin: '00000001812345678000',
      });
      assert.deepEqual(body.visiting_address, { street: 'Stationsplein 1', postal_code: '3511 ED', city: 'Utrecht', country: 'NL' });
      assert.deepEqual(body.postal_address, { street: 'Postbus 1234', postal_code: '3500 AA', city: 'Utrecht', country: 'NL' });
      assert.deepEqual(body.billing, {
        address: { street: 'Postbus 1234', postal_code: '3500 AA', city: 'Utrecht', country: 'NL' },
        attention_of: 'Crediteurenadministratie',
        email: 'facturen@voorbeeld.nl',
        purchase_order_reference: 'PO-2026-0042',
        vat_number: 'NL001234567B01',
      });
      assert.deepEqual(body.validated_domains, ['voorbeeld.nl']);
      assert.deepEqual(withoutIds(body.representatives), [
        { name: 'Willem van Dijk', email: 'w.vandijk@voorbeeld.nl', phone: '+31 30 123 45 01' },
      ]);
      assert.ok(withoutIds(body.contacts).some((c) => c.name === 'Sanne Jansen' && c.email === 's.jansen@voorbeeld.nl'), response.body);
      assert.deepEqual(withoutIds(body.managers), [
        { name: 'Pieter Bakker', email: 'p.bakker@voorbeeld.nl', phone: '+31 30 123 45 03' },
      ]);
    });

    test('the Servicedesk reads both organisations', async () => {
      assert.equal((await page('servicedesk', `/api/v1/organisations/${ids.voorbeeld}`)).json().kvk, '12345678');
      assert.equal((await page('servicedesk', `/api/v1/organisations/${ids.andere}`)).json().kvk, '87654321');
    });

    test('an unknown id is a 404 problem, also for the Servicedesk', async () => {
      const response = await page('servicedesk', '/api/v1/organisations/999999', { status: 404 });
      assert.match(response.header('content-type'), /^application\/problem\+json/);
      assert.equal(response.json().status, 404);
    });
  });

  describe('choosing the organisation to work for', () => {
    test('a contact of two organisations has not chosen yet and is offered both', async () => {
      const session = await login('both');
      const dashboard = await page('both', '/', { session });
      assert.equal(workingFor(dashboard.body), null, 'an organisation was chosen without asking');
      assertContainsAll(dashboard.body, ['Werken voor Voorbeeld B.V.', 'Werken voor Andere Organisatie B.V.'], 'dashboard');
      const organisation = await page('both', `/organisaties/${ids.voorbeeld}`, { session });
      assertContainsAll(organisation.body, ['U heeft nog niet gekozen voor welke organisatie u werkt.', 'Werken voor Voorbeeld B.V.'], 'organisation page');
    });

    test('choosing one: 303 to its page, the header says so, the other stays on offer', async () => {
      const session = await login('both');
      const chosen = await choose('both', session, { organisation_id: ids.andere });
      assert.equal(chosen.status, 303, chosen.toString());
      assert.equal(chosen.location.pathname, `/organisaties/${ids.andere}`);

      const dashboard = await page('both', '/', { session });
      assert.equal(workingFor(dashboard.body), 'Andere Organisatie B.V.');
      assertContains(dashboard.body, 'Hier werkt u nu voor', 'dashboard after choosing');
      assert.ok(!dashboard.body.includes('Werken voor Andere Organisatie B.V.'), 'the chosen organisation is still offered');
      assertContains(dashboard.body, 'Werken voor Voorbeeld B.V.', 'dashboard after choosing');

      const other = await page('both', `/organisaties/${ids.voorbeeld}/personen`, { session });
      assert.equal(workingFor(other.body), 'Andere Organisatie B.V.');
      assertContains(mainText(other.body), 'U werkt nu voor Andere Organisatie B.V.', 'page of the other organisation');

      const again = await choose('both', session, { organisation_id: ids.voorbeeld });
      assert.equal(again.status, 303, again.toString());
      assert.equal(workingFor((await page('both', '/', { session })).body), 'Voorbeeld B.V.');
    });

    test('an organisation the person does not work for is 404 and changes nothing', async () => {
      const session = await login('contact');
      const response = await choose('contact', session, { organisation_id: ids.andere });
      assert.equal(response.status, 404, response.toString());
      assert.ok(!response.body.includes('Andere Organisatie B.V.'), 'the refusal names the organisation');
      assert.equal(workingFor((await page('contact', '/', { session })).body), 'Voorbeeld B.V.');
    });

    test('the Servicedesk never works for a customer: 403', async () => {
      const session = await login('servicedesk');
      const response = await choose('servicedesk', session, { organisation_id: ids.voorbeeld });
      assert.equal(response.status, 403, response.toString());
      const viewed = await page('servicedesk', `/organisaties/${ids.voorbeeld}`, { session });
      assert.ok(!viewed.body.includes('/organisatie-kiezen'), 'the Servicedesk is offered a customer action');
      assert.equal(workingFor(viewed.body), null);
    });

    test('a missing or malformed organisation_id is 400; without the CSRF token 403', async () => {
      const session = await login('both');
      for (const fields of [{}, { organisation_id: 'abc' }, { organisation_id: '-1' }, { organisation_id: '1x' }]) {
        const response = await choose('both', session, fields);
        assert.equal(response.status, 400, `${JSON.stringify(fields)}: ${response.toString()}`);
      }
      const forged = await choose('both', { ...session, csrf: 'wrong' }, { organisation_id: ids.voorbeeld });
      assert.equal(forged.status, 403, forged.toString());
      assert.equal(workingFor((await page('both', '/', { session })).body), null, 'a refused choice was stored');
    });
  });

  describe('a professional holder sees their own data', () => {
    test('Mijn gegevens: contact data recorded at the application', async () => {
      const response = await page('professional', '/mijn-gegevens');
      assertContainsAll(response.body, [
        '<h1 class="utrecht-heading-1">Mijn gegevens</h1>', 'Contactgegevens', 'Eva de Boer', 'Notaris',
        'KNB-2019-0142', 'notaris@deboer-notarissen.nl', '+31 20 555 01 05', 'Herengracht 420', '1017 BZ Amsterdam',
      ], 'Mijn gegevens');
      assert.match(response.body, /href="\/mijn-gegevens" aria-current="page">Mijn gegevens</, 'main navigation');
    });

    test('Mijn gegevens: billing data', async () => {
      const response = await page('professional', '/mijn-gegevens/facturatie');
      assertContainsAll(response.body, [
        'Facturatiegegevens', 'De Boer Notarissen', 'Postbus 1500', '1000 BM Amsterdam',
        'administratie@deboer-notarissen.nl', 'NL812345678B01',
      ], 'professional billing');
    });

    test('the dashboard links to them', async () => {
      assertContains((await page('professional', '/')).body, 'href="/mijn-gegevens"', 'professional dashboard');
    });
  });
});
