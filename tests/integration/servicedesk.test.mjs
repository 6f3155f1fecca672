// The Servicedesk back office over mutual TLS (PRODUCT.md §7): every page and form as a
// Servicedesk officer, validation errors that leave everything as it was, refusals for customers
// and professionals, forged forms, and withdrawing access ending a person's sessions at once.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import { assertContains, assertSecurityHeaders, assertSessionCookie, SESSION_COOKIE } from '../support/assertions.mjs';
import { demoSql } from '../support/database.mjs';
import { withDemoServer } from '../support/integration.mjs';
import { csrfTokenFrom } from '../support/tls.mjs';

const portal = withDemoServer();

/** Starts a session for IDENTITY with a GET of PATH; returns {identity, cookie, csrf}. */
async function login(identity, path = '/') {
  const response = await portal.client.get(identity, path);
  assert.equal(response.status, 200, response.toString());
  const cookie = assertSessionCookie(response, `for ${identity}`);
  const csrf = csrfTokenFrom(response.body);
  assert.ok(csrf, `no csrf_token on ${path} for ${identity}`);
  return { identity, cookie, csrf };
}

/** GET PATH in SESSION. */
function get(session, path) {
  return portal.client.get(session.identity, path, { cookies: { [SESSION_COOKIE]: session.cookie } });
}

/** POST FIELDS (plus the session's csrf_token, unless given) to PATH in SESSION, as a browser does. */
function post(session, path, fields = {}, headers = { origin: portal.server.origin, 'sec-fetch-site': 'same-origin' }) {
  return portal.client.request(session.identity, 'POST', path, {
    cookies: { [SESSION_COOKIE]: session.cookie },
    form: { csrf_token: session.csrf, ...fields },
    headers,
  });
}

/** The text of the h1 of a page. */
function heading(html) {
  return html.match(/<h1[^>]*>([^<]*)<\/h1>/)?.[1] ?? null;
}

/** Decodes the few entities the templates write. */
function unescape(text) {
  return text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** The main element of a page: what changes when data changes (the header holds the user only). */
function main(html) {
  return html.match(/<main[\s\S]*<\/main>/)?.[0] ?? '';
}

/** Asserts a 303 to PATH with confirmation NOTICE, and returns the page it points to. */
async function assertSaved(session, response, path, notice) {
  assert.equal(response.status, 303, response.toString());
  const location = response.location;
  if (path instanceof RegExp) assert.match(location.pathname, path);
  else assert.equal(location.pathname, path);
  assert.equal(location.searchParams.get('melding'), notice);
  const page = await get(session, location.pathname + location.search);
  assert.equal(page.status, 200, page.toString());
  assert.match(page.body, /<div class="utrecht-alert utrecht-alert--ok" role="status">/, 'no confirmation shown');
  return page;
}

/**
 * Asserts the GOV.UK / NL Design System error pattern: STATUS, "Fout:" in the title, a summary
 * (role=alert) linking to each invalid field, each field with aria-invalid and aria-describedby
 * pointing at its message. FIELDS maps element ids to (part of) the expected message.
 */
function assertFormErrors(response, status, fields) {
  assert.equal(response.status, status, response.toString());
  const html = response.body;
  assert.match(html, /<title>Fout: /, 'the title does not say there is an error');
  const summary = html.match(/<div class="utrecht-alert utrecht-alert--error[^"]*" role="alert"[^>]*>([\s\S]*?)<\/div>/);
  assert.ok(summary, `no error summary:\n${main(html).slice(0, 3000)}`);
  assertContains(summary[1], 'Er is een probleem', 'error summary');
  const linked = [...summary[1].matchAll(/href="#([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(linked.sort(), Object.keys(fields).sort(), 'the summary links to exactly the invalid fields');
  for (const [id, message] of Object.entries(fields)) {
    const control = html.match(new RegExp(`<(input|textarea|select)\\b[^>]*\\bid="${id}"[^>]*>`));
    assert.ok(control, `no field #${id}`);
    assert.match(control[0], /aria-invalid="true"/, `#${id} is not marked invalid`);
    assert.match(control[0], new RegExp(`aria-describedby="${id}-error`), `#${id} does not point at its message`);
    const error = html.match(new RegExp(`id="${id}-error">([^<]*)<`));
    assert.ok(error, `no message next to #${id}`);
    assertContains(unescape(error[1]), message, `message of #${id}`);
  }
  return html;
}

/** The value attribute of input #ID (unescaped). */
function valueOf(html, id) {
  const input = html.match(new RegExp(`<input\\b[^>]*\\bid="${id}"[^>]*>`))?.[0];
  assert.ok(input, `no input #${id}`);
  return unescape(input.match(/\bvalue="([^"]*)"/)[1]);
}

/** Ids in the links of a page to /servicedesk/KIND/ID, in page order. */
function linkedIds(html, kind) {
  return [...main(html).matchAll(new RegExp(`href="/servicedesk/${kind}/(\\d+)"`, 'g'))].map((m) => Number(m[1]));
}

/** A complete, valid organisation form for KVK. */
function organisationForm(kvk, overrides = {}) {
  return {
    name: `Testorganisatie ${kvk} B.V.`, kvk, oin: `00000003${kvk}0000`,
    visiting_street: 'Teststraat 1', visiting_postal_code: '1234ab', visiting_city: 'Utrecht', visiting_country: 'NL',
    postal_street: 'Postbus 99', postal_postal_code: '1200 AA', postal_city: 'Utrecht', postal_country: 'NL',
    billing_street: 'Postbus 99', billing_postal_code: '1200 AA', billing_city: 'Utrecht', billing_country: 'NL',
    billing_attention_of: 'Administratie', billing_email: `facturen@test${kvk}.nl`,
    billing_purchase_order_reference: 'PO-1', billing_vat_number: 'NL001234567B01',
    ...overrides,
  };
}

function personForm(overrides = {}) {
  return { given_name: 'Jan', surname: 'de Tester', email: 'jan@test.nl', phone: '030 123 45 67', ...overrides };
}

let kvkCounter = 30_000_000;
/** A KvK number no other test uses. */
const freshKvk = () => String(++kvkCounter);

/** The Servicedesk officer's session, shared by the tests (started in `before` below). */
let officer;

/** Registers an organisation and returns its id. */
async function registerOrganisation(fields) {
  const response = await post(officer, '/servicedesk/organisaties/nieuw', fields);
  await assertSaved(officer, response, /^\/servicedesk\/organisaties\/\d+$/, 'geregistreerd');
  return Number(response.location.pathname.split('/').pop());
}

/** Registers a person (with a first role when ORGANISATION is given) and returns the id. */
async function registerPerson(fields, organisation, role = 'contact') {
  const extra = organisation ? { organisation_id: String(organisation), role } : {};
  const response = await post(officer, '/servicedesk/personen/nieuw', { ...fields, ...extra });
  await assertSaved(officer, response, /^\/servicedesk\/personen\/\d+$/, 'geregistreerd');
  return Number(response.location.pathname.split('/').pop());
}

/** The id of the one person a search for TEXT finds. */
async function personId(text) {
  const response = await get(officer, `/servicedesk/personen?q=${encodeURIComponent(text)}`);
  const ids = linkedIds(response.body, 'personen');
  assert.equal(ids.length, 1, `search for ${text} found ${ids.length} persons`);
  return ids[0];
}

/** The id of the one organisation a search for TEXT finds. */
async function organisationId(text) {
  const response = await get(officer, `/servicedesk/organisaties?q=${encodeURIComponent(text)}`);
  const ids = linkedIds(response.body, 'organisaties');
  assert.equal(ids.length, 1, `search for ${text} found ${ids.length} organisations`);
  return ids[0];
}

/** Everything that shows the state of an organisation or person: its page and its audit log. */
async function snapshot(kind, id) {
  const auditFilter = kind === 'organisaties' ? 'organisatie' : 'persoon';
  const pageResponse = await get(officer, `/servicedesk/${kind}/${id}`);
  const audit = await get(officer, `/servicedesk/audit?${auditFilter}=${id}`);
  assert.equal(pageResponse.status, 200);
  assert.equal(audit.status, 200);
  return main(pageResponse.body) + main(audit.body);
}

// One suite: node 20 runs file-level `before` hooks concurrently, and the officer needs the server.
describe('Servicedesk back office', () => {
  before(async () => {
    officer = await login('servicedesk', '/servicedesk');
  });

  describe('pages of the Servicedesk', () => {
    test('every page answers 200 with one h1, the security headers and no inline script', async () => {
      const voorbeeld = await organisationId('Voorbeeld B.V.');
      const sanne = await personId('Sanne Jansen');
      const pages = {
        '/servicedesk': 'Servicedesk',
        '/servicedesk/organisaties': 'Organisaties',
        '/servicedesk/organisaties?q=voorbeeld': 'Organisaties',
        '/servicedesk/organisaties/nieuw': 'Organisatie registreren',
        [`/servicedesk/organisaties/${voorbeeld}`]: 'Voorbeeld B.V.',
        [`/servicedesk/organisaties/${voorbeeld}/bewerken`]: 'Gegevens van Voorbeeld B.V. wijzigen',
        '/servicedesk/personen': 'Personen',
        '/servicedesk/personen?q=jansen': 'Personen',
        '/servicedesk/personen/nieuw': 'Persoon registreren',
        [`/servicedesk/personen/nieuw?organisatie=${voorbeeld}`]: 'Persoon registreren',
        [`/servicedesk/personen/${sanne}`]: 'Sanne Jansen',
        [`/servicedesk/personen/${sanne}/bewerken`]: 'Gegevens van Sanne Jansen wijzigen',
        '/servicedesk/audit': 'Auditlog',
        '/servicedesk/domeinvalidaties': 'Verlopende domeinvalidaties',
        [`/servicedesk/audit?organisatie=${voorbeeld}`]: 'Auditlog van Voorbeeld B.V.',
        [`/servicedesk/audit?persoon=${sanne}`]: 'Auditlog van Sanne Jansen',
      };
      for (const [path, title] of Object.entries(pages)) {
        const response = await get(officer, path);
        assert.equal(response.status, 200, `${path}: ${response.toString()}`);
        assertSecurityHeaders(response, path);
        assert.equal(unescape(heading(response.body) ?? ''), title, path);
        assert.equal(response.body.match(/<h1\b/g).length, 1, `${path} has more than one h1`);
        assert.doesNotMatch(response.body, /<script|style="/, `${path} has inline script or style`);
        for (const [label] of response.body.matchAll(/<(input|textarea|select)\b(?![^>]*type="hidden")[^>]*>/g)) {
          const id = label.match(/\bid="([^"]+)"/)?.[1];
          assert.ok(id && response.body.includes(`for="${id}"`), `${path}: a field without label: ${label}`);
        }
      }
    });

    test('the servicedesk page is in English too', async () => {
      const response = await portal.client.get('servicedesk', '/servicedesk', {
        cookies: { [SESSION_COOKIE]: officer.cookie, '__Host-mc_lang': 'en' },
      });
      assert.equal(response.status, 200, response.toString());
      assertContains(response.body, 'Find an organisation', 'English search label');
    });

    test('unknown organisations, persons and filters are 404', async () => {
      for (const path of ['/servicedesk/organisaties/99999', '/servicedesk/organisaties/99999/bewerken',
        '/servicedesk/personen/99999', '/servicedesk/personen/99999/bewerken',
        '/servicedesk/personen/nieuw?organisatie=99999', '/servicedesk/personen/nieuw?organisatie=abc',
        '/servicedesk/audit?organisatie=99999', '/servicedesk/audit?persoon=99999', '/servicedesk/audit?persoon=x']) {
        const response = await get(officer, path);
        assert.equal(response.status, 404, `${path}: ${response.toString()}`);
      }
    });

    test('organisations are found by part of the name, by KvK number and by OIN', async () => {
      const byName = await get(officer, '/servicedesk/organisaties?q=andere');
      assertContains(byName.body, 'Andere Organisatie B.V.', 'search by name');
      assert.ok(!byName.body.includes('>Voorbeeld B.V.<'), 'search by name found too much');
      const byKvk = await get(officer, '/servicedesk/organisaties?q=12345678');
      assertContains(byKvk.body, 'Voorbeeld B.V.', 'search by KvK');
      const byOin = await get(officer, '/servicedesk/organisaties?q=00000001887654321000');
      assertContains(byOin.body, 'Andere Organisatie B.V.', 'search by OIN');
      const none = await get(officer, '/servicedesk/organisaties?q=bestaat-niet');
      assertContains(none.body, 'Aantal gevonden: 0.', 'empty search');
      assert.deepEqual(linkedIds(none.body, 'organisaties'), []);
    });

    test('persons are found by name and e-mail address', async () => {
      assert.ok(await personId('Fatima'));
      assert.equal(await personId('p.bakker@voorbeeld'), await personId('Pieter Bakker'));
    });
  });

  describe('registering and changing an organisation', () => {
    test('a complete registration is saved, normalised, and audited as the officer', async () => {
      const kvk = freshKvk();
      const id = await registerOrganisation(organisationForm(kvk));
      const page = await get(officer, `/servicedesk/organisaties/${id}`);
      assert.equal(heading(page.body), `Testorganisatie ${kvk} B.V.`);
      assertContains(page.body, '1234 AB', 'normalised postal code');
      assertContains(page.body, 'Deze organisatie is niet geregistreerd voor MijnCertificaten', 'portal off');
      assert.deepEqual(linkedIds((await get(officer, `/servicedesk/organisaties?q=${kvk}`)).body, 'organisaties'), [id]);
      const audit = await get(officer, `/servicedesk/audit?organisatie=${id}`);
      assertContains(audit.body, 'organisation.create', 'audit record');
      assertContains(audit.body, 'Johan Smit', 'actor of the audit record');
    });

    test('every invalid field is reported at once, values are kept and nothing is saved', async () => {
      const kvk = freshKvk();
      const response = await post(officer, '/servicedesk/organisaties/nieuw', organisationForm(kvk, {
        name: '', oin: '00000003999999990000', visiting_postal_code: '123', postal_country: 'Nederland',
        billing_email: 'facturen@', billing_vat_number: 'NL12',
      }));
      const html = assertFormErrors(response, 400, {
        'organisatie-name': 'Naam is verplicht.',
        'organisatie-oin': 'niet het KvK-nummer van deze organisatie',
        'organisatie-visiting-postal-code': 'Vul een Nederlandse postcode in',
        'organisatie-postal-country': 'landcode van 2 letters',
        'organisatie-billing-email': 'Vul een geldig e-mailadres in',
        'organisatie-billing-vat-number': 'btw-nummer',
      });
      assert.equal(valueOf(html, 'organisatie-kvk'), kvk, 'entered values are kept');
      assert.equal(valueOf(html, 'organisatie-billing-email'), 'facturen@');
      assert.equal(valueOf(html, 'organisatie-visiting-street'), 'Teststraat 1');
      const search = await get(officer, `/servicedesk/organisaties?q=${kvk}`);
      assert.deepEqual(linkedIds(search.body, 'organisaties'), [], 'an invalid organisation was saved');
    });

    test('a malformed KvK number, an over-long name and a control character are refused', async () => {
      const response = await post(officer, '/servicedesk/organisaties/nieuw', organisationForm('1234567x', {
        name: 'x'.repeat(201), visiting_city: 'Utr\u0001echt', oin: '123',
      }));
      assertFormErrors(response, 400, {
        'organisatie-name': 'niet langer zijn dan 200 tekens',
        'organisatie-kvk': 'precies 8 cijfers',
        'organisatie-oin': 'precies 20 cijfers',
        'organisatie-visiting-city': 'niet zijn toegestaan',
      });
    });

    test('a KvK number that is already registered is refused at its field', async () => {
      const before = await get(officer, '/servicedesk/organisaties');
      const response = await post(officer, '/servicedesk/organisaties/nieuw', organisationForm('12345678', { oin: '' }));
      assertFormErrors(response, 409, { 'organisatie-kvk': 'Er is al een organisatie geregistreerd met dit KvK-nummer' });
      const after = await get(officer, '/servicedesk/organisaties');
      assert.deepEqual(linkedIds(after.body, 'organisaties'), linkedIds(before.body, 'organisaties'));
    });

    test('changes are saved; invalid changes leave the organisation as it was', async () => {
      const kvk = freshKvk();
      const id = await registerOrganisation(organisationForm(kvk));
      const edit = await get(officer, `/servicedesk/organisaties/${id}/bewerken`);
      assert.equal(valueOf(edit.body, 'organisatie-kvk'), kvk, 'the edit form holds the stored data');
      const changed = await post(officer, `/servicedesk/organisaties/${id}/bewerken`,
        organisationForm(kvk, { name: 'Hernoemd B.V.', billing_email: 'nieuw@test.nl' }));
      const page = await assertSaved(officer, changed, `/servicedesk/organisaties/${id}`, 'opgeslagen');
      assert.equal(heading(page.body), 'Hernoemd B.V.');
      assertContains(page.body, 'nieuw@test.nl', 'changed e-mail');

      const state = await snapshot('organisaties', id);
      const refused = await post(officer, `/servicedesk/organisaties/${id}/bewerken`,
        organisationForm(kvk, { name: 'Mag Niet B.V.', billing_email: 'geen-adres', kvk: '87654321' }));
      const html = assertFormErrors(refused, 400, {
        'organisatie-oin': 'niet het KvK-nummer van deze organisatie',
        'organisatie-billing-email': 'Vul een geldig e-mailadres in',
      });
      assertContains(html, 'Gegevens van Hernoemd B.V. wijzigen', 'the heading keeps the stored name');
      assert.equal(await snapshot('organisaties', id), state, 'an invalid change was saved');

      const taken = await post(officer, `/servicedesk/organisaties/${id}/bewerken`, organisationForm('87654321', { oin: '' }));
      assertFormErrors(taken, 409, { 'organisatie-kvk': 'al een organisatie geregistreerd' });
      assert.equal(await snapshot('organisaties', id), state, 'a taken KvK number was saved');
    });

    test('MijnCertificaten is enabled and disabled', async () => {
      const id = await registerOrganisation(organisationForm(freshKvk()));
      const on = await post(officer, `/servicedesk/organisaties/${id}/portaal`, { enabled: '1' });
      const page = await assertSaved(officer, on, `/servicedesk/organisaties/${id}`, 'portaal-aan');
      assertContains(page.body, 'Deze organisatie is geregistreerd voor MijnCertificaten', 'enabled');
      const off = await post(officer, `/servicedesk/organisaties/${id}/portaal`, { enabled: '0' });
      const after = await assertSaved(officer, off, `/servicedesk/organisaties/${id}`, 'portaal-uit');
      assertContains(after.body, 'niet geregistreerd voor MijnCertificaten', 'disabled');
      const audit = await get(officer, `/servicedesk/audit?organisatie=${id}`);
      assertContains(audit.body, 'organisation.portal_enable', 'audit of enabling');
      assertContains(audit.body, 'organisation.portal_disable', 'audit of disabling');
      const state = await snapshot('organisaties', id);
      assert.equal((await post(officer, `/servicedesk/organisaties/${id}/portaal`, { enabled: 'ja' })).status, 400);
      assert.equal((await post(officer, '/servicedesk/organisaties/99999/portaal', { enabled: '1' })).status, 404);
      assert.equal(await snapshot('organisaties', id), state);
    });
  });

  describe('validated domains', () => {
    test('a domain is added lower-case and removed again', async () => {
      const id = await registerOrganisation(organisationForm(freshKvk()));
      const added = await post(officer, `/servicedesk/organisaties/${id}/domeinen`, { domain: ' WWW.Test-Domein.NL ' });
      const page = await assertSaved(officer, added, `/servicedesk/organisaties/${id}`, 'domein-toegevoegd');
      assertContains(page.body, '<th class="utrecht-table__header-cell" scope="row">www.test-domein.nl</th>', 'domain listed');
      const removed = await post(officer, `/servicedesk/organisaties/${id}/domeinen/verwijderen`, { domain: 'www.test-domein.nl' });
      const after = await assertSaved(officer, removed, `/servicedesk/organisaties/${id}`, 'domein-verwijderd');
      assert.ok(!after.body.includes('scope="row">www.test-domein.nl<'), 'domain still listed');
      assert.equal((await post(officer, `/servicedesk/organisaties/${id}/domeinen/verwijderen`, { domain: 'www.test-domein.nl' })).status, 404);
    });

    test('wildcards, IP addresses, bad syntax and unknown methods are refused and nothing changes', async () => {
      const id = await registerOrganisation(organisationForm(freshKvk()));
      await assertSaved(officer, await post(officer, `/servicedesk/organisaties/${id}/domeinen`, { domain: 'bestaat.nl' }),
        `/servicedesk/organisaties/${id}`, 'domein-toegevoegd');
      const state = await snapshot('organisaties', id);
      const cases = [
        ['*.bestaat.nl', 400, 'Een wildcard (*) kan niet worden gevalideerd'],
        ['192.0.2.10', 400, 'Een IP-adres is geen domeinnaam'],
        ['intranet', 400, 'Vul een volledige domeinnaam in'],
        ['under_score.nl', 400, 'Vul een volledige domeinnaam in'],
        ['', 400, 'Domein is verplicht.'],
      ];
      for (const [domain, status, message] of cases) {
        const response = await post(officer, `/servicedesk/organisaties/${id}/domeinen`, { domain });
        const html = assertFormErrors(response, status, { 'domein-domain': message });
        assert.equal(valueOf(html, 'domein-domain'), domain, 'the entered domain is kept');
      }
      const method = await post(officer, `/servicedesk/organisaties/${id}/domeinen`, { domain: 'ander.nl', method: 'telefoon' });
      assertFormErrors(method, 400, { 'domein-method': 'Kies hoe het domein is gevalideerd' });
      assert.equal(await snapshot('organisaties', id), state, 'a refused domain changed something');
    });

    test('adding a domain again validates it afresh, with its method, and is audited as such', async () => {
      const id = await registerOrganisation(organisationForm(freshKvk()));
      await assertSaved(officer, await post(officer, `/servicedesk/organisaties/${id}/domeinen`, { domain: 'opnieuw.nl' }),
        `/servicedesk/organisaties/${id}`, 'domein-toegevoegd');
      await demoSql(portal.demo, `UPDATE validated_domains SET validated_at = validated_at - ${400 * 86_400} WHERE domain = 'opnieuw.nl'`);
      await assertSaved(officer, await post(officer, `/servicedesk/organisaties/${id}/domeinen`, { domain: 'Opnieuw.NL', method: 'dns' }),
        `/servicedesk/organisaties/${id}`, 'domein-toegevoegd');
      const [method, age] = (await demoSql(portal.demo,
        `SELECT method, ${Math.floor(Date.now() / 1000)} - validated_at FROM validated_domains WHERE domain = 'opnieuw.nl'`)).split('|');
      assert.equal(method, 'dns');
      assert.ok(Math.abs(Number(age)) < 600, `validated ${age} seconds ago`);
      const audit = await get(officer, `/servicedesk/audit?organisatie=${id}`);
      assertContains(audit.body, 'domain.revalidate', 'the renewal is in the audit log');
    });
  });

  describe('expiring domain validations', () => {
    test('the page lists validations expiring within 30 days and expired ones, not current ones', async () => {
      const kvk = freshKvk();
      const id = await registerOrganisation(organisationForm(kvk));
      for (const [domain, method] of [['bijna-verlopen.nl', 'email'], ['al-verlopen.nl', 'dns'], ['nog-geldig.nl', 'servicedesk']])
        await assertSaved(officer, await post(officer, `/servicedesk/organisaties/${id}/domeinen`, { domain, method }),
          `/servicedesk/organisaties/${id}`, 'domein-toegevoegd');
      const day = 86_400;
      await demoSql(portal.demo, `UPDATE validated_domains SET validated_at = validated_at - ${380 * day} WHERE domain = 'bijna-verlopen.nl';
        UPDATE validated_domains SET validated_at = validated_at - ${400 * day} WHERE domain = 'al-verlopen.nl'`);
      const validatedAt = Number(await demoSql(portal.demo, "SELECT validated_at FROM validated_domains WHERE domain = 'bijna-verlopen.nl'"));
      const dutchDate = (seconds) => new Date(seconds * 1000).toISOString().slice(0, 10).split('-').reverse().join('-');

      const response = await get(officer, '/servicedesk/domeinvalidaties');
      assert.equal(response.status, 200, response.toString());
      const html = main(response.body);
      for (const header of ['Organisatie', 'Domein', 'Methode', 'Gevalideerd door', 'Gevalideerd op', 'Verloopt op', 'Status'])
        assertContains(html, `<th class="utrecht-table__header-cell" scope="col">${header}</th>`, `column ${header}`);
      const rowOf = (domain) => html.match(new RegExp(`<tr class="utrecht-table__row">(?:(?!</tr>)[\\s\\S])*scope="row">${domain}</th>(?:(?!</tr>)[\\s\\S])*</tr>`))?.[0];
      const expiring = rowOf('bijna-verlopen.nl');
      assert.ok(expiring, `no row for bijna-verlopen.nl in ${html}`);
      for (const text of [`Testorganisatie ${kvk} B.V.`, 'E-mail', dutchDate(validatedAt), dutchDate(validatedAt + 397 * day), 'Verloopt binnenkort'])
        assertContains(expiring, text, `bijna-verlopen.nl: ${text}`);
      assert.doesNotMatch(expiring, />Niet opgegeven</, 'who validated it is known');
      const expired = rowOf('al-verlopen.nl');
      assert.ok(expired, 'no row for al-verlopen.nl');
      assertContains(expired, '>Verlopen<', 'an expired validation says so');
      assertContains(expired, '>DNS<', 'its method');
      assert.ok(!html.includes('nog-geldig.nl'), 'a current validation is listed');

      const english = await portal.client.get('servicedesk', '/servicedesk/domeinvalidaties', {
        cookies: { [SESSION_COOKIE]: officer.cookie, '__Host-mc_lang': 'en' },
      });
      assertContains(english.body, 'Expiring domain validations', 'English heading');
      assertContains(english.body, '<th class="utrecht-table__header-cell" scope="col">Expires on</th>', 'English column');
      assertContains(english.body, 'Expires soon', 'English state');
    });
  });

  describe('registering and changing persons', () => {
    test('a person registered from an organisation page gets a role there, but no access yet', async () => {
      const organisation = await registerOrganisation(organisationForm(freshKvk()));
      const form = await get(officer, `/servicedesk/personen/nieuw?organisatie=${organisation}`);
      assert.match(form.body, /name="organisation_id" value="\d+"/);
      const id = await registerPerson(personForm({ email: 'rol@test.nl' }), organisation, 'representative');
      const page = await get(officer, `/servicedesk/personen/${id}`);
      assert.equal(heading(page.body), 'Jan de Tester');
      assertContains(page.body, 'Bevoegd Vertegenwoordiger', 'role on the person page');
      assertContains(page.body, 'Deze persoon heeft geen toegang tot MijnCertificaten', 'no access yet');
      const organisationPage = await get(officer, `/servicedesk/organisaties/${organisation}`);
      assert.deepEqual(linkedIds(organisationPage.body, 'personen'), [id]);
    });

    test('invalid person data is reported per field and nobody is registered', async () => {
      const response = await post(officer, '/servicedesk/personen/nieuw', personForm({
        given_name: '', surname: ' ', email: 'ongeldig@', phone: '12345',
      }));
      const html = assertFormErrors(response, 400, {
        'persoon-given-name': 'Voornaam is verplicht.',
        'persoon-surname': 'Achternaam is verplicht.',
        'persoon-email': 'Vul een geldig e-mailadres in',
        'persoon-phone': 'Vul een telefoonnummer in van 10 tot 15 cijfers',
      });
      assert.equal(valueOf(html, 'persoon-email'), 'ongeldig@');
      const search = await get(officer, '/servicedesk/personen?q=ongeldig@');
      assert.deepEqual(linkedIds(search.body, 'personen'), []);
    });

    test('an unknown organisation or role is refused and nobody is registered', async () => {
      const unknown = await post(officer, '/servicedesk/personen/nieuw',
        { ...personForm({ email: 'onbekend@test.nl' }), organisation_id: '99999', role: 'contact' });
      assert.equal(unknown.status, 404, unknown.toString());
      const voorbeeld = await organisationId('Voorbeeld B.V.');
      const badRole = await post(officer, '/servicedesk/personen/nieuw',
        { ...personForm({ email: 'onbekend@test.nl' }), organisation_id: String(voorbeeld), role: 'baas' });
      assertFormErrors(badRole, 400, { 'persoon-role': 'Kies een rol.' });
      const search = await get(officer, '/servicedesk/personen?q=onbekend@test.nl');
      assert.deepEqual(linkedIds(search.body, 'personen'), []);
    });

    test('changes are saved; invalid ones leave the person as they were', async () => {
      const id = await registerPerson(personForm({ email: 'wijzig@test.nl' }));
      const edit = await get(officer, `/servicedesk/personen/${id}/bewerken`);
      assert.equal(valueOf(edit.body, 'persoon-email'), 'wijzig@test.nl');
      const changed = await post(officer, `/servicedesk/personen/${id}/bewerken`, personForm({ surname: 'Gewijzigd', email: 'wijzig@test.nl' }));
      const page = await assertSaved(officer, changed, `/servicedesk/personen/${id}`, 'opgeslagen');
      assert.equal(heading(page.body), 'Jan Gewijzigd');
      const state = await snapshot('personen', id);
      const refused = await post(officer, `/servicedesk/personen/${id}/bewerken`, personForm({ surname: 'Niet', email: '' }));
      assertFormErrors(refused, 400, { 'persoon-email': 'E-mailadres is verplicht.' });
      assert.equal(await snapshot('personen', id), state);
    });
  });

  describe('roles, certificates and access of a person', () => {
    test('roles are added by KvK number and removed; mistakes change nothing', async () => {
      const id = await registerPerson(personForm({ email: 'rollen@test.nl' }));
      const state = await snapshot('personen', id);
      const cases = [
        [{ organisation_kvk: '', role: 'manager' }, 'rol-organisation-kvk', 'is verplicht'],
        [{ organisation_kvk: '1234', role: 'manager' }, 'rol-organisation-kvk', 'precies 8 cijfers'],
        [{ organisation_kvk: '99999999', role: 'manager' }, 'rol-organisation-kvk', 'geen organisatie geregistreerd'],
        [{ organisation_kvk: '87654321', role: 'baas' }, 'rol-role', 'Kies een rol.'],
      ];
      for (const [fields, field, message] of cases) {
        const html = assertFormErrors(await post(officer, `/servicedesk/personen/${id}/rollen`, fields), 400, { [field]: message });
        assert.equal(valueOf(html, 'rol-organisation-kvk'), fields.organisation_kvk);
      }
      assert.equal(await snapshot('personen', id), state);

      const added = await post(officer, `/servicedesk/personen/${id}/rollen`, { organisation_kvk: '87654321', role: 'manager' });
      const page = await assertSaved(officer, added, `/servicedesk/personen/${id}`, 'rol-toegevoegd');
      assertContains(page.body, 'Certificaatbeheerder', 'added role');
      const again = await post(officer, `/servicedesk/personen/${id}/rollen`, { organisation_kvk: '87654321', role: 'manager' });
      assertFormErrors(again, 409, { 'rol-role': 'heeft deze rol al' });

      const andere = await organisationId('87654321');
      const removed = await post(officer, `/servicedesk/personen/${id}/rollen/verwijderen`, { organisation_id: String(andere), role: 'manager' });
      const after = await assertSaved(officer, removed, `/servicedesk/personen/${id}`, 'rol-verwijderd');
      assertContains(after.body, 'Deze persoon heeft nog geen rol', 'role removed');
      assert.equal((await post(officer, `/servicedesk/personen/${id}/rollen/verwijderen`, { organisation_id: String(andere), role: 'manager' })).status, 404);
    });

    test('certificates are registered by pasting PEM or typing issuer and serialNumber', async () => {
      const id = await registerPerson(personForm({ email: 'certificaat@test.nl' }));
      const state = await snapshot('personen', id);
      const withoutSerial = execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
        '-nodes', '-keyout', '/dev/null', '-subj', '/CN=Zonder Serienummer/C=NL', '-days', '1'], { encoding: 'utf8' });
      const contactPem = readFileSync(portal.demo.users.contact.certPath, 'utf8');
      const cases = [
        [{ certificate: '' }, 'certificaat-certificate', 'Kies een certificaatbestand of plak het certificaat', 400],
        [{ certificate: '-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----' }, 'certificaat-certificate', 'geen leesbaar certificaat', 400],
        [{ certificate: withoutSerial }, 'certificaat-certificate', 'geen serialNumber', 400],
        [{ certificate: contactPem }, 'certificaat-certificate', 'al aan een persoon gekoppeld', 409],
        [{ issuer_dn: '', subject_serial: '' }, null, null, 400],
        [{ issuer_dn: 'geen DN', subject_serial: '1' }, 'identiteit-issuer-dn', 'distinguished name', 400],
      ];
      for (const [fields, field, message, status] of cases) {
        const response = await post(officer, `/servicedesk/personen/${id}/certificaten`, fields);
        const expected = field ? { [field]: message }
          : { 'identiteit-issuer-dn': 'Uitgever is verplicht.', 'identiteit-subject-serial': 'SerialNumber is verplicht.' };
        assertFormErrors(response, status, expected);
      }
      assert.equal(await snapshot('personen', id), state, 'a refused certificate changed something');

      // Any certificate with a serialNumber will do; the foreign one is not linked to anyone.
      const foreignPem = readFileSync(portal.demo.users.foreign.certPath, 'utf8');
      const pasted = await post(officer, `/servicedesk/personen/${id}/certificaten`, { certificate: foreignPem });
      const page = await assertSaved(officer, pasted, `/servicedesk/personen/${id}`, 'certificaat-toegevoegd');
      const foreign = new X509Certificate(foreignPem);
      assertContains(page.body, foreign.subject.match(/serialNumber=(.*)/)[1], "the certificate's serialNumber");
      assertContains(page.body, foreign.issuer.match(/CN=(.*)/)[1], 'the issuer');

      const typed = await post(officer, `/servicedesk/personen/${id}/certificaten`, { issuer_dn: 'CN=Andere CA,O=TSP,C=NL', subject_serial: 'TEST-42' });
      const withTyped = await assertSaved(officer, typed, `/servicedesk/personen/${id}`, 'certificaat-toegevoegd');
      assertContains(withTyped.body, 'TEST-42', 'typed identity');
      const removed = await post(officer, `/servicedesk/personen/${id}/certificaten/verwijderen`, { issuer_dn: 'CN=Andere CA,O=TSP,C=NL', subject_serial: 'TEST-42' });
      const after = await assertSaved(officer, removed, `/servicedesk/personen/${id}`, 'certificaat-verwijderd');
      assert.ok(!after.body.includes('TEST-42'), 'identity not removed');
      const audit = await get(officer, `/servicedesk/audit?persoon=${id}`);
      assertContains(audit.body, 'certificate_identity.add', 'audit of the identity');
      assertContains(audit.body, 'certificate_identity.remove', 'audit of the removal');
    });

    test('access is only granted to representatives and contacts', async () => {
      const organisation = await registerOrganisation(organisationForm(freshKvk()));
      const manager = await registerPerson(personForm({ email: 'beheerder@test.nl' }), organisation, 'manager');
      const state = await snapshot('personen', manager);
      const refused = await post(officer, `/servicedesk/personen/${manager}/toegang`, { access: '1' });
      assert.equal(refused.status, 409, refused.toString());
      assertContains(refused.body, 'Deze persoon kan geen toegang krijgen', 'refusal');
      assert.match(refused.body, /utrecht-alert--error" role="alert"/);
      assert.equal(await snapshot('personen', manager), state);
      assert.equal((await post(officer, `/servicedesk/personen/${manager}/toegang`, { access: 'ja' })).status, 400);
      assert.equal((await post(officer, '/servicedesk/personen/99999/toegang', { access: '1' })).status, 404);
    });

    test('a registered contact with access logs in with the pasted certificate and sees the organisation', async () => {
      const kvk = freshKvk();
      const organisation = await registerOrganisation(organisationForm(kvk, { name: 'Nieuwe Klant B.V.' }));
      await post(officer, `/servicedesk/organisaties/${organisation}/portaal`, { enabled: '1' });
      const id = await registerPerson(personForm({ given_name: 'Kees', surname: 'Onbekend', email: 'kees@klant.nl' }), organisation);
      const stranger = readFileSync(portal.demo.users.stranger.certPath, 'utf8');
      await assertSaved(officer, await post(officer, `/servicedesk/personen/${id}/certificaten`, { certificate: stranger }),
        `/servicedesk/personen/${id}`, 'certificaat-toegevoegd');
      const before = await portal.client.get('stranger', '/');
      assert.equal(before.status, 403, 'without access the stranger cannot log in yet');
      const granted = await post(officer, `/servicedesk/personen/${id}/toegang`, { access: '1' });
      await assertSaved(officer, granted, `/servicedesk/personen/${id}`, 'toegang-verleend');
      const dashboard = await portal.client.get('stranger', '/');
      assert.equal(dashboard.status, 200, dashboard.toString());
      assertContains(dashboard.body, 'Welkom, Kees Onbekend', 'dashboard of the new contact');
      assertContains(dashboard.body, 'Nieuwe Klant B.V.', 'the new organisation');
    });
  });

  describe('only Servicedesk officers', () => {
    const routes = [
      ['GET', '/servicedesk'], ['GET', '/servicedesk/organisaties'], ['GET', '/servicedesk/organisaties/nieuw'],
      ['POST', '/servicedesk/organisaties/nieuw'], ['GET', '/servicedesk/organisaties/1'],
      ['GET', '/servicedesk/organisaties/1/bewerken'], ['POST', '/servicedesk/organisaties/1/bewerken'],
      ['POST', '/servicedesk/organisaties/1/portaal'], ['POST', '/servicedesk/organisaties/1/domeinen'],
      ['POST', '/servicedesk/organisaties/1/domeinen/verwijderen'], ['GET', '/servicedesk/personen'],
      ['GET', '/servicedesk/personen/nieuw'], ['POST', '/servicedesk/personen/nieuw'], ['GET', '/servicedesk/personen/1'],
      ['GET', '/servicedesk/personen/1/bewerken'], ['POST', '/servicedesk/personen/1/bewerken'],
      ['POST', '/servicedesk/personen/1/rollen'], ['POST', '/servicedesk/personen/1/rollen/verwijderen'],
      ['POST', '/servicedesk/personen/1/certificaten'], ['POST', '/servicedesk/personen/1/certificaten/verwijderen'],
      ['POST', '/servicedesk/personen/1/toegang'], ['GET', '/servicedesk/audit'], ['GET', '/servicedesk/audit?organisatie=1'],
      ['GET', '/servicedesk/domeinvalidaties'],
    ];
    // Fields that would change something if the request got through.
    const fields = { enabled: '0', access: '0', domain: 'voorbeeld.nl', organisation_id: '1', role: 'contact',
      issuer_dn: 'CN=x', subject_serial: '1', ...organisationForm('55555555'), ...personForm() };

    for (const identity of ['contact', 'representative', 'professional']) {
      test(`${identity} gets 403 "Geen toegang" on every Servicedesk page and form`, async () => {
        const session = await login(identity);
        const voorbeeld = await snapshot('organisaties', 1);
        for (const [method, path] of routes) {
          const response = method === 'GET' ? await get(session, path) : await post(session, path, fields);
          assert.equal(response.status, 403, `${method} ${path} as ${identity}: ${response.toString()}`);
          assertContains(response.body, 'Geen toegang', `${method} ${path}`);
          assert.ok(!response.body.includes('Testorganisatie'), 'the refusal shows registry data');
        }
        assert.equal(await snapshot('organisaties', 1), voorbeeld, 'a refused request changed something');
        const person = await get(officer, '/servicedesk/personen/1');
        assertContains(person.body, 'Deze persoon heeft toegang tot MijnCertificaten', 'access untouched');
      });
    }

    test('without a certificate: 401', async () => {
      const response = await portal.client.get(null, '/servicedesk/organisaties');
      assert.equal(response.status, 401, response.toString());
    });

    test('the navigation shows the Servicedesk only to officers', async () => {
      const contact = await portal.client.get('contact', '/');
      assert.ok(!contact.body.includes('href="/servicedesk"'), 'contact sees the Servicedesk link');
      const home = await get(officer, '/servicedesk');
      assert.match(home.body, /href="\/servicedesk" aria-current="page"/);
    });
  });

  describe('forged forms are refused and change nothing', () => {
    // [name, the csrf_token sent (undefined: none), extra headers]
    const forgeries = [
      ['without csrf_token', () => undefined, {}],
      ['with a wrong csrf_token', (session) => `${session.csrf.slice(0, -2)}xx`, {}],
      ['with the token of another session', (_session, other) => other.csrf, {}],
      ['with the right token from a foreign Origin', (session) => session.csrf, { origin: 'https://evil.example' }],
      ['with the right token and Sec-Fetch-Site: cross-site', (session) => session.csrf, { 'sec-fetch-site': 'cross-site' }],
    ];

    for (const [name, token, headers] of forgeries) {
      test(`${name}: 403 "Formulier niet geaccepteerd" on every Servicedesk form`, async () => {
        const other = await login('servicedesk', '/servicedesk');
        const voorbeeld = await organisationId('Voorbeeld B.V.');
        const sanne = await personId('Sanne Jansen');
        const posts = [
          ['/servicedesk/organisaties/nieuw', organisationForm('44444444')],
          [`/servicedesk/organisaties/${voorbeeld}/bewerken`, organisationForm('12345678', { name: 'Gekaapt B.V.' })],
          [`/servicedesk/organisaties/${voorbeeld}/portaal`, { enabled: '0' }],
          [`/servicedesk/organisaties/${voorbeeld}/domeinen`, { domain: 'gekaapt.nl' }],
          [`/servicedesk/organisaties/${voorbeeld}/domeinen/verwijderen`, { domain: 'voorbeeld.nl' }],
          ['/servicedesk/personen/nieuw', personForm({ email: 'gekaapt@test.nl' })],
          [`/servicedesk/personen/${sanne}/bewerken`, personForm({ surname: 'Gekaapt' })],
          [`/servicedesk/personen/${sanne}/rollen`, { organisation_kvk: '87654321', role: 'representative' }],
          [`/servicedesk/personen/${sanne}/rollen/verwijderen`, { organisation_id: String(voorbeeld), role: 'contact' }],
          [`/servicedesk/personen/${sanne}/certificaten`, { issuer_dn: 'CN=Aanvaller', subject_serial: '666' }],
          [`/servicedesk/personen/${sanne}/certificaten/verwijderen`, { issuer_dn: 'CN=x', subject_serial: '900000002' }],
          [`/servicedesk/personen/${sanne}/toegang`, { access: '0' }],
        ];
        const organisationState = await snapshot('organisaties', voorbeeld);
        const personState = await snapshot('personen', sanne);
        for (const [path, fields] of posts) {
          const csrf = token(officer, other);
          const response = await portal.client.request('servicedesk', 'POST', path, {
            cookies: { [SESSION_COOKIE]: officer.cookie },
            form: csrf === undefined ? fields : { ...fields, csrf_token: csrf },
            headers: { origin: portal.server.origin, ...headers },
          });
          assert.equal(response.status, 403, `${path} ${name}: ${response.toString()}`);
          assertContains(response.body, 'Formulier niet geaccepteerd', path);
        }
        assert.equal(await snapshot('organisaties', voorbeeld), organisationState, 'a forged form changed the organisation');
        assert.equal(await snapshot('personen', sanne), personState, 'a forged form changed the person');
      });
    }
  });

  describe('withdrawing access', () => {
    test("ends the contact's sessions at once: the next request with the old session is refused", async () => {
      const sanne = await personId('Sanne Jansen');
      // Two sessions of the contact, on the contact's own connection (agent), each stored by a
      // state change (choosing the organisation); page views alone store nothing (ADR 0015).
      const first = await login('contact');
      const second = await login('contact');
      const voorbeeld = await demoSql(portal.demo, "SELECT id FROM organisations WHERE name = 'Voorbeeld B.V.'");
      for (const session of [first, second]) {
        const chosen = await post(session, '/organisatie-kiezen', { organisation_id: voorbeeld });
        assert.equal(chosen.status, 303, chosen.toString());
      }
      assert.equal((await get(first, '/')).status, 200);

      const withdrawn = await post(officer, `/servicedesk/personen/${sanne}/toegang`, { access: '0' });
      const page = await assertSaved(officer, withdrawn, `/servicedesk/personen/${sanne}`, 'toegang-ingetrokken');
      assertContains(page.body, 'Deze persoon heeft geen toegang tot MijnCertificaten', 'access withdrawn');

      for (const session of [first, second]) {
        const refused = await get(session, '/');
        assert.equal(refused.status, 403, refused.toString());
        assertContains(refused.body, 'U heeft geen toegang tot MijnCertificaten', 'refusal page');
        assert.ok(!refused.body.includes('Voorbeeld B.V.'), 'the refusal shows the organisation');
        const form = await portal.client.request('contact', 'POST', '/uitloggen', {
          cookies: { [SESSION_COOKIE]: session.cookie }, form: { csrf_token: session.csrf },
        });
        assert.equal(form.status, 403, `a form of the old session still works: ${form.toString()}`);
      }
      const audit = await get(officer, `/servicedesk/audit?persoon=${sanne}`);
      assertContains(audit.body, 'person.access_withdraw', 'audit of the withdrawal');
      const ended = Number(audit.body.match(/&quot;sessions_ended&quot;:(\d+)/)?.[1]);
      assert.ok(ended >= 2, `the audit record does not count both sessions: ${ended}`);

      // Access granted again: the old sessions stay gone, a new one starts.
      const granted = await post(officer, `/servicedesk/personen/${sanne}/toegang`, { access: '1' });
      await assertSaved(officer, granted, `/servicedesk/personen/${sanne}`, 'toegang-verleend');
      const again = await get(first, '/');
      assert.equal(again.status, 200, again.toString());
      const fresh = assertSessionCookie(again, 'after access was granted again');
      assert.notEqual(fresh, first.cookie, 'the old session came back');
    });
  });
});
