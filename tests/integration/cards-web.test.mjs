// Card orders through the pages (ADR 0007): the order page of a card order with its "Verloop",
// the Servicedesk's production buttons (approve, shipped, activated) and the demo soft card
// download, the holder's activation code page of a mobile certificate, and the customer forms
// (new personal and group card, renewal, mobile certificate, "Mijn certificaten"). Forms need the
// session's csrf_token; refusals re-render the form with status 400 and the message.
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { demoSql } from '../support/database.mjs';
import { withDemoServer } from '../support/integration.mjs';
import {
  dutchDate, htmlIncludes, mainOf, message, pageApi, preText, removeTempFiles, unescapeHtml,
} from '../support/orders.mjs';
import { cardApi, cardMessage, demoIds, getBinary, readPkcs12 } from '../support/cards.mjs';

const T = { timeout: 120_000 };

describe('card orders through the pages', () => {
  const portal = withDemoServer();
  const cards = cardApi(portal);
  const pages = pageApi(portal);
  let ids;
  let contact;
  let officer;
  let eva;

  before(async () => {
    ids = await demoIds(cards);
    contact = await pages.login('contact', '/');
    officer = await pages.login('servicedesk', '/servicedesk');
    eva = await pages.login('professional', '/');
  }, { timeout: 60_000 });
  after(removeTempFiles);

  const base = () => `/servicedesk/bestellingen`;

  /** The facts (<dt>label</dt><dd>lines</dd>) of a page: {label: [lines]}. */
  function factsOf(html) {
    const facts = {};
    for (const [, label, value] of mainOf(html).matchAll(/<dt>([\s\S]*?)<\/dt>\s*<dd>([\s\S]*?)<\/dd>/g)) {
      const lines = value.split(/<br\s*\/?>/).map((line) => unescapeHtml(line.replace(/<[^>]+>/g, '')).trim()).filter(Boolean);
      facts[unescapeHtml(label.replace(/<[^>]+>/g, '')).trim()] = lines;
    }
    return facts;
  }

  /** The action URLs of the POST forms on a page. */
  function formActions(html) {
    return [...mainOf(html).matchAll(/<form\b[^>]*method="post"[^>]*action="([^"]+)"/gi)].map((m) => unescapeHtml(m[1]));
  }

  /** Asserts a 303 to PATH (pathname), optionally with ?melding=NOTICE. */
  function assertRedirect(response, pathname, notice) {
    assert.equal(response.status, 303, response.toString());
    assert.equal(response.location?.pathname, pathname, `redirect to ${response.header('location')}`);
    if (notice) assert.equal(response.location.searchParams.get('melding'), notice);
  }

  /** Asserts the form error pattern: STATUS, "Fout:" in the title, a summary with MESSAGE. */
  function assertFormError(response, status, expectedMessage) {
    assert.equal(response.status, status, response.toString());
    const html = response.body;
    assert.match(html, /<title>Fout: /, 'the title does not say there is an error');
    const summary = html.match(/<div class="[^"]*utrecht-alert--error[^"]*" role="alert"[^>]*>([\s\S]*?)<\/div>/);
    assert.ok(summary, `no error summary:\n${mainOf(html).slice(0, 3000)}`);
    assert.ok(htmlIncludes(summary[1], message('form.error_summary')), 'the summary has no heading');
    assert.ok(htmlIncludes(summary[1], expectedMessage), `the summary does not list ${JSON.stringify(expectedMessage)}:\n${summary[1]}`);
    return html;
  }

  async function orderCount(organisation = ids.voorbeeld) {
    return (await cards.getJson('contact', `/api/v1/organisations/${organisation}/orders`)).items.length;
  }

  // ----- the order page and the Servicedesk's production steps -----

  describe('a new personal card from the order page through production', () => {
    let orderId;
    let cardId;

    before(async () => {
      const draft = await cards.createCardOrder('contact', {
        type: 'card-new', organisation_id: ids.voorbeeld, card_type: 'personal', given_name: 'Iris', surname: 'de Wit',
        email: 'i.dewit@voorbeeld.nl', phone: '030 123 45 66', title: 'Jurist',
      });
      orderId = draft.id;
    }, { timeout: 60_000 });

    test('the draft\'s page shows the card\'s facts, the steps so far and the document to sign', T, async () => {
      const response = await pages.get(contact, `/bestellingen/${orderId}`);
      assert.equal(response.status, 200, response.toString());
      const html = response.body;
      assert.ok(htmlIncludes(html, message('orders.page.review_title').replace('{number}', String(orderId))), 'no review heading');
      const facts = factsOf(html);
      assert.deepEqual(facts[message('orders.fact.type')], [message('orders.type.card-new')]);
      assert.deepEqual(facts[message('orders.fact.card_type')], [message('cards.type.personal')]);
      assert.deepEqual(facts[message('orders.fact.holder')], ['Iris de Wit']);
      assert.deepEqual(facts[message('orders.fact.title')], ['Jurist']);
      assert.deepEqual(facts[message('orders.fact.email')], ['i.dewit@voorbeeld.nl']);
      assert.deepEqual(facts[message('orders.fact.phone')], ['030 123 45 66']);
      assert.deepEqual(facts[message('orders.fact.status')], [message('order.status.draft')]);
      const steps = facts[message('orders.fact.steps')];
      assert.ok(steps, `no "Verloop" on the page: ${JSON.stringify(facts)}`);
      const today = dutchDate(new Date().toISOString());
      assert.deepEqual(steps, [`${message('order.status.draft')}: ${today}`]);
      const document = preText(html);
      assert.equal(document, await cards.document('contact', orderId), 'the page shows another document than the API');
      assert.match(document, /^Soort pas: personal$/m);
      assert.ok(formActions(html).includes(`/bestellingen/${orderId}/handtekening`), 'no signature form');
      assert.ok(!formActions(html).some((action) => action.endsWith('/activeringscode')), 'an activation form on a card order');
    });

    test('another organisation gets 404 for the page', T, async () => {
      const other = await pages.login('other', '/');
      assert.equal((await pages.get(other, `/bestellingen/${orderId}`)).status, 404);
    });

    test('the soft card does not exist before production (404)', T, async () => {
      const download = await getBinary(portal, 'servicedesk', `${base()}/${orderId}/softcard.p12`, { session: officer });
      assert.equal(download.status, 404);
    });

    test('signed, it is approved with the Servicedesk\'s button and goes into production', T, async () => {
      await cards.submit('contact', orderId);
      const page = await pages.get(officer, `${base()}/${orderId}`);
      assert.equal(page.status, 200, page.toString());
      assert.ok(formActions(page.body).includes(`${base()}/${orderId}/goedkeuren`), 'no approve button');
      assert.ok(!formActions(page.body).includes(`${base()}/${orderId}/verzonden`), 'a shipped button before approval');
      const refused = await pages.post(contact, `${base()}/${orderId}/goedkeuren`);
      assert.equal(refused.status, 403, refused.toString());
      const approved = await pages.post(officer, `${base()}/${orderId}/goedkeuren`);
      assertRedirect(approved, `${base()}/${orderId}`, 'goedgekeurd-pas');
      const order = await cards.order('contact', orderId);
      assert.equal(order.status, 'in_production');
      cardId = order.card_id;
      assert.ok(Number.isInteger(cardId));
    });

    test('in production the Servicedesk sees the shipped button and the soft card link, not yet activated', T, async () => {
      const page = await pages.get(officer, `${base()}/${orderId}`);
      assert.equal(page.status, 200);
      const html = page.body;
      const actions = formActions(html);
      assert.ok(actions.includes(`${base()}/${orderId}/verzonden`), `no shipped button: ${actions}`);
      assert.ok(!actions.includes(`${base()}/${orderId}/geactiveerd`), 'an activated button before shipping');
      assert.ok(!actions.includes(`${base()}/${orderId}/goedkeuren`), 'still an approve button');
      assert.ok(htmlIncludes(html, message('orders.review.production')));
      assert.ok(htmlIncludes(html, message('orders.review.shipped')));
      assert.match(html, new RegExp(`href="${base()}/${orderId}/softcard\\.p12"`), 'no soft card link');
      assert.ok(htmlIncludes(html, message('orders.review.soft_card')));
    });

    test('the soft card downloads as PKCS#12 for the Servicedesk only (403 for others)', T, async () => {
      const download = await getBinary(portal, 'servicedesk', `${base()}/${orderId}/softcard.p12`, { session: officer });
      assert.equal(download.status, 200, download.body.toString('utf8').slice(0, 300));
      assert.match(download.headers['content-type'] ?? '', /^application\/x-pkcs12/);
      assert.equal(download.headers['content-disposition'], `attachment; filename="softcard-${cardId}.p12"`);
      const soft = await readPkcs12(download.body);
      assert.match(soft.certificatePem, /BEGIN CERTIFICATE/);
      // Made from the demo bureau's files in the demo directory (ADR 0020), not from the database.
      const folder = path.join(portal.demo.dir, 'cards', `order-${orderId}`);
      const keyFile = path.join(folder, 'authentication.key');
      assert.equal((await stat(keyFile)).mode & 0o777, 0o600, 'the demo key file is readable by others');
      assert.equal(createPrivateKey(await readFile(keyFile)).export({ type: 'pkcs8', format: 'pem' }),
        createPrivateKey(soft.keyPem).export({ type: 'pkcs8', format: 'pem' }), 'the soft card has another key');
      assert.equal(new X509Certificate(await readFile(path.join(folder, 'authentication.crt'))).fingerprint256,
        new X509Certificate(soft.certificatePem).fingerprint256);
      assert.equal(await demoSql(portal.demo, 'SELECT COUNT(*) FROM soft_cards;'), '0', 'a soft card in the database');
      for (const identity of ['contact', 'professional']) {
        const session = identity === 'contact' ? contact : eva;
        const refused = await getBinary(portal, identity, `${base()}/${orderId}/softcard.p12`, { session });
        assert.equal(refused.status, 403, `${identity} downloaded a soft card`);
      }
    });

    test('shipped: wrong steps and other people are refused without change, the button moves on', T, async () => {
      const early = await pages.post(officer, `${base()}/${orderId}/geactiveerd`);
      assert.equal(early.status, 409, early.toString());
      assert.equal((await cards.order('contact', orderId)).status, 'in_production');
      const byContact = await pages.post(contact, `${base()}/${orderId}/verzonden`);
      assert.equal(byContact.status, 403, byContact.toString());
      const withoutToken = await pages.post(officer, `${base()}/${orderId}/verzonden`, {}, { withCsrf: false });
      assert.equal(withoutToken.status, 403, withoutToken.toString());
      assert.equal((await cards.order('contact', orderId)).status, 'in_production');

      const shipped = await pages.post(officer, `${base()}/${orderId}/verzonden`);
      assertRedirect(shipped, `${base()}/${orderId}`, 'verzonden');
      assert.equal((await cards.order('contact', orderId)).status, 'shipped');
      const page = await pages.get(officer, `${base()}/${orderId}`);
      const actions = formActions(page.body);
      assert.ok(actions.includes(`${base()}/${orderId}/geactiveerd`), `no activated button: ${actions}`);
      assert.ok(!actions.includes(`${base()}/${orderId}/verzonden`), 'still a shipped button');
      assert.ok(htmlIncludes(page.body, message('orders.review.activated')));
      const twice = await pages.post(officer, `${base()}/${orderId}/verzonden`);
      assert.equal(twice.status, 409, twice.toString());
    });

    test('activated: the order is issued, no more buttons, and the customer\'s page dates every step', T, async () => {
      const activated = await pages.post(officer, `${base()}/${orderId}/geactiveerd`);
      assertRedirect(activated, `${base()}/${orderId}`, 'geactiveerd');
      const order = await cards.order('contact', orderId);
      assert.equal(order.status, 'issued');
      const page = await pages.get(officer, `${base()}/${orderId}`);
      const actions = formActions(page.body);
      for (const step of ['goedkeuren', 'verzonden', 'geactiveerd']) {
        assert.ok(!actions.includes(`${base()}/${orderId}/${step}`), `still a ${step} button`);
      }
      const mine = await pages.get(contact, `/bestellingen/${orderId}`);
      assert.equal(mine.status, 200);
      const facts = factsOf(mine.body);
      assert.deepEqual(facts[message('orders.fact.status')], [message('order.status.issued')]);
      const expected = order.steps.map((step) => `${message(`order.status.${step.status}`)}: ${dutchDate(step.at)}`);
      assert.deepEqual(facts[message('orders.fact.steps')], expected);
      for (const status of ['submitted', 'in_production', 'shipped', 'issued']) {
        assert.ok(facts[message('orders.fact.steps')].some((line) => line.startsWith(`${message(`order.status.${status}`)}: `)),
          `"Verloop" lacks ${status}: ${facts[message('orders.fact.steps')]}`);
      }
      assert.ok(!formActions(mine.body).includes(`/bestellingen/${orderId}/handtekening`), 'a signature form on an issued order');
    });

    test('the soft card of a server certificate order does not exist (404)', T, async () => {
      const { order } = await cards.submittedOrder({ cn: 'kaart-test.voorbeeld.nl', sans: ['kaart-test.voorbeeld.nl'] });
      await cards.approveOk(order.id);
      const download = await getBinary(portal, 'servicedesk', `${base()}/${order.id}/softcard.p12`, { session: officer });
      assert.equal(download.status, 404);
      const page = await pages.get(officer, `${base()}/${order.id}`);
      assert.doesNotMatch(page.body, /softcard\.p12/, 'a soft card link on a server order');
      const shipped = await pages.post(officer, `${base()}/${order.id}/verzonden`);
      assert.ok([404, 409].includes(shipped.status), `shipping a server order: ${shipped.status}`);
      assert.equal((await cards.order('contact', order.id)).status, 'issued');
    });
  });

  // ----- the holder's mobile certificate and activation code -----

  describe('Eva\'s mobile certificate: the activation code page', () => {
    let orderId;

    before(async () => {
      const draft = await cards.createCardOrder('professional', { type: 'mobile-add', card_id: ids.card.eva.id, phone: '06 12 34 56 78' });
      orderId = draft.id;
      await cards.submit('professional', orderId);
    }, { timeout: 60_000 });

    test('before approval the page has no activation form and a POST is refused (409)', T, async () => {
      const page = await pages.get(eva, `/bestellingen/${orderId}`);
      assert.equal(page.status, 200, page.toString());
      assert.ok(!formActions(page.body).includes(`/bestellingen/${orderId}/activeringscode`), 'an activation form before approval');
      const early = await pages.post(eva, `/bestellingen/${orderId}/activeringscode`);
      assert.equal(early.status, 409, early.toString());
      assert.ok(htmlIncludes(early.body, message('order.activation_not_ready')), 'the refusal does not say why');
    });

    test('approved, Eva\'s page offers a code; her order page links back to "Mijn certificaten"; others get 404', T, async () => {
      await cards.stepOk(orderId, 'approve', 'approved');
      const page = await pages.get(eva, `/bestellingen/${orderId}`);
      assert.equal(page.status, 200, page.toString());
      assert.ok(formActions(page.body).includes(`/bestellingen/${orderId}/activeringscode`), 'no activation form');
      assert.ok(htmlIncludes(page.body, message('orders.activation.explanation')));
      assert.ok(htmlIncludes(page.body, message('orders.activation.create')));
      assert.match(mainOf(page.body), /href="\/mijn-certificaten"/);
      const facts = factsOf(page.body);
      assert.deepEqual(facts[message('orders.fact.card_type')], [message('cards.type.mobile')]);
      assert.deepEqual(facts[message('orders.fact.status')], [message('order.status.approved')]);
      assert.equal((await pages.get(contact, `/bestellingen/${orderId}`)).status, 404);
      const asOfficer = await pages.get(officer, `/bestellingen/${orderId}`);
      assert.equal(asOfficer.status, 200, 'the Servicedesk sees the order');
      assert.ok(!formActions(asOfficer.body).includes(`/bestellingen/${orderId}/activeringscode`), 'the Servicedesk is offered a code');
    });

    test('a code is shown once, not cached; the page afterwards only says one was made; a second code differs', T, async () => {
      const first = await pages.post(eva, `/bestellingen/${orderId}/activeringscode`);
      assert.equal(first.status, 200, first.toString());
      assert.match(first.header('cache-control') ?? '', /no-store/);
      assert.ok(htmlIncludes(first.body, message('orders.activation.shown_once')));
      const one = first.body.match(/<strong[^>]*id="activeringscode"[^>]*>([^<]+)<\/strong>/)?.[1];
      assert.match(one ?? '', /^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/, 'no code on the page');

      const order = await cards.order('professional', orderId);
      const later = await pages.get(eva, `/bestellingen/${orderId}`);
      assert.equal(later.status, 200);
      assert.ok(!later.body.includes(one), 'the code is shown again');
      assert.doesNotMatch(later.body, /id="activeringscode"/);
      assert.ok(htmlIncludes(later.body, message('orders.activation.made').replace('{expires}', dutchDate(order.activation_code.expires_at))),
        'the page does not say a code was made');

      const second = await pages.post(eva, `/bestellingen/${orderId}/activeringscode`);
      assert.equal(second.status, 200);
      const two = second.body.match(/<strong[^>]*id="activeringscode"[^>]*>([^<]+)<\/strong>/)?.[1];
      assert.match(two ?? '', /^[A-Z2-9]{4}(-[A-Z2-9]{4}){3}$/);
      assert.notEqual(two, one);
    });

    test('without the csrf token, as the Servicedesk or as a contact no code is made', T, async () => {
      const before = (await cards.order('professional', orderId)).activation_code;
      const withoutToken = await pages.post(eva, `/bestellingen/${orderId}/activeringscode`, {}, { withCsrf: false });
      assert.equal(withoutToken.status, 403, withoutToken.toString());
      assert.doesNotMatch(withoutToken.body, /id="activeringscode"/);
      const byOfficer = await pages.post(officer, `/bestellingen/${orderId}/activeringscode`);
      assert.equal(byOfficer.status, 403, byOfficer.toString());
      assert.doesNotMatch(byOfficer.body, /id="activeringscode"/);
      const byContact = await pages.post(contact, `/bestellingen/${orderId}/activeringscode`);
      assert.equal(byContact.status, 404, byContact.toString());
      assert.deepEqual((await cards.order('professional', orderId)).activation_code, before, 'a refused request made a new code');
    });
  });

  // ----- the customer forms -----

  describe('the customer forms', () => {
    const newCardPath = (kind) => `/organisaties/${ids.voorbeeld}/passen/bestellen${kind ? `?soort=${kind}` : ''}`;

    test('the personal card form has the holder\'s fields and a link to the group form', T, async () => {
      const response = await pages.get(contact, newCardPath());
      assert.equal(response.status, 200, response.toString());
      const html = mainOf(response.body);
      assert.ok(htmlIncludes(html, cardMessage('card_orders.form.new_personal_title')));
      for (const name of ['given_name', 'surname', 'email', 'phone', 'title']) {
        assert.match(html, new RegExp(`name="${name}"`), `no field ${name}`);
      }
      assert.match(html, /<input type="hidden" name="card_type" value="personal">/);
      assert.match(html, /name="csrf_token"/);
      assert.ok(html.includes(`href="${newCardPath('groep')}"`), 'no link to the group form');
    });

    test('an empty given name and a bad e-mail re-render the form (400) and create nothing', T, async () => {
      const count = await orderCount();
      const response = await pages.post(contact, newCardPath('persoonsgebonden'), {
        card_type: 'personal', given_name: '', surname: 'Smits', email: 'geen-adres', phone: '030 123 45 55', title: '',
      });
      const html = assertFormError(response, 400,
        message('validation.required').replace('{label}', cardMessage('card_orders.form.given_name')));
      assert.ok(htmlIncludes(html, message('validation.email')));
      assert.ok(htmlIncludes(html, 'Smits'), 'the entered surname is lost');
      assert.equal(await orderCount(), count);
    });

    test('a valid personal card form creates a draft and leads to its page', T, async () => {
      const response = await pages.post(contact, newCardPath('persoonsgebonden'), {
        card_type: 'personal', given_name: 'Tom', surname: 'Smits', email: 't.smits@voorbeeld.nl', phone: '030 123 45 55', title: 'Adviseur',
      });
      assert.equal(response.status, 303, response.toString());
      const id = Number(response.location?.pathname.match(/^\/bestellingen\/(\d+)$/)?.[1]);
      assert.ok(id, `redirect to ${response.header('location')}`);
      const order = await cards.order('contact', id);
      assert.equal(order.type, 'card-new');
      assert.equal(order.status, 'draft');
      assert.equal(order.organisation_id, ids.voorbeeld);
      assert.deepEqual(
        [order.card.card_type, order.card.given_name, order.card.surname, order.card.email, order.card.phone, order.card.title],
        ['personal', 'Tom', 'Smits', 't.smits@voorbeeld.nl', '030 123 45 55', 'Adviseur']);
    });

    test('the group form offers the certificate managers; without one it is refused, with Pieter it is ordered', T, async () => {
      const form = await pages.get(contact, newCardPath('groep'));
      assert.equal(form.status, 200, form.toString());
      assert.ok(htmlIncludes(form.body, cardMessage('card_orders.form.new_group_title')));
      assert.match(form.body, new RegExp(`<option[^>]*value="${ids.pieter}"[^>]*>\\s*Pieter Bakker`), 'Pieter Bakker is not offered');
      assert.match(form.body, /<input type="hidden" name="card_type" value="group">/);
      const count = await orderCount();
      const missing = await pages.post(contact, newCardPath('groep'), { card_type: 'group', group_name: 'Afdeling Archief', email: 'archief@voorbeeld.nl', manager: '' });
      assertFormError(missing, 400, message('order.group_manager_required'));
      assert.equal(await orderCount(), count);
      const ordered = await pages.post(contact, newCardPath('groep'), {
        card_type: 'group', group_name: 'Afdeling Archief', email: 'archief@voorbeeld.nl', manager: String(ids.pieter),
      });
      assert.equal(ordered.status, 303, ordered.toString());
      const id = Number(ordered.location?.pathname.match(/^\/bestellingen\/(\d+)$/)?.[1]);
      const order = await cards.order('contact', id);
      assert.equal(order.card.card_type, 'group');
      assert.equal(order.card.group_name, 'Afdeling Archief');
      assert.equal(order.manager_id, ids.pieter);
    });

    test('a professional card type cannot be posted; another organisation\'s form is not found', T, async () => {
      const count = await orderCount();
      const response = await pages.post(contact, newCardPath(), { card_type: 'professional', given_name: 'A', surname: 'B', email: 'a@voorbeeld.nl', phone: '030 123 45 55' });
      assertFormError(response, 400, cardMessage('card_orders.form.card_type_unknown'));
      assert.equal(await orderCount(), count);
      const other = await pages.login('other', '/');
      const foreign = await pages.get(other, newCardPath());
      assert.ok([403, 404].includes(foreign.status), `another organisation's form: ${foreign.status}`);
    });

    test('the renewal form of Sanne\'s card carries her name over and orders a renewal', T, async () => {
      const path = `/passen/${ids.card.sanne.id}/vernieuwen`;
      const form = await pages.get(contact, path);
      assert.equal(form.status, 200, form.toString());
      assert.ok(htmlIncludes(form.body, cardMessage('card_orders.form.renew_title').replace('{name}', 'Sanne Jansen')));
      assert.ok(htmlIncludes(form.body, 's.jansen@voorbeeld.nl'), 'the e-mail is not filled in');
      assert.doesNotMatch(form.body, /name="given_name"/, 'the holder\'s name is editable');
      const response = await pages.post(contact, path, { email: 's.jansen@voorbeeld.nl', phone: '+31 30 123 45 02', title: '' });
      assert.equal(response.status, 303, response.toString());
      const id = Number(response.location?.pathname.match(/^\/bestellingen\/(\d+)$/)?.[1]);
      const order = await cards.order('contact', id);
      assert.equal(order.type, 'card-renew');
      assert.equal(order.card.based_on, ids.card.sanne.id);
      assert.equal(order.common_name, 'Sanne Jansen');
    });

    test('renewing a card that is not due re-renders with the reason (400); another organisation\'s card is not found', T, async () => {
      const count = await orderCount();
      const response = await pages.post(contact, `/passen/${ids.card.willem.id}/vernieuwen`, { email: 'w.vandijk@voorbeeld.nl', phone: '+31 30 123 45 01', title: '' });
      assert.equal(response.status, 400, response.toString());
      assert.ok(htmlIncludes(response.body, message('order.card_not_due')), `the page does not say the card is not due:\n${mainOf(response.body).slice(0, 2000)}`);
      assert.equal(await orderCount(), count);
      const other = await pages.login('other', '/');
      const foreign = await pages.get(other, `/passen/${ids.card.sanne.id}/vernieuwen`);
      assert.ok([403, 404].includes(foreign.status), `another organisation's card: ${foreign.status}`);
    });

    test('Eva\'s mobile certificate form asks for the phone and orders a mobile certificate; not for others', T, async () => {
      const path = `/passen/${ids.card.eva.id}/mobiel`;
      const form = await pages.get(eva, path);
      assert.equal(form.status, 200, form.toString());
      assert.ok(htmlIncludes(form.body, cardMessage('card_orders.form.mobile_title')));
      assert.match(form.body, /name="phone"/);
      const response = await pages.post(eva, path, { phone: '06 98 76 54 32' });
      assert.equal(response.status, 303, response.toString());
      const id = Number(response.location?.pathname.match(/^\/bestellingen\/(\d+)$/)?.[1]);
      const order = await cards.order('professional', id);
      assert.equal(order.type, 'mobile-add');
      assert.equal(order.card.phone, '06 98 76 54 32');
      assert.equal(order.organisation_id, null);
      assert.equal((await pages.get(contact, path)).status, 404);
      assert.equal((await pages.get(eva, `/passen/${ids.card.sanne.id}/mobiel`)).status, 404);
    });

    test('the mobile certificate form refuses an empty phone number (the field is required) and orders nothing', T, async () => {
      const path = `/passen/${ids.card.eva.id}/mobiel`;
      const form = await pages.get(eva, path);
      assert.match(form.body, /<input[^>]*name="phone"[^>]*aria-required="true"/, 'the phone field is not marked required');
      const empty = await pages.post(eva, path, { phone: '' });
      assert.equal(empty.status, 400, `an empty mobile phone number was accepted: ${empty.status} ${empty.header('location') ?? ''}` +
        (empty.location ? `\norder: ${JSON.stringify(await cards.order('professional', Number(empty.location.pathname.split('/').pop())))}` : ''));
      assertFormError(empty, 400, message('order.mobile_phone_required'));
    });

    test('"Mijn certificaten" lists Eva\'s card with renew and mobile links, and her orders', T, async () => {
      const response = await pages.get(eva, '/mijn-certificaten');
      assert.equal(response.status, 200, response.toString());
      const html = mainOf(response.body);
      assert.ok(htmlIncludes(html, cardMessage('card_orders.own.title')));
      assert.match(html, new RegExp(`href="/passen/${ids.card.eva.id}/vernieuwen"`), 'no renew link (the card ends in 40 days)');
      assert.match(html, new RegExp(`href="/passen/${ids.card.eva.id}/mobiel"`), 'no mobile link');
      const own = await cards.getJson('professional', '/api/v1/cards');
      assert.ok(own.items.length >= 1);
      assert.match(html, /href="\/bestellingen\/\d+"/, 'no orders listed');
      const byContact = await pages.get(contact, '/mijn-certificaten');
      assert.ok([403, 404].includes(byContact.status), `a contact's "Mijn certificaten": ${byContact.status}`);
    });
  });
});
