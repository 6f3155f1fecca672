// Ordering cards through the JSON API (ADR 0007, PRODUCT.md §5 "Passen", §6): new personal and
// group cards, renewals by the organisation, a professional's own renewal and mobile certificate.
// Every order is signed with `openssl cms` like a server order, approved by the Servicedesk and
// followed to its end state (in production → shipped → issued, or approved + activation code).
// The produced card is checked with openssl (chain to the demo root, subject) and its soft card
// logs its holder in over mutual TLS. Refusals leave no order and no card behind.
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { withDemoServer } from '../support/integration.mjs';
import {
  DAY_MS, assertProblem, message, pageApi, removeTempFiles, signDocument,
} from '../support/orders.mjs';
import {
  CARD_TERM_DAYS, MOBILE_TERM_DAYS, cardApi, demoIds, fieldMessage, getBinary, isoSeconds, readPkcs12,
  requestWithPfx, subjectOf, verifyPersonCertificate,
} from '../support/cards.mjs';

const T = { timeout: 120_000 };
/** Slack for "now" between the test's clock and the server's (both on this machine; ISO seconds). */
const SLACK_MS = 3000;
const CODE_PATTERN = /^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{4}(-[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{4}){3}$/;

describe('card orders through the API', () => {
  const portal = withDemoServer();
  const cards = cardApi(portal);
  const pages = pageApi(portal);
  let ids;
  /** The end of the persons CA: a card never ends later. */
  let personsCaEnd;

  before(async () => {
    ids = await demoIds(cards);
    const ca = new X509Certificate(await readFile(path.join(portal.demo.dir, 'pki', 'persons-ca.crt')));
    personsCaEnd = Date.parse(ca.validTo);
  }, { timeout: 60_000 });
  after(removeTempFiles);

  /** The expected end of a card of TERM days after BASE (ms), capped by the persons CA. */
  function expectedEnd(base, term = CARD_TERM_DAYS) {
    return isoSeconds(Math.min(base + term * DAY_MS, personsCaEnd));
  }

  /** Asserts that not_before of ORDER is between T0 and T1 (ms), allowing whole seconds. */
  function assertStartsNow(order, t0, t1) {
    const start = Date.parse(order.not_before);
    assert.ok(start >= Math.floor(t0 / 1000) * 1000 - SLACK_MS && start <= t1 + SLACK_MS,
      `not_before ${order.not_before} is not the time of ordering (${new Date(t0).toISOString()})`);
    return start;
  }

  /**
   * Asserts the steps of ORDER: every status in EXPECTED is there, in that order, with dates that
   * never go back, between T0 (ms) and now.
   */
  function assertSteps(order, expected, t0) {
    assert.ok(Array.isArray(order.steps), `no steps: ${JSON.stringify(order)}`);
    const statuses = order.steps.map((step) => step.status);
    let at = -1;
    for (const status of expected) {
      const index = statuses.indexOf(status, at + 1);
      assert.ok(index > at, `step ${status} missing or out of order in ${JSON.stringify(order.steps)}`);
      at = index;
    }
    let previous = 0;
    for (const step of order.steps) {
      const time = Date.parse(step.at);
      assert.ok(Number.isFinite(time), `step date ${step.at}`);
      assert.ok(time >= previous, `steps go back in time: ${JSON.stringify(order.steps)}`);
      assert.ok(time >= Math.floor(t0 / 1000) * 1000 - SLACK_MS && time <= Date.now() + SLACK_MS,
        `step ${step.status} at ${step.at} is not during this test`);
      previous = time;
    }
  }

  /** A snapshot of what a refusal must not change: Voorbeeld's and Andere's orders and cards, Eva's cards. */
  async function snapshot() {
    const orders = async (identity, organisation) =>
      (await cards.getJson(identity, `/api/v1/organisations/${organisation}/orders`)).items.map((o) => `${o.id}:${o.status}`).sort();
    const list = async (identity, organisation) =>
      (await cards.organisationCards(identity, organisation)).map((c) => `${c.id}:${c.status}:${c.not_after}`).sort();
    return {
      voorbeeldOrders: await orders('contact', ids.voorbeeld),
      andereOrders: await orders('other', ids.andere),
      voorbeeldCards: await list('contact', ids.voorbeeld),
      andereCards: await list('other', ids.andere),
      evaCards: (await cards.ownCards('professional')).map((c) => `${c.id}:${c.status}:${c.not_after}`).sort(),
    };
  }

  /** Runs REFUSE (which asserts its refusal) and asserts that nothing changed. */
  async function refusedWithoutChange(refuse) {
    const before = await snapshot();
    await refuse();
    assert.deepEqual(await snapshot(), before, 'a refused order changed orders or cards');
  }

  const newPersonal = (fields = {}) => ({
    type: 'card-new', organisation_id: ids.voorbeeld, card_type: 'personal',
    given_name: 'Jeroen', surname: 'van den Berg', email: 'j.vandenberg@voorbeeld.nl', phone: '030 123 45 77',
    title: 'Beleidsmedewerker', ...fields,
  });
  const newGroup = (fields = {}) => ({
    type: 'card-new', organisation_id: ids.voorbeeld, card_type: 'group',
    group_name: 'Afdeling Inkoop', email: 'inkoop@voorbeeld.nl', manager: { id: ids.pieter }, ...fields,
  });

  // ----- new cards -----

  describe('a new personal card: draft, signed, in production, shipped, issued', () => {
    let orderId;
    let cardId;
    let t0;

    test('the contact orders a personal card for a new colleague; the draft carries the details and a 3-year term', T, async () => {
      t0 = Date.now();
      const draft = await cards.createCardOrder('contact', newPersonal());
      const t1 = Date.now();
      orderId = draft.id;
      assert.equal(draft.organisation_id, ids.voorbeeld);
      assert.equal(draft.common_name, 'Jeroen van den Berg');
      assert.equal(draft.product, 'personal');
      assert.deepEqual(draft.card, {
        card_type: 'personal', based_on: null, given_name: 'Jeroen', surname: 'van den Berg',
        email: 'j.vandenberg@voorbeeld.nl', phone: '030 123 45 77', title: 'Beleidsmedewerker',
        registration_number: '', group_name: '',
      });
      const start = assertStartsNow(draft, t0, t1);
      assert.equal(draft.not_after, expectedEnd(start), `a new card runs ${CARD_TERM_DAYS} days`);
      assert.equal(draft.card_id ?? null, null, 'a draft has no card');

      const document = await cards.document('contact', orderId);
      assert.match(document, new RegExp(`^Bestelnummer: ${orderId}$`, 'm'));
      assert.match(document, /^Soort: card-new$/m);
      assert.match(document, /^Organisatie: Voorbeeld B\.V\.$/m);
      assert.match(document, /^Soort pas: personal$/m);
      assert.match(document, /^Voornamen: Jeroen$/m);
      assert.match(document, /^Achternaam: van den Berg$/m);
      assert.match(document, /^Titel of beroep: Beleidsmedewerker$/m);
      assert.match(document, /^E-mail: j\.vandenberg@voorbeeld\.nl$/m);
      assert.match(document, /^Telefoon: 030 123 45 77$/m);
      assert.match(document, new RegExp(`^Geldig tot: ${draft.not_after}$`, 'm'));
    });

    test('signed by the contact it is submitted; the Servicedesk approves and it goes into production with a card', T, async () => {
      await cards.submit('contact', orderId);
      assert.equal((await cards.order('contact', orderId)).status, 'submitted');
      const approved = await cards.approveCard(orderId);
      cardId = approved.card_id;
      const order = await cards.order('contact', orderId);
      assert.equal(order.status, 'in_production');
      assert.equal(order.card_id, cardId);
      assertSteps(order, ['submitted', 'in_production'], t0);
    });

    test('shipped, then activated: the order is issued and every step is dated in order', T, async () => {
      const shipped = await cards.stepOk(orderId, 'shipped', 'shipped');
      assert.equal(shipped.card_id, cardId);
      assert.equal((await cards.order('contact', orderId)).status, 'shipped');
      await cards.stepOk(orderId, 'activated', 'issued');
      const order = await cards.order('contact', orderId);
      assert.equal(order.status, 'issued');
      assert.equal(order.card_id, cardId);
      assertSteps(order, ['submitted', 'in_production', 'shipped', 'issued'], t0);
      const again = await cards.step(orderId, 'activated');
      assertProblem(again, 409);
    });

    test('the new card is in the organisation\'s cards with the holder\'s name', T, async () => {
      const list = await cards.organisationCards('contact', ids.voorbeeld);
      const card = list.find((item) => item.id === cardId);
      assert.ok(card, `card ${cardId} is not in ${JSON.stringify(list)}`);
      assert.equal(card.type, 'personal');
      assert.equal(card.holder, 'Jeroen van den Berg');
      assert.equal(card.status, 'valid');
      assert.equal(card.not_after, (await cards.order('contact', orderId)).not_after);
      const other = await cards.organisationCards('other', ids.andere);
      assert.ok(!other.some((item) => item.id === cardId), 'the card is listed for another organisation');
    });

    test('its soft card chains to the demo root, names the holder, and is refused as a portal login (no portal access)', T, async () => {
      const officer = await pages.login('servicedesk', '/servicedesk');
      const download = await getBinary(portal, 'servicedesk', `/servicedesk/bestellingen/${orderId}/softcard.p12`, { session: officer });
      assert.equal(download.status, 200, download.body.toString('utf8').slice(0, 500));
      const soft = await readPkcs12(download.body);
      const verified = await verifyPersonCertificate(portal.demo, soft.certificatePem);
      assert.ok(verified.ok, `openssl verify: ${verified.output}`);
      const subject = await subjectOf(soft.certificatePem);
      for (const part of ['CN=Jeroen van den Berg', 'GN=Jeroen', 'SN=van den Berg', 'title=Beleidsmedewerker', 'O=Voorbeeld B.V.', 'C=NL']) {
        assert.ok(subject.split(/(?<!\\),/).includes(part), `subject ${subject} lacks ${part}`);
      }
      assert.match(subject, /(^|,)serialNumber=\d+(,|$)/, `no serialNumber in ${subject}`);
      const x509 = new X509Certificate(soft.certificatePem);
      assert.equal(isoSeconds(Date.parse(x509.validTo)), (await cards.order('contact', orderId)).not_after);
      assert.match(x509.subjectAltName ?? '', /email:j\.vandenberg@voorbeeld\.nl/);
      const me = await requestWithPfx(portal, download.body, '/api/v1/me');
      assert.equal(me.status, 403, `a card holder without portal access logged in: ${me.status} ${me.body}`);
    });
  });

  describe('a new group card', () => {
    test('the contact orders "Afdeling Inkoop" with Pieter Bakker as manager; it is produced, shipped and issued', T, async () => {
      const t0 = Date.now();
      const draft = await cards.createCardOrder('contact', newGroup());
      assert.equal(draft.product, 'group');
      assert.equal(draft.common_name, 'Afdeling Inkoop');
      assert.equal(draft.manager_id, ids.pieter);
      assert.equal(draft.card.card_type, 'group');
      assert.equal(draft.card.group_name, 'Afdeling Inkoop');
      assert.equal(draft.card.email, 'inkoop@voorbeeld.nl');
      assert.equal(draft.not_after, expectedEnd(Date.parse(draft.not_before)));
      const document = await cards.document('contact', draft.id);
      assert.match(document, /^Soort pas: group$/m);
      assert.match(document, /^Groeps- of functienaam: Afdeling Inkoop$/m);
      assert.match(document, /^Certificaatbeheerder: Pieter Bakker /m);

      const order = await cards.completeCard('contact', draft.id);
      assert.equal(order.status, 'issued');
      assertSteps(order, ['submitted', 'in_production', 'shipped', 'issued'], t0);
      const card = (await cards.organisationCards('contact', ids.voorbeeld)).find((item) => item.id === order.card_id);
      assert.ok(card, 'the group card is not in the organisation\'s cards');
      assert.equal(card.type, 'group');
      assert.equal(card.holder, 'Afdeling Inkoop');
    });
  });

  // ----- renewals -----

  describe('renewals by the organisation', () => {
    test('the contact renews her personal card ending in 45 days: details carried over, old end plus the full term', T, async () => {
      const old = ids.card.sanne;
      assert.ok(Math.abs((Date.parse(old.not_after) - Date.now()) / DAY_MS - 45) < 1, `Sanne's card ends ${old.not_after}`);
      const t0 = Date.now();
      const draft = await cards.createCardOrder('contact', { type: 'card-renew', card_id: old.id });
      const t1 = Date.now();
      assert.equal(draft.organisation_id, ids.voorbeeld);
      assert.equal(draft.product, 'personal');
      assert.equal(draft.common_name, 'Sanne Jansen');
      assert.equal(draft.card.card_type, 'personal');
      assert.equal(draft.card.based_on, old.id);
      assert.equal(draft.card.given_name, 'Sanne');
      assert.equal(draft.card.surname, 'Jansen');
      assert.equal(draft.card.email, 's.jansen@voorbeeld.nl');
      assertStartsNow(draft, t0, t1);
      assert.equal(draft.not_after, expectedEnd(Date.parse(old.not_after)), `renewal of a card ending ${old.not_after}`);
      assert.match(await cards.document('contact', draft.id), new RegExp(`^Vervangt of gebaseerd op pas: ${old.id}$`, 'm'));

      const order = await cards.completeCard('contact', draft.id);
      assertSteps(order, ['submitted', 'in_production', 'shipped', 'issued'], t0);
      assert.notEqual(order.card_id, old.id);
      const list = await cards.organisationCards('contact', ids.voorbeeld);
      const renewed = list.find((item) => item.id === order.card_id);
      assert.ok(renewed, 'the renewed card is not listed');
      assert.equal(renewed.holder, 'Sanne Jansen');
      assert.equal(renewed.type, 'personal');
      assert.equal(renewed.not_after, draft.not_after);
    });

    test('the contact renews group card "Afdeling Facturatie" (50 days): name and manager carried over', T, async () => {
      const old = ids.card.facturatie;
      // The demo's group cards carry no e-mail address, so the contact e-mail is given (see the
      // report: without it the renewal is refused on field email).
      const draft = await cards.createCardOrder('contact', { type: 'card-renew', card_id: old.id, email: 'facturatie@voorbeeld.nl' });
      assert.equal(draft.card.email, 'facturatie@voorbeeld.nl');
      assert.equal(draft.product, 'group');
      assert.equal(draft.common_name, 'Afdeling Facturatie');
      assert.equal(draft.card.group_name, 'Afdeling Facturatie');
      assert.equal(draft.card.based_on, old.id);
      assert.equal(draft.manager_id, ids.pieter, 'the manager was not carried over');
      assert.equal(draft.not_after, expectedEnd(Date.parse(old.not_after)));
      const order = await cards.completeCard('contact', draft.id);
      assert.equal(order.status, 'issued');
      const renewed = (await cards.organisationCards('contact', ids.voorbeeld)).find((item) => item.id === order.card_id);
      assert.ok(renewed, 'the renewed group card is not listed');
      assert.equal(renewed.holder, 'Afdeling Facturatie');
      assert.equal(renewed.type, 'group');
    });

    test('a card that ends later than 90 days from now is not due: representative\'s card (500 days), "Servicedesk ICT" (400 days)', T, async () => {
      await refusedWithoutChange(async () => {
        for (const [identity, card] of [['contact', ids.card.willem], ['representative', ids.card.willem], ['contact', ids.card.ict]]) {
          const response = await cards.createOrder(identity, { type: 'card-renew', card_id: card.id });
          assertProblem(response, 400, 'card_id', message('order.card_not_due'));
        }
      });
      assert.equal(message('order.card_not_due'),
        'Deze pas verloopt nog niet binnenkort. U kunt haar vernieuwen vanaf 90 dagen voor de einddatum.');
    });

    test('another organisation cannot renew Voorbeeld\'s card, the contact not Eva\'s professional card (404)', T, async () => {
      await refusedWithoutChange(async () => {
        assertProblem(await cards.createOrder('other', { type: 'card-renew', card_id: ids.card.sanne.id }), 404);
        assertProblem(await cards.createOrder('other', { type: 'card-renew', card_id: ids.card.facturatie.id }), 404);
        assertProblem(await cards.createOrder('contact', { type: 'card-renew', card_id: ids.card.eva.id }), 404);
        assertProblem(await cards.createOrder('contact', { type: 'mobile-add', card_id: ids.card.eva.id }), 404);
        assertProblem(await cards.createOrder('professional', { type: 'card-renew', card_id: ids.card.sanne.id }), 404);
        assertProblem(await cards.createOrder('contact', { type: 'card-renew', card_id: 999999 }), 404);
      });
    });
  });

  // ----- refusals of the details -----

  describe('invalid details are refused with the exact message and create nothing', () => {
    const cases = [
      ['an empty given name', () => newPersonal({ given_name: '' }), 'given_name', () => fieldMessage('validation.required', 'given_name')],
      ['a surname of spaces', () => newPersonal({ surname: '   ' }), 'surname', () => fieldMessage('validation.required', 'surname')],
      ['an invalid e-mail address', () => newPersonal({ email: 'geen-e-mailadres' }), 'email', () => message('validation.email')],
      ['an invalid phone number', () => newPersonal({ phone: 'bel me' }), 'phone', () => message('validation.phone')],
      ['a group without a manager', () => newGroup({ manager: undefined }), 'manager', () => message('order.group_manager_required')],
      ['a group with an empty name', () => newGroup({ group_name: '' }), 'group_name', () => message('order.group_name_required')],
      ['a group name of 65 characters', () => newGroup({ group_name: `Afdeling ${'x'.repeat(56)}` }), 'group_name', () => message('order.group_name_too_long')],
      ['a group with an invalid e-mail address', () => newGroup({ email: 'inkoop@' }), 'email', () => message('validation.email')],
      ['a professional card ordered as a new organisation card', () => newPersonal({ card_type: 'professional' }), 'card_type', () => message('order.card_type')],
    ];
    for (const [what, body, field, expected] of cases) {
      test(`${what}: 400 on ${field}`, T, async () => {
        await refusedWithoutChange(async () => {
          assertProblem(await cards.createOrder('contact', body()), 400, field, expected());
        });
      });
    }

    test('a group name of exactly 64 characters is accepted', T, async () => {
      const name = `Afdeling ${'y'.repeat(55)}`;
      assert.equal(name.length, 64);
      const draft = await cards.createCardOrder('contact', newGroup({ group_name: name }));
      assert.equal(draft.card.group_name, name);
    });

    test('a manager of another organisation is refused (group_manager_unknown)', T, async () => {
      await refusedWithoutChange(async () => {
        const response = await cards.createOrder('other', newGroup({ organisation_id: ids.andere, group_name: 'Receptie Noord', email: 'receptie@andere.nl' }));
        assertProblem(response, 400, 'manager', message('order.group_manager_unknown'));
        // The contact is no certificate manager either.
        const notManager = await cards.createOrder('contact', newGroup({ manager: { id: ids.contact } }));
        assertProblem(notManager, 400, 'manager', message('order.group_manager_unknown'));
      });
    });

    test('a card for another organisation cannot be ordered (403 or 404, nothing created)', T, async () => {
      await refusedWithoutChange(async () => {
        const response = await cards.createOrder('contact', newPersonal({ organisation_id: ids.andere }));
        assert.ok([403, 404].includes(response.status), response.toString());
      });
    });

    test('a mobile certificate on a personal card is refused (card_id)', T, async () => {
      await refusedWithoutChange(async () => {
        const response = await cards.createOrder('contact', { type: 'mobile-add', card_id: ids.card.sanne.id });
        assertProblem(response, 400, 'card_id', message('order.mobile_needs_professional_card'));
      });
    });

    test('a professional renewal with an empty registration number is refused', T, async () => {
      await refusedWithoutChange(async () => {
        const response = await cards.createOrder('professional', { type: 'card-renew', card_id: ids.card.eva.id, registration_number: '' });
        assertProblem(response, 400, 'registration_number', message('order.registration_number_required'));
        const noTitle = await cards.createOrder('professional', { type: 'card-renew', card_id: ids.card.eva.id, title: ' ' });
        assertProblem(noTitle, 400, 'title', message('order.profession_required'));
      });
    });
  });

  describe('new holders one after another', () => {
    test('three new personal cards in a row are each produced, with distinct serialNumbers that are no one else\'s login', T, async () => {
      const officer = await pages.login('servicedesk', '/servicedesk');
      const serials = new Map();
      for (const [given, surname] of [['Kees', 'Koster'], ['Lisa', 'de Vries'], ['Mohamed', 'Bakkali']]) {
        const draft = await cards.createCardOrder('contact', newPersonal({ given_name: given, surname,
          email: `${given.toLowerCase()}@voorbeeld.nl`, title: '' }));
        await cards.submit('contact', draft.id);
        const response = await cards.step(draft.id, 'approve');
        assert.equal(response.status, 200, `approval of the card of ${given} ${surname} (order ${draft.id}): ${response.toString()}\n` +
          `order now: ${JSON.stringify(await cards.order('contact', draft.id))}`);
        assert.equal(response.json().status, 'in_production');
        const download = await getBinary(portal, 'servicedesk', `/servicedesk/bestellingen/${draft.id}/softcard.p12`, { session: officer });
        assert.equal(download.status, 200);
        const soft = await readPkcs12(download.body);
        const serial = (await subjectOf(soft.certificatePem)).match(/(?:^|,)serialNumber=([^,]+)/)?.[1];
        assert.ok(serial, 'no serialNumber');
        assert.ok(!serials.has(serial), `${given} ${surname} got the serialNumber of ${serials.get(serial)}`);
        serials.set(serial, `${given} ${surname}`);
        // A new holder has no portal access: the card must not log in as anyone.
        const me = await requestWithPfx(portal, download.body, '/api/v1/me');
        assert.equal(me.status, 403, `the card of ${given} ${surname} (serialNumber ${serial}) logged in: ${me.body}`);
      }
    });
  });

  // ----- signing and deciding -----

  describe('signing and the Servicedesk\'s steps', () => {
    let orderId;
    let document;

    before(async () => {
      // A group card: its production registers no holder (see 'new holders' below for that).
      const draft = await cards.createCardOrder('contact', newGroup({ group_name: 'Afdeling Kwaliteit', email: 'kwaliteit@voorbeeld.nl' }));
      orderId = draft.id;
      document = await cards.document('contact', orderId);
    }, { timeout: 60_000 });

    test('a signature by another person of the organisation is refused (other_person) and the order stays a draft', T, async () => {
      const signature = await signDocument(portal.demo, 'representative', document);
      const response = await cards.postSignature('contact', orderId, signature);
      assertProblem(response, 400, 'signature', message('signature.other_person'));
      assert.equal((await cards.order('contact', orderId)).status, 'draft');
      assertProblem(await cards.postSignature('representative', orderId, signature), 403);
      assert.equal((await cards.order('contact', orderId)).status, 'draft');
    });

    test('a draft cannot be approved or shipped (409)', T, async () => {
      assertProblem(await cards.step(orderId, 'approve'), 409);
      assertProblem(await cards.step(orderId, 'shipped'), 409);
      assert.equal((await cards.order('contact', orderId)).status, 'draft');
    });

    test('once submitted: the contact cannot approve (403); shipped or activated before approval is 409', T, async () => {
      await cards.submit('contact', orderId);
      assertProblem(await cards.step(orderId, 'approve', 'contact'), 403);
      assertProblem(await cards.step(orderId, 'shipped', 'contact'), 403);
      assertProblem(await cards.step(orderId, 'approve', 'representative'), 403);
      assert.equal((await cards.order('contact', orderId)).status, 'submitted');
      assertProblem(await cards.step(orderId, 'shipped'), 409);
      assertProblem(await cards.step(orderId, 'activated'), 409);
      const order = await cards.order('contact', orderId);
      assert.equal(order.status, 'submitted');
      assert.equal(order.card_id ?? null, null);
    });

    test('approved it is in production; approving again or activating before shipping is 409', T, async () => {
      const approved = await cards.approveCard(orderId);
      assertProblem(await cards.step(orderId, 'approve'), 409);
      assertProblem(await cards.step(orderId, 'activated'), 409);
      const order = await cards.order('contact', orderId);
      assert.equal(order.status, 'in_production');
      assert.equal(order.card_id, approved.card_id);
      const produced = (await cards.organisationCards('contact', ids.voorbeeld)).filter((card) => card.holder === 'Afdeling Kwaliteit');
      assert.equal(produced.length, 1, `one card for one order: ${JSON.stringify(produced)}`);
    });
  });

  // ----- the professional -----

  describe('Eva de Boer renews her professional card with a new registration number', () => {
    let orderId;
    let order;

    test('the draft has no organisation, carries her data and the new registration number', T, async () => {
      const old = ids.card.eva;
      assert.ok(Math.abs((Date.parse(old.not_after) - Date.now()) / DAY_MS - 40) < 1, `Eva's card ends ${old.not_after}`);
      const draft = await cards.createCardOrder('professional', { type: 'card-renew', card_id: old.id, registration_number: 'KNB-2026-7781' });
      orderId = draft.id;
      assert.equal(draft.organisation_id, null);
      assert.equal(draft.product, 'professional');
      assert.equal(draft.common_name, 'Eva de Boer');
      assert.equal(draft.card.card_type, 'professional');
      assert.equal(draft.card.based_on, old.id);
      assert.equal(draft.card.given_name, 'Eva');
      assert.equal(draft.card.surname, 'de Boer');
      assert.equal(draft.card.title, 'Notaris');
      assert.equal(draft.card.registration_number, 'KNB-2026-7781');
      assert.equal(draft.not_after, expectedEnd(Date.parse(old.not_after)));
      const document = await cards.document('professional', orderId);
      assert.match(document, /^Registratienummer: KNB-2026-7781$/m);
      assert.match(document, /^Titel of beroep: Notaris$/m);
      assert.match(document, /^Soort pas: professional$/m);
      // Only Eva and the Servicedesk see it.
      assertProblem(await cards.get('contact', `/api/v1/orders/${orderId}`), 404);
      assertProblem(await cards.get('other', `/api/v1/orders/${orderId}`), 404);
      assert.equal((await cards.order('servicedesk', orderId)).id, orderId);
    });

    test('signed, approved, shipped and activated it is issued; the new card is hers', T, async () => {
      const t0 = Date.now() - 60_000;
      order = await cards.completeCard('professional', orderId);
      assert.equal(order.status, 'issued');
      assertSteps(order, ['submitted', 'in_production', 'shipped', 'issued'], t0);
      const own = await cards.ownCards('professional');
      const renewed = own.find((card) => card.id === order.card_id);
      assert.ok(renewed, `the renewed card is not among Eva's cards: ${JSON.stringify(own)}`);
      assert.equal(renewed.type, 'professional');
      assert.equal(renewed.holder, 'Eva de Boer');
      assert.equal(renewed.not_after, order.not_after);
    });

    test('its authentication certificate chains to the root and names serialNumber 900000005, title Notaris', T, async () => {
      const officer = await pages.login('servicedesk', '/servicedesk');
      const download = await getBinary(portal, 'servicedesk', `/servicedesk/bestellingen/${orderId}/softcard.p12`, { session: officer });
      assert.equal(download.status, 200, download.body.toString('utf8').slice(0, 500));
      assert.match(download.headers['content-type'] ?? '', /^application\/x-pkcs12/);
      const soft = await readPkcs12(download.body);
      const verified = await verifyPersonCertificate(portal.demo, soft.certificatePem);
      assert.ok(verified.ok, `openssl verify: ${verified.output}`);
      const asClient = await verifyPersonCertificate(portal.demo, soft.certificatePem, 'sslclient');
      assert.ok(asClient.ok, `openssl verify -purpose sslclient: ${asClient.output}`);
      const subject = await subjectOf(soft.certificatePem);
      const parts = subject.split(/(?<!\\),/);
      for (const part of ['serialNumber=900000005', 'title=Notaris', 'GN=Eva', 'SN=de Boer', 'CN=Eva de Boer', 'C=NL']) {
        assert.ok(parts.includes(part), `subject ${subject} lacks ${part}`);
      }
      assert.ok(!parts.some((part) => part.startsWith('O=')), `a professional card names no organisation: ${subject}`);
      const x509 = new X509Certificate(soft.certificatePem);
      assert.equal(isoSeconds(Date.parse(x509.validTo)), order.not_after);
      // The soft card's key is the certificate's key.
      assert.ok(x509.checkPrivateKey(createPrivateKey(soft.keyPem)), 'the soft card key does not match its certificate');
      portal.evaSoftCard = download.body;
    });

    test('the soft card as TLS client certificate logs in as Eva de Boer', T, async () => {
      assert.ok(portal.evaSoftCard, 'no soft card from the previous test');
      const me = await requestWithPfx(portal, portal.evaSoftCard, '/api/v1/me');
      assert.equal(me.status, 200, me.body);
      const body = JSON.parse(me.body);
      assert.equal(body.person.id, ids.eva);
      assert.equal(body.person.name, 'Eva de Boer');
      assert.equal(body.professional, true);
    });
  });

  describe('Eva adds a mobile certificate and gets activation codes', () => {
    let orderId;

    test('the order is a mobile certificate on her own card, 2 years, with her new phone', T, async () => {
      const t0 = Date.now();
      const draft = await cards.createCardOrder('professional', { type: 'mobile-add', card_id: ids.card.eva.id, phone: '06 12 34 56 78' });
      const t1 = Date.now();
      orderId = draft.id;
      assert.equal(draft.organisation_id, null);
      assert.equal(draft.product, 'mobile');
      assert.equal(draft.card.card_type, 'mobile');
      assert.equal(draft.card.based_on, ids.card.eva.id);
      assert.equal(draft.card.phone, '06 12 34 56 78');
      assert.equal(draft.card.title, 'Notaris');
      const start = assertStartsNow(draft, t0, t1);
      assert.equal(draft.not_after, expectedEnd(start, MOBILE_TERM_DAYS));
      assert.match(await cards.document('professional', orderId), /^Soort pas: mobile$/m);
    });

    test('no activation code before approval (409); approval leaves it approved without a card', T, async () => {
      await cards.submit('professional', orderId);
      assertProblem(await cards.activationCode('professional', orderId), 409, undefined);
      assert.equal(assertProblem(await cards.activationCode('professional', orderId), 409).detail, message('order.activation_not_ready'));
      const approved = await cards.stepOk(orderId, 'approve', 'approved');
      assert.equal(approved.card_id ?? null, null, 'a mobile certificate is made at enrolment');
      assertProblem(await cards.step(orderId, 'shipped'), 409);
      assertProblem(await cards.step(orderId, 'approve'), 409);
      const order = await cards.order('professional', orderId);
      assert.equal(order.status, 'approved');
      assert.equal(order.activation_code ?? null, null, 'an activation code before one was made');
    });

    test('two activation codes differ; the order JSON shows only their expiry, never the code', T, async () => {
      const t0 = Date.now();
      const first = await cards.activationCode('professional', orderId);
      assert.equal(first.status, 200, first.toString());
      const one = first.json();
      assert.equal(one.id, orderId);
      assert.match(one.activation_code, CODE_PATTERN);
      const expires = Date.parse(one.expires_at);
      assert.ok(expires > t0 + 13 * DAY_MS && expires < t0 + 15 * DAY_MS, `expires_at ${one.expires_at}`);
      assert.match(first.header('cache-control') ?? '', /no-store/, 'an activation code may be cached');

      const second = await cards.activationCode('professional', orderId);
      assert.equal(second.status, 200, second.toString());
      const two = second.json();
      assert.match(two.activation_code, CODE_PATTERN);
      assert.notEqual(two.activation_code, one.activation_code, 'a second code is the first one again');

      const response = await cards.get('professional', `/api/v1/orders/${orderId}`);
      assert.equal(response.status, 200);
      const order = response.json();
      assert.equal(order.status, 'approved');
      assert.deepEqual(Object.keys(order.activation_code).sort(), ['expires_at', 'used']);
      assert.equal(order.activation_code.used, false);
      assert.equal(order.activation_code.expires_at, two.expires_at);
      for (const code of [one.activation_code, two.activation_code]) {
        for (const form of [code, code.replace(/-/g, '')]) {
          assert.ok(!response.body.includes(form), `the order JSON contains an activation code: ${response.body}`);
        }
      }
      const asOfficer = await cards.get('servicedesk', `/api/v1/orders/${orderId}`);
      assert.ok(!asOfficer.body.includes(two.activation_code), 'the Servicedesk sees the activation code');
    });

    test('only Eva gets a code: the Servicedesk 403, a contact 404', T, async () => {
      assertProblem(await cards.activationCode('servicedesk', orderId), 403);
      assertProblem(await cards.activationCode('contact', orderId), 404);
      assertProblem(await cards.activationCode('other', orderId), 404);
    });

    test('a server or card order has no activation code (404)', T, async () => {
      const renewal = await cards.createCardOrder('contact', { type: 'card-renew', card_id: ids.card.sanne.id });
      assertProblem(await cards.activationCode('contact', renewal.id), 404);
    });
  });
});
