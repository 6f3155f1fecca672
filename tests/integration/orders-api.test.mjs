// Ordering server certificates through the JSON API (docs/architecture.md §One order, PRODUCT.md
// §4, §5, §7, §8): a CSR made with openssl becomes a draft order, the requester signs the order
// document with `openssl cms`, the Servicedesk approves and the CA issues a certificate that chains
// to the demo root, carries the CSR's key and names, and ends when the order said. Renewals,
// domains on hold, proposed managers, refused signatures and CSRs, other organisations and a race
// of approvals.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { writeFile, readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { demoSql } from '../support/database.mjs';
import { withDemoServer } from '../support/integration.mjs';
import {
  DAY_MS, TERM_DAYS, assertProblem, certificateDnsNames, csrDnsNames, makeCsr, message, openssl, orderApi,
  publicKeyOf, removeTempFiles, signDocument, tempPath, userFiles, verifyServerCertificate,
} from '../support/orders.mjs';

const T = { timeout: 120_000 };

describe('server certificate orders through the API', () => {
  const portal = withDemoServer();
  const api = orderApi(portal);
  /** Ids of the demo: organisations, the certificate manager and persons. */
  const ids = {};

  before(async () => {
    ids.voorbeeld = await api.organisationOf('contact');
    ids.andere = await api.organisationOf('other');
    ids.contact = await api.personOf('contact');
    const organisation = await api.organisation('contact', ids.voorbeeld);
    const pieter = organisation.managers.find((m) => m.name === 'Pieter Bakker');
    assert.ok(pieter, `Pieter Bakker is not a manager of Voorbeeld: ${JSON.stringify(organisation.managers)}`);
    ids.manager = pieter.id;
  }, { timeout: 60_000 });
  after(removeTempFiles);

  /** Asserts the status of order ID as seen by the contact. */
  async function assertStatus(id, status, what = '') {
    const order = await api.order('contact', id);
    assert.equal(order.status, status, `status of order ${id} ${what}`);
    return order;
  }

  describe('a new certificate, from CSR to issued certificate', () => {
    test('contact orders, signs; the Servicedesk approves; the certificate matches the CSR and the order', T, async () => {
      const cn = 'shop.voorbeeld.nl';
      const csr = await makeCsr({ cn, sans: [cn, 'www.shop.voorbeeld.nl'] });
      const t0 = Date.now();
      const created = await api.createOrder('contact', {
        type: 'server-new', organisation_id: ids.voorbeeld, csr: csr.csrPem, manager: { id: ids.manager },
      });
      const t1 = Date.now();
      assert.equal(created.status, 201, created.toString());
      assert.match(created.header('content-type') ?? '', /^application\/json/);
      const draft = created.json();
      assert.ok(Number.isInteger(draft.id), created.body);
      assert.equal(draft.type, 'server-new');
      assert.equal(draft.status, 'draft');
      assert.equal(draft.cap, 'none');
      assert.deepEqual(draft.unvalidated_names ?? [], []);
      const start = Date.parse(draft.not_before);
      const end = Date.parse(draft.not_after);
      assert.ok(start >= Math.floor(t0 / 1000) * 1000 - 2000 && start <= t1 + 2000,
        `not_before ${draft.not_before} is not the time of ordering (${new Date(t0).toISOString()})`);
      assert.equal(end - start, TERM_DAYS * DAY_MS, `not_after ${draft.not_after} is not not_before + ${TERM_DAYS} days`);

      const order = await api.order('contact', draft.id);
      assert.equal(order.id, draft.id);
      assert.equal(order.type, 'server-new');
      assert.equal(order.status, 'draft');
      assert.equal(order.organisation_id, ids.voorbeeld);
      assert.equal(order.common_name, cn);
      assert.deepEqual(order.sans, [cn, 'www.shop.voorbeeld.nl']);
      assert.equal(order.not_before, draft.not_before);
      assert.equal(order.not_after, draft.not_after);
      assert.equal(order.certificate_id ?? null, null, 'a draft has no certificate');

      const documentResponse = await api.documentResponse('contact', draft.id);
      assert.equal(documentResponse.status, 200, documentResponse.toString());
      assert.match(documentResponse.header('content-type') ?? '', /^text\/plain; ?charset=utf-8/i);
      const document = documentResponse.body;
      assert.match(document, new RegExp(`^Bestelnummer: ${draft.id}$`, 'm'));
      assert.match(document, /^Nonce: \S{16,}$/m, 'no nonce line');
      assert.match(document, /^SAN 1: shop\.voorbeeld\.nl$/m);
      assert.match(document, /^SAN 2: www\.shop\.voorbeeld\.nl$/m);
      assert.match(document, /^Organisatie: Voorbeeld B\.V\.$/m);
      assert.match(document, new RegExp(`^Geldig tot: ${draft.not_after}$`, 'm'));
      assert.match(document, /^Certificaatbeheerder: Pieter Bakker /m);
      assert.equal((await api.documentResponse('contact', draft.id)).body, document, 'the document is not deterministic');

      const signature = await signDocument(portal.demo, 'contact', document);
      const signed = await api.postSignature('contact', draft.id, signature);
      assert.equal(signed.status, 200, signed.toString());
      assert.deepEqual(signed.json(), { id: draft.id, status: 'submitted' });
      await assertStatus(draft.id, 'submitted', 'after signing');
      assert.equal(await api.document('contact', draft.id), document, 'the signed document is not the one that was signed');
      const again = await api.postSignature('contact', draft.id, signature);
      assert.equal(assertProblem(again, 409).detail, message('order.not_draft'));

      const approved = await api.approve(draft.id);
      assert.equal(approved.status, 200, approved.toString());
      const decision = approved.json();
      assert.equal(decision.id, draft.id);
      assert.equal(decision.status, 'issued');
      assert.ok(Number.isInteger(decision.certificate_id), approved.body);
      const issued = await assertStatus(draft.id, 'issued', 'after approval');
      assert.equal(issued.certificate_id, decision.certificate_id);

      const certificate = await api.certificate('contact', decision.certificate_id);
      assert.equal(certificate.id, decision.certificate_id);
      assert.equal(certificate.common_name, cn);
      assert.deepEqual([...certificate.sans].sort(), [cn, 'www.shop.voorbeeld.nl'].sort());
      assert.equal(certificate.status, 'valid');
      assert.deepEqual(certificate.manager, { id: ids.manager, name: 'Pieter Bakker' });
      assert.deepEqual(certificate.requested_by, { id: ids.contact, name: 'Sanne Jansen' });
      assert.equal(certificate.not_after, order.not_after, 'certificate ends at another time than the order said');
      assert.match(certificate.pem ?? '', /^-----BEGIN CERTIFICATE-----/);

      const verified = await verifyServerCertificate(portal.demo, certificate.pem);
      assert.ok(verified.ok, `openssl verify failed: ${verified.output}`);
      assert.equal(await publicKeyOf('x509', certificate.pem), await publicKeyOf('req', csr.csrPem), 'the certificate has another key than the CSR');
      assert.deepEqual(certificateDnsNames(certificate.pem).sort(), (await csrDnsNames(csr.csrPem)).sort());
      const x509 = new X509Certificate(certificate.pem);
      assert.equal(Date.parse(x509.validTo), Date.parse(order.not_after), `notAfter ${x509.validTo} vs order ${order.not_after}`);
      assert.match(x509.subject, /^O=Voorbeeld B\.V\.$/m, x509.subject);
      assert.match(x509.subject, new RegExp(`^CN=${cn.replace(/\./g, '\\.')}$`, 'm'), x509.subject);

      const list = await api.certificates('contact', ids.voorbeeld);
      const listed = list.find((item) => item.id === decision.certificate_id);
      assert.ok(listed, 'the issued certificate is not in the organisation\'s list');
      assert.equal(listed.common_name, cn);
      assert.equal(listed.status, 'valid');

      const orders = await api.getJson('contact', `/api/v1/organisations/${ids.voorbeeld}/orders`);
      const mine = orders.items.find((item) => item.id === draft.id);
      assert.ok(mine, 'the order is not in the organisation\'s orders');
      assert.equal(mine.status, 'issued');
    });
  });

  describe('renewal', () => {
    test('a renewal of an expiring certificate ends at the old end plus the full term, and keeps the manager', T, async () => {
      const list = await api.certificates('contact', ids.voorbeeld);
      const old = list.find((item) => item.status === 'expiring');
      assert.ok(old, 'the demo has no expiring certificate');
      const csr = await makeCsr({ cn: old.common_name, sans: old.sans });
      const t0 = Date.now();
      const response = await api.createOrder('contact', { type: 'server-renew', certificate_id: old.id, csr: csr.csrPem });
      const t1 = Date.now();
      assert.equal(response.status, 201, response.toString());
      const draft = response.json();
      assert.equal(draft.type, 'server-renew');
      assert.equal(draft.status, 'draft');
      const start = Date.parse(draft.not_before);
      assert.ok(start >= Math.floor(t0 / 1000) * 1000 - 2000 && start <= t1 + 2000, `a renewal starts now, not at ${draft.not_before}`);
      assert.equal(draft.not_after, new Date(Date.parse(old.not_after) + TERM_DAYS * DAY_MS).toISOString().replace(/\.000Z$/, 'Z'),
        `renewal of a certificate ending ${old.not_after} (cap ${draft.cap})`);
      assert.equal(draft.cap, 'none');
      const overlapDays = (Date.parse(old.not_after) - start) / DAY_MS;
      assert.ok(Number.isInteger(draft.overlap_days), `overlap_days: ${response.body}`);
      assert.ok(draft.overlap_days >= Math.floor(overlapDays) && draft.overlap_days <= Math.ceil(overlapDays),
        `overlap_days ${draft.overlap_days}, expected about ${overlapDays.toFixed(2)}`);

      const order = await api.order('contact', draft.id);
      assert.equal(order.renewal_of, old.id);
      assert.equal(order.common_name, old.common_name);
      assert.match(await api.document('contact', draft.id), new RegExp(`^Vervangt certificaat: ${old.id}$`, 'm'));

      await api.submit('contact', draft.id);
      const { certificate_id: newId } = await api.approveOk(draft.id);
      const renewed = await api.certificate('contact', newId);
      assert.equal(renewed.not_after, draft.not_after);
      assert.deepEqual(renewed.manager, old.manager, 'the manager was not carried over');
      assert.deepEqual(renewed.requested_by, { id: ids.contact, name: 'Sanne Jansen' });
      assert.equal(await publicKeyOf('x509', renewed.pem), await publicKeyOf('req', csr.csrPem));
      assert.notEqual(newId, old.id);
    });

    test('a CSR with the key of the user\'s own login certificate is refused (new and renewal)', T, async () => {
      const loginKey = userFiles(portal.demo, 'contact').keyPath;
      const csr = await makeCsr({ cn: 'login-key.voorbeeld.nl', key: loginKey });
      const before = await api.getJson('contact', `/api/v1/organisations/${ids.voorbeeld}/orders`);
      const fresh = await api.createOrder('contact', {
        type: 'server-new', organisation_id: ids.voorbeeld, csr: csr.csrPem, manager: { id: ids.manager },
      });
      assertProblem(fresh, 400, 'csr', message('csr.key.same_as_login'));
      const old = (await api.certificates('contact', ids.voorbeeld)).find((item) => item.status === 'valid');
      const renewal = await api.createOrder('contact', { type: 'server-renew', certificate_id: old.id, csr: csr.csrPem });
      assertProblem(renewal, 400, 'csr', message('csr.key.same_as_login'));
      const afterwards = await api.getJson('contact', `/api/v1/organisations/${ids.voorbeeld}/orders`);
      assert.equal(afterwards.items.length, before.items.length, 'a refused CSR created an order');
    });

    test('another organisation cannot renew Voorbeeld\'s certificate (404)', T, async () => {
      const old = (await api.certificates('contact', ids.voorbeeld)).find((item) => item.status === 'expiring');
      const csr = await makeCsr({ cn: old.common_name, sans: old.sans });
      const response = await api.createOrder('other', { type: 'server-renew', certificate_id: old.id, csr: csr.csrPem });
      assertProblem(response, 404);
    });
  });

  describe('names outside the validated domains', () => {
    test('put the order on hold until the Servicedesk validates the domain', T, async () => {
      const { order } = await api.newOrder({ cn: 'www.nieuw-domein-example.nl' });
      assert.deepEqual(order.unvalidated_names, ['www.nieuw-domein-example.nl']);
      await api.submit('contact', order.id, 'on_hold');
      await assertStatus(order.id, 'on_hold');
      assert.equal(assertProblem(await api.approve(order.id), 409).detail,
        message('order.domains_not_validated').replace('{names}', 'www.nieuw-domein-example.nl'));
      await assertStatus(order.id, 'on_hold', 'after a refused approval');

      const validated = await api.postJson('servicedesk', `/api/v1/servicedesk/organisations/${ids.voorbeeld}/domains`,
        { domain: 'nieuw-domein-example.nl' });
      assert.equal(validated.status, 200, validated.toString());
      const organisation = await api.organisation('contact', ids.voorbeeld);
      assert.ok(organisation.validated_domains.includes('nieuw-domein-example.nl'), JSON.stringify(organisation.validated_domains));

      const issued = await api.approveOk(order.id);
      const certificate = await api.certificate('contact', issued.certificate_id);
      assert.deepEqual(certificate.sans, ['www.nieuw-domein-example.nl']);
    });

    test('an expired validation puts the order on hold at approval and issues nothing; a fresh one allows approval', T, async () => {
      const validate = (method) => api.postJson('servicedesk', `/api/v1/servicedesk/organisations/${ids.voorbeeld}/domains`,
        { domain: 'verloopt-example.nl', method });
      const first = await validate('dns');
      assert.equal(first.status, 200, first.toString());
      const cn = 'www.verloopt-example.nl';
      const { order } = await api.newOrder({ cn, sans: [cn, 'api.verloopt-example.nl'] });
      await api.submit('contact', order.id, 'submitted');
      // The validation ages past orders.domain_validation_days (397 by default) while the order waits.
      await demoSql(portal.demo,
        `UPDATE validated_domains SET validated_at = validated_at - ${398 * 86_400} WHERE domain = 'verloopt-example.nl'`);
      const certificatesBefore = await demoSql(portal.demo, 'SELECT COUNT(*) FROM certificates');

      const refused = assertProblem(await api.approve(order.id), 409);
      assert.equal(refused.detail,
        message('order.domains_not_validated').replace('{names}', `${cn}, api.verloopt-example.nl`));
      const held = await assertStatus(order.id, 'on_hold', 'after approval with an expired validation');
      assert.equal(held.certificate_id ?? null, null, 'no certificate recorded');
      assert.deepEqual(held.unvalidated_names, [cn, 'api.verloopt-example.nl']);
      assert.equal(await demoSql(portal.demo, 'SELECT COUNT(*) FROM certificates'), certificatesBefore, 'a certificate was issued');
      assert.equal(assertProblem(await api.approve(order.id), 409).detail, refused.detail, 'still on hold');

      const fresh = await validate('email');
      assert.equal(fresh.status, 200, fresh.toString());
      assert.equal(await demoSql(portal.demo, "SELECT method FROM validated_domains WHERE domain = 'verloopt-example.nl'"), 'email');
      const issued = await api.approveOk(order.id);
      const certificate = await api.certificate('contact', issued.certificate_id);
      assert.deepEqual(certificate.sans.toSorted(), ['api.verloopt-example.nl', cn]);
    });

    test('only the Servicedesk validates domains', T, async () => {
      const response = await api.postJson('contact', `/api/v1/servicedesk/organisations/${ids.voorbeeld}/domains`, { domain: 'zelf-gevalideerd.nl' });
      assertProblem(response, 403);
      const organisation = await api.organisation('contact', ids.voorbeeld);
      assert.ok(!organisation.validated_domains.includes('zelf-gevalideerd.nl'));
    });
  });

  describe('a proposed new certificate manager', () => {
    const proposed = { name: 'Kees Nieuwenhuis', email: 'k.nieuwenhuis@voorbeeld.nl', phone: '+31 30 123 45 77' };

    test('blocks approval until identified, and is a manager once the certificate is issued', T, async () => {
      const { order } = await api.newOrder({ cn: 'nieuwe-beheerder.voorbeeld.nl', manager: { new: proposed } });
      const document = await api.document('contact', order.id);
      assert.match(document, /^Certificaatbeheerder \(nieuw\): Kees Nieuwenhuis <k\.nieuwenhuis@voorbeeld\.nl>, \+31 30 123 45 77$/m);
      await api.submit('contact', order.id);
      assert.equal(assertProblem(await api.approve(order.id), 409).detail, message('order.manager_not_identified'));
      await assertStatus(order.id, 'submitted', 'after approval without an identified manager');

      const identified = await api.postJson('servicedesk', `/api/v1/servicedesk/orders/${order.id}/manager`,
        { given_name: 'Kees', surname: 'Nieuwenhuis', email: proposed.email, phone: proposed.phone });
      assert.equal(identified.status, 200, identified.toString());
      const { manager_id: managerId, id } = identified.json();
      assert.equal(id, order.id);
      assert.ok(Number.isInteger(managerId), identified.body);
      let organisation = await api.organisation('contact', ids.voorbeeld);
      assert.ok(!organisation.managers.some((m) => m.id === managerId),
        'the proposed manager is listed before the certificate is issued');

      const issued = await api.approveOk(order.id);
      organisation = await api.organisation('contact', ids.voorbeeld);
      const listed = organisation.managers.find((m) => m.id === managerId);
      assert.ok(listed, `the new manager is not listed: ${JSON.stringify(organisation.managers)}`);
      assert.equal(listed.name, 'Kees Nieuwenhuis');
      assert.equal(listed.email, proposed.email);
      const certificate = await api.certificate('contact', issued.certificate_id);
      assert.deepEqual(certificate.manager, { id: managerId, name: 'Kees Nieuwenhuis' });
    });

    test('a proposed manager with an invalid e-mail address is refused (field manager_email)', T, async () => {
      const csr = await makeCsr({ cn: 'slechte-mail.voorbeeld.nl' });
      const response = await api.createOrder('contact', {
        type: 'server-new', organisation_id: ids.voorbeeld, csr: csr.csrPem,
        manager: { new: { ...proposed, email: 'geen-e-mailadres' } },
      });
      const problem = assertProblem(response, 400, 'manager_email', message('validation.email'));
      assert.ok(!problem.errors.some((e) => e.field === 'csr'), 'the CSR was fine');
    });

    test('no manager at all, or a manager of another organisation, is refused (field manager)', T, async () => {
      const csr = await makeCsr({ cn: 'geen-beheerder.voorbeeld.nl' });
      const none = await api.createOrder('contact', { type: 'server-new', organisation_id: ids.voorbeeld, csr: csr.csrPem });
      assertProblem(none, 400, 'manager', message('order.manager_required'));
      // A person of another organisation, and a person of Voorbeeld who is not a manager.
      for (const person of [await api.personOf('other'), ids.contact, 999999]) {
        const response = await api.createOrder('contact', {
          type: 'server-new', organisation_id: ids.voorbeeld, csr: csr.csrPem, manager: { id: person },
        });
        assertProblem(response, 400, 'manager', message('order.manager_unknown'));
      }
    });
  });

  describe('refused signatures leave the order a draft', () => {
    let order;
    let document;
    let otherDocument;

    before(async () => {
      order = (await api.newOrder({ cn: 'handtekening.voorbeeld.nl' })).order;
      document = await api.document('contact', order.id);
      const other = (await api.newOrder({ cn: 'ander-formulier.voorbeeld.nl' })).order;
      otherDocument = await api.document('contact', other.id);
    }, { timeout: 60_000 });

    async function assertRefused(signature, key) {
      const response = await api.postSignature('contact', order.id, signature);
      assertProblem(response, 400, 'signature', message(key));
      assert.equal(response.json().errors[0].field, 'signature');
      await assertStatus(order.id, 'draft', `after a signature refused with ${key}`);
    }

    test('signed by another person of the same organisation: other_person', T, async () => {
      await assertRefused(await signDocument(portal.demo, 'representative', document), 'signature.other_person');
    });

    test('a modified copy of the document: document_mismatch', T, async () => {
      const tampered = document.replace(/^Certificaatbeheerder: .*$/m, 'Certificaatbeheerder: Mallory <m@evil.example>, 0612345678');
      assert.notEqual(tampered, document);
      await assertRefused(await signDocument(portal.demo, 'contact', tampered), 'signature.document_mismatch');
      const crlf = document.replace(/\n/g, '\r\n');
      await assertRefused(await signDocument(portal.demo, 'contact', crlf), 'signature.document_mismatch');
    });

    test('the signature of another order\'s document (replay): document_mismatch', T, async () => {
      await assertRefused(await signDocument(portal.demo, 'contact', otherDocument), 'signature.document_mismatch');
    });

    test('a signer whose certificate has expired: expired', T, async () => {
      await assertRefused(await signDocument(portal.demo, 'expired', document), 'signature.expired');
    });

    test('a signer whose certificate is revoked: revoked', T, async () => {
      await assertRefused(await signDocument(portal.demo, 'revoked', document), 'signature.revoked');
    });

    test('a signer from an unrelated CA: untrusted', T, async () => {
      await assertRefused(await signDocument(portal.demo, 'foreign', document), 'signature.untrusted');
    });

    test('garbage bytes: unreadable', T, async () => {
      await assertRefused(randomBytes(512), 'signature.unreadable');
      await assertRefused(Buffer.from('dit is geen handtekening'), 'signature.unreadable');
    });

    test('a signature without the signer certificate: no_certificate', T, async () => {
      await assertRefused(await signDocument(portal.demo, 'contact', document, { extra: ['-nocerts'] }), 'signature.no_certificate');
    });

    test('a SHA-1 signature: weak_algorithm', T, async () => {
      await assertRefused(await signDocument(portal.demo, 'contact', document, { md: 'sha1' }), 'signature.weak_algorithm');
    });

    test('more than 64 KiB is refused as too large', T, async () => {
      const response = await api.postSignature('contact', order.id, randomBytes(70 * 1024));
      if (response.status === 413) assertProblem(response, 413);
      else assertProblem(response, 400, 'signature', message('signature.too_large'));
      await assertStatus(order.id, 'draft');
    });

    test('another content type than application/pkcs7-signature is refused (415)', T, async () => {
      const signature = await signDocument(portal.demo, 'contact', document);
      const response = await api.postSignature('contact', order.id, signature, 'text/plain');
      assert.equal(response.status, 415, response.toString());
      await assertStatus(order.id, 'draft');
    });

    test('someone else of the organisation cannot sign the contact\'s order (403)', T, async () => {
      const signature = await signDocument(portal.demo, 'representative', document);
      const response = await api.postSignature('representative', order.id, signature);
      assertProblem(response, 403);
      await assertStatus(order.id, 'draft');
    });

    test('a PEM signature by the requester is accepted', T, async () => {
      const signature = await signDocument(portal.demo, 'contact', document, { outform: 'PEM' });
      assert.match(signature.toString('utf8'), /^-----BEGIN CMS-----/);
      const response = await api.postSignature('contact', order.id, signature);
      assert.equal(response.status, 200, response.toString());
      assert.deepEqual(response.json(), { id: order.id, status: 'submitted' });
      await assertStatus(order.id, 'submitted');
    });
  });

  describe('CSRs that are refused', () => {
    /** Posts CSR for a new order and asserts 400 with field csr and the text of KEY; no order is created. */
    async function assertCsrRefused(csrPem, key) {
      const before = await api.getJson('contact', `/api/v1/organisations/${ids.voorbeeld}/orders`);
      const response = await api.createOrder('contact', {
        type: 'server-new', organisation_id: ids.voorbeeld, csr: csrPem, manager: { id: ids.manager },
      });
      assertProblem(response, 400, 'csr', message(key));
      const afterwards = await api.getJson('contact', `/api/v1/organisations/${ids.voorbeeld}/orders`);
      assert.equal(afterwards.items.length, before.items.length, `a CSR refused with ${key} created an order`);
    }

    test('garbage: unreadable', T, async () => {
      await assertCsrRefused('dit is geen CSR', 'csr.unreadable');
      await assertCsrRefused('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n', 'csr.unreadable');
    });

    test('an empty CSR is refused on field csr', T, async () => {
      const response = await api.createOrder('contact', {
        type: 'server-new', organisation_id: ids.voorbeeld, csr: '', manager: { id: ids.manager },
      });
      assertProblem(response, 400, 'csr');
    });

    test('an IP address as subjectAltName: csr.sans.ip_address', T, async () => {
      const { csrPem } = await makeCsr({ cn: 'ip.voorbeeld.nl', sans: ['ip.voorbeeld.nl', 'IP:192.0.2.10'] });
      await assertCsrRefused(csrPem, 'csr.sans.ip_address');
    });

    test('a wildcard: csr.name.wildcard', T, async () => {
      const { csrPem } = await makeCsr({ cn: '*.voorbeeld.nl' });
      await assertCsrRefused(csrPem, 'csr.name.wildcard');
    });

    test('no subjectAltName: csr.sans.none', T, async () => {
      const { csrPem } = await makeCsr({ cn: 'zonder-san.voorbeeld.nl', sans: [] });
      await assertCsrRefused(csrPem, 'csr.sans.none');
    });

    test('a CN that is not among the SANs: csr.cn.not_in_sans', T, async () => {
      const { csrPem } = await makeCsr({ cn: 'cn.voorbeeld.nl', sans: ['ander.voorbeeld.nl'] });
      await assertCsrRefused(csrPem, 'csr.cn.not_in_sans');
    });

    test('an internal name: csr.name.internal', T, async () => {
      const { csrPem } = await makeCsr({ cn: 'server.local' });
      await assertCsrRefused(csrPem, 'csr.name.internal');
    });

    test('an underscore: csr.name.underscore', T, async () => {
      const { csrPem } = await makeCsr({ cn: 'mijn_server.voorbeeld.nl' });
      await assertCsrRefused(csrPem, 'csr.name.underscore');
    });

    test('a 1024-bit RSA key: csr.key.rsa_size', T, async () => {
      const { csrPem } = await makeCsr({ cn: 'klein.voorbeeld.nl', keyAlgorithm: 'rsa1024' });
      await assertCsrRefused(csrPem, 'csr.key.rsa_size');
    });

    test('a CSR changed after signing: csr.bad_signature', T, async () => {
      const { csrPath } = await makeCsr({ cn: 'gewijzigd.voorbeeld.nl' });
      const { stdout: der } = await openssl(['req', '-in', csrPath, '-outform', 'DER']);
      const at = der.indexOf(Buffer.from('Test'));
      assert.ok(at > 0, 'no O=Test in the CSR');
      const changed = Buffer.from(der);
      changed[at + 3] = 'x'.charCodeAt(0); // O=Tesx: the names are untouched, only the signature breaks
      const file = await tempPath('changed.der');
      await writeFile(file, changed);
      const { stdout: pem } = await openssl(['req', '-inform', 'DER', '-in', file, '-outform', 'PEM']);
      await assertCsrRefused(pem.toString('utf8'), 'csr.bad_signature');
    });

    test('more than 16 KiB: too large, with a clear message', T, async () => {
      const { csrPem } = await makeCsr({ cn: 'groot.voorbeeld.nl' });
      const padded = `${csrPem}\n${'A'.repeat(17 * 1024)}\n`;
      const response = await api.createOrder('contact', {
        type: 'server-new', organisation_id: ids.voorbeeld, csr: padded, manager: { id: ids.manager },
      });
      if (response.status === 413) {
        const problem = assertProblem(response, 413);
        assert.ok(problem.detail === message('csr.too_large') || problem.errors?.some((e) => e.message === message('csr.too_large')),
          `413 without the csr.too_large message: ${response.body}`);
      } else {
        assertProblem(response, 400, 'csr', message('csr.too_large'));
      }
    });

    // The three CSRs an outside corpus of bad CSRs got accepted (ADR 0024).
    test('two CSRs in one upload: csr.multiple_objects', T, async () => {
      const first = await makeCsr({ cn: 'een.voorbeeld.nl' });
      const second = await makeCsr({ cn: 'twee.voorbeeld.nl' });
      await assertCsrRefused(first.csrPem + second.csrPem, 'csr.multiple_objects');
    });

    test('a CSR self-signed with SHA-1: csr.weak_signature', T, async () => {
      const { keyPath } = await makeCsr({ cn: 'sha1.voorbeeld.nl' });
      const { stdout } = await openssl(['req', '-new', '-sha1', '-key', keyPath, '-subj', '/C=NL/O=Test/CN=sha1.voorbeeld.nl',
        '-addext', 'subjectAltName=DNS:sha1.voorbeeld.nl']);
      await assertCsrRefused(stdout.toString('utf8'), 'csr.weak_signature');
    });

    test('an xn-- label that is no valid punycode A-label: csr.name.idna', T, async () => {
      for (const name of ['xn--n3h.voorbeeld.nl', 'xn--a.voorbeeld.nl']) {
        const { csrPem } = await makeCsr({ cn: name });
        await assertCsrRefused(csrPem, 'csr.name.idna');
      }
      await api.newOrder({ cn: 'xn--bcher-kva.voorbeeld.nl' });
    });

    test('a P-384 key and an RSA 2048 key are accepted', T, async () => {
      for (const keyAlgorithm of ['ec384', 'rsa2048']) {
        const csr = await makeCsr({ cn: `${keyAlgorithm}.voorbeeld.nl`, keyAlgorithm });
        await api.newOrder({ csr });
      }
    });
  });

  describe('who may see and do what', () => {
    let order;

    before(async () => {
      order = (await api.newOrder({ cn: 'inzage.voorbeeld.nl' })).order;
    }, { timeout: 60_000 });

    test('another organisation gets 404 for the order, its document and its signature', T, async () => {
      assertProblem(await api.get('other', `/api/v1/orders/${order.id}`), 404);
      const documentResponse = await api.documentResponse('other', order.id);
      assert.equal(documentResponse.status, 404, documentResponse.toString());
      assert.ok(!documentResponse.body.includes('Nonce'), 'the document leaked');
      const signature = await signDocument(portal.demo, 'other', 'iets');
      assertProblem(await api.postSignature('other', order.id, signature), 404);
      assertProblem(await api.postJson('other', `/api/v1/orders/${order.id}/cancel`, {}), 404);
      assertProblem(await api.get('other', `/api/v1/organisations/${ids.voorbeeld}/orders`), 404);
      await assertStatus(order.id, 'draft');
    });

    test('a contact of two organisations orders for Andere; Voorbeeld\'s people cannot see that order', T, async () => {
      // "both" (Noor Visser) is a contact of Voorbeeld and of Andere Organisatie.
      portal.demo.users.both ??= { name: 'both', ...userFiles(portal.demo, 'both') };
      const andere = await api.organisation('other', ids.andere);
      assert.ok(andere.validated_domains.length, 'Andere has no validated domain');
      const proposal = { new: { name: 'Ans Andere', email: 'ans@andere-organisatie.nl', phone: '+31 20 123 45 67' } };
      const { order: foreign } = await api.newOrder({
        identity: 'both', organisationId: ids.andere, cn: `web.${andere.validated_domains[0]}`, manager: proposal,
      });
      assert.equal((await api.order('other', foreign.id)).organisation_id, ids.andere);
      assertProblem(await api.get('contact', `/api/v1/orders/${foreign.id}`), 404);
      assertProblem(await api.get('representative', `/api/v1/orders/${foreign.id}`), 404);
      const documentResponse = await api.documentResponse('contact', foreign.id);
      assert.equal(documentResponse.status, 404, documentResponse.toString());
      const orders = await api.getJson('contact', `/api/v1/organisations/${ids.voorbeeld}/orders`);
      assert.ok(!orders.items.some((item) => item.id === foreign.id), 'Andere\'s order is in Voorbeeld\'s list');
    });

    test('an unknown order is 404', T, async () => {
      assertProblem(await api.get('contact', '/api/v1/orders/999999'), 404);
    });

    test('another organisation cannot order for Voorbeeld (404)', T, async () => {
      const csr = await makeCsr({ cn: 'indringer.voorbeeld.nl' });
      const response = await api.createOrder('other', {
        type: 'server-new', organisation_id: ids.voorbeeld, csr: csr.csrPem, manager: { id: ids.manager },
      });
      assertProblem(response, 404);
    });

    test('the representative sees the order; the Servicedesk sees it too', T, async () => {
      assert.equal((await api.order('representative', order.id)).id, order.id);
      assert.equal((await api.order('servicedesk', order.id)).id, order.id);
      // The document is shown to whoever may see the order, on its page and in the API alike
      // (ADR 0013); only the requester can sign it.
      assert.equal(await api.document('representative', order.id), await api.document('contact', order.id));
      assertProblem(await api.signAndPost('representative', order.id, { signer: 'contact' }), 403);
    });

    test('persons who may not order are refused: manager 403, Servicedesk 403, professional 404, no certificate 401', T, async () => {
      const csr = await makeCsr({ cn: 'geweigerd.voorbeeld.nl' });
      const body = { type: 'server-new', organisation_id: ids.voorbeeld, csr: csr.csrPem, manager: { id: ids.manager } };
      const before = await api.getJson('contact', `/api/v1/organisations/${ids.voorbeeld}/orders`);
      assertProblem(await api.createOrder('manager', body), 403);
      // The Servicedesk sees every organisation but never orders in a customer's name.
      assertProblem(await api.createOrder('servicedesk', body), 403);
      // A professional holder has no role at Voorbeeld: to them it is an organisation they cannot see.
      assertProblem(await api.createOrder('professional', body), 404);
      assertProblem(await api.createOrder(null, body), 401);
      assertProblem(await api.get(null, `/api/v1/orders/${order.id}`), 401);
      const afterwards = await api.getJson('contact', `/api/v1/organisations/${ids.voorbeeld}/orders`);
      assert.equal(afterwards.items.length, before.items.length, 'a refused person created an order');
    });

    test('a JSON POST needs application/json (415) and the same origin (403)', T, async () => {
      const csr = await makeCsr({ cn: 'csrf.voorbeeld.nl' });
      const body = JSON.stringify({ type: 'server-new', organisation_id: ids.voorbeeld, csr: csr.csrPem, manager: { id: ids.manager } });
      const before = await api.getJson('contact', `/api/v1/organisations/${ids.voorbeeld}/orders`);
      const plain = await portal.client.request('contact', 'POST', '/api/v1/orders', { headers: { 'content-type': 'text/plain' }, body });
      assert.equal(plain.status, 415, plain.toString());
      const crossSite = await api.postJson('contact', '/api/v1/orders', body, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
      assert.equal(crossSite.status, 403, crossSite.toString());
      const afterwards = await api.getJson('contact', `/api/v1/organisations/${ids.voorbeeld}/orders`);
      assert.equal(afterwards.items.length, before.items.length);
    });

    test('an unknown order type is refused (field type)', T, async () => {
      const csr = await makeCsr({ cn: 'type.voorbeeld.nl' });
      const response = await api.createOrder('contact', {
        type: 'kaart', organisation_id: ids.voorbeeld, csr: csr.csrPem, manager: { id: ids.manager },
      });
      assertProblem(response, 400, 'type');
    });

    test('only the Servicedesk approves, rejects and sees the queue', T, async () => {
      const { order: submitted } = await api.submittedOrder({ cn: 'wachtrij.voorbeeld.nl' });
      assertProblem(await api.approve(submitted.id, 'contact'), 403);
      assertProblem(await api.approve(submitted.id, 'representative'), 403);
      assertProblem(await api.reject(submitted.id, 'nee', 'contact'), 403);
      assertProblem(await api.approve(submitted.id, 'other'), 403);
      assertProblem(await api.get('contact', '/api/v1/servicedesk/orders?status=submitted'), 403);
      await assertStatus(submitted.id, 'submitted');

      const queue = await api.getJson('servicedesk', `/api/v1/servicedesk/orders?status=submitted&organisation_id=${ids.voorbeeld}`);
      assert.ok(queue.items.some((item) => item.id === submitted.id), 'the submitted order is not in the queue');
      assert.ok(queue.items.every((item) => item.status === 'submitted' && item.organisation_id === ids.voorbeeld),
        'the queue filter does not hold');
      assert.ok(!queue.items.some((item) => item.id === order.id), 'a draft is in the submitted queue');
      const created = queue.items.map((item) => Date.parse(item.created_at));
      assert.deepEqual(created, [...created].sort((a, b) => a - b), 'the queue is not oldest first');
    });

    test('a rejection needs a reason; the reason is visible to the requester', T, async () => {
      const { order: submitted } = await api.submittedOrder({ cn: 'afwijzing.voorbeeld.nl' });
      assertProblem(await api.reject(submitted.id, ''), 400, 'reason', message('order.reason_required'));
      assertProblem(await api.reject(submitted.id, undefined), 400, 'reason');
      assertProblem(await api.reject(submitted.id, 'x'.repeat(2001)), 400, 'reason', message('order.reason_too_long'));
      await assertStatus(submitted.id, 'submitted');
      const reason = 'Het domein is niet van deze organisatie.';
      const rejected = await api.reject(submitted.id, reason);
      assert.equal(rejected.status, 200, rejected.toString());
      const body = rejected.json();
      assert.deepEqual({ id: body.id, status: body.status, reason: body.reason }, { id: submitted.id, status: 'rejected', reason });
      const seen = await assertStatus(submitted.id, 'rejected');
      assert.equal(seen.reason, reason);
      assertProblem(await api.approve(submitted.id), 409);
      assertProblem(await api.reject(submitted.id, 'nog eens'), 409);
      await assertStatus(submitted.id, 'rejected', 'after approving a rejected order');
    });

    test('the requester can cancel a draft once', T, async () => {
      const { order: draft } = await api.newOrder({ cn: 'annuleren.voorbeeld.nl' });
      const cancelled = await api.postJson('contact', `/api/v1/orders/${draft.id}/cancel`, {});
      assert.equal(cancelled.status, 200, cancelled.toString());
      const body = cancelled.json();
      assert.deepEqual({ id: body.id, status: body.status }, { id: draft.id, status: 'cancelled' });
      await assertStatus(draft.id, 'cancelled');
      assertProblem(await api.postJson('contact', `/api/v1/orders/${draft.id}/cancel`, {}), 409);
      const response = await api.signAndPost('contact', draft.id);
      assert.equal(assertProblem(response, 409).detail, message('order.not_draft'));
    });

    test('the organisation\'s orders are listed newest first', T, async () => {
      const list = await api.getJson('representative', `/api/v1/organisations/${ids.voorbeeld}/orders`);
      assert.ok(list.items.some((item) => item.id === order.id));
      const created = list.items.map((item) => Date.parse(item.created_at));
      assert.deepEqual(created, [...created].sort((a, b) => b - a), 'not newest first');
      assert.ok(list.items.every((item) => item.organisation_id === ids.voorbeeld));
    });
  });

  describe('concurrent approvals', () => {
    test('20 simultaneous approvals of one order: one 200, nineteen 409, one certificate', T, async () => {
      const cn = `race-${randomBytes(4).toString('hex')}.voorbeeld.nl`;
      const { order } = await api.submittedOrder({ cn });
      const responses = await Promise.all(Array.from({ length: 20 }, () => api.approve(order.id)));
      const statuses = responses.map((r) => r.status);
      assert.equal(statuses.filter((s) => s === 200).length, 1, `statuses: ${statuses.join(',')}`);
      assert.equal(statuses.filter((s) => s === 409).length, 19, `statuses: ${statuses.join(',')}`);
      // A loser that arrives while the winner is issuing may try the issuance retry: refused too.
      const allowed = [message('order.status_changed'), message('order.transition_not_allowed'),
        message('certificate.order_in_issuance'), message('order.not_approved')];
      for (const loser of responses.filter((r) => r.status === 409)) {
        assert.ok(allowed.includes(loser.json().detail), `a losing approval says: ${loser.body}`);
      }
      const winner = responses.find((r) => r.status === 200).json();
      const final = await assertStatus(order.id, 'issued');
      assert.equal(final.certificate_id, winner.certificate_id);
      const byName = (await api.certificates('contact', ids.voorbeeld, cn)).filter((item) => item.common_name === cn);
      assert.equal(byName.length, 1, `certificates for ${cn}: ${JSON.stringify(byName)}`);
      const all = (await api.certificates('contact', ids.voorbeeld)).filter((item) => item.common_name === cn);
      assert.equal(all.length, 1, 'the unfiltered list has another count');
      assert.equal(all[0].id, winner.certificate_id);
    });
  });
});
