// Refused logins in the audit log (ADR 0022): nobody can fill it. A connection's certificate is
// judged once; per window one record per certificate and a few per client address, what is held
// back summarised in one record when the window ends; what a certificate says is stored bounded
// and escaped. The refusal page stays the same for every request.
// The server runs with a 5-second window, 3 records per address and a job round every second.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { demoSql } from '../support/database.mjs';
import { withDemoServer } from '../support/integration.mjs';
import { selfSignedCertificate } from '../support/login-certificates.mjs';
import { removeTempFiles } from '../support/orders.mjs';

const WINDOW_SECONDS = 5;
const PER_ADDRESS = 3;
const portal = withDemoServer({
  config: '[jobs]\ninterval_seconds = 1',
  // Into the existing [session] table: a second one is invalid TOML.
  edit: (text) => text.replace(/^\[session\]$/m,
    `[session]\nrefusal_audit_window_seconds = ${WINDOW_SECONDS}\nrefusal_audits_per_address = ${PER_ADDRESS}`),
});
after(removeTempFiles);

/** The details (parsed) of the audit records with ACTION, oldest first, that WHERE selects. */
async function records(action, where = '1 = 1') {
  const rows = await demoSql(portal.demo,
    `SELECT details FROM audit_log WHERE action = '${action}' AND ${where} ORDER BY sequence`);
  return rows === '' ? [] : rows.split('\n').map((row) => JSON.parse(row));
}

const ofCertificate = (certificate) => `details LIKE '%${certificate.fingerprint}%'`;

/** GET / with CERTIFICATE on a connection of its own, from FROM; the refusal page must come. */
async function refusedOnce(certificate, from = '127.0.0.1') {
  const response = await portal.client.get(null, '/', { tls: { cert: certificate.cert, key: certificate.key, localAddress: from } });
  assert.equal(response.status, 403, response.toString());
  return response;
}

/** Waits (bounded) until QUERY() returns a non-empty list, and returns it. */
async function eventually(query, what, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await query();
    if (found.length > 0) return found;
    if (Date.now() > deadline) assert.fail(`no ${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('refusals cannot fill the audit log', () => {
  test('200 requests with a self-signed certificate on one connection: one record, the same page each time', async () => {
    const certificate = await selfSignedCertificate('/C=NL/CN=Keep-Alive Knocker');
    const connection = await portal.client.connect(null, { cert: certificate.cert, key: certificate.key });
    let first;
    try {
      for (let i = 0; i < 200; i++) {
        await connection.write(`GET / HTTP/1.1\r\nHost: localhost:${portal.server.port}\r\n\r\n`);
        const response = await connection.readResponse(5000);
        assert.ok(response, `no answer to request ${i + 1}`);
        assert.equal(response.status, 403, response.toString());
        first ??= response.body;
        assert.equal(response.body, first, `request ${i + 1} got another page`);
        connection.received = Buffer.alloc(0); // the next response starts afresh
      }
    } finally {
      connection.destroy();
    }
    assert.match(first, /Dit certificaat wordt niet herkend/);
    const written = await records('login.refused', ofCertificate(certificate));
    assert.equal(written.length, 1, JSON.stringify(written));
    assert.equal(written[0].reason, 'untrusted');
  });

  test('many connections with one refused certificate: one record, then one summary counting the rest', async () => {
    const certificate = await selfSignedCertificate('/C=NL/CN=Many Connections');
    for (let i = 0; i < 12; i++) await refusedOnce(certificate, '127.0.0.2');
    assert.equal((await records('login.refused', ofCertificate(certificate))).length, 1);
    const [summary, ...more] = await eventually(
      () => records('login.refused.summary', ofCertificate(certificate)), 'summary of the certificate');
    assert.deepEqual(more, []);
    assert.equal(summary.scope, 'certificate');
    assert.equal(summary.refusals, 11, JSON.stringify(summary));
    assert.equal(summary.reason, 'untrusted');
    assert.match(summary.text, /^11 further refusals of this certificate in the 5 seconds after it/);
    assert.match(summary.subject, /Many Connections/);
  });

  test(`new certificates from one address: ${PER_ADDRESS} records, the rest summarised for the address`, async () => {
    const from = '127.0.0.3';
    const certificates = [];
    // Made first, so that all refusals fall into one window.
    for (let i = 0; i < PER_ADDRESS + 4; i++) certificates.push(await selfSignedCertificate(`/C=NL/CN=Fresh Certificate ${i}`));
    for (const certificate of certificates) {
      const page = await refusedOnce(certificate, from);
      assert.match(page.body, /Dit certificaat wordt niet herkend/, 'every refusal gets its page');
    }
    const recorded = await records('login.refused', `details LIKE '%"address":"${from}"%'`);
    assert.equal(recorded.length, PER_ADDRESS, JSON.stringify(recorded));
    const [summary] = await eventually(
      () => records('login.refused.summary', `details LIKE '%"address":"${from}"%'`), 'summary of the address');
    assert.equal(summary.scope, 'address');
    assert.equal(summary.refusals, 4, JSON.stringify(summary));
    assert.match(summary.text, /^4 further refusals from this address/);
  });

  test('an overlong subject with control characters is stored cut and escaped', async () => {
    // C1 control (CSI), a bidi override, an escape sequence, and far more text than a name needs.
    const hostile = 'Evil\u009B31m\u202Eer\u001B[2J';
    const units = Array.from({ length: 30 }, (_, i) => `/OU=${String(i).padStart(2, '0')}${'x'.repeat(58)}`).join('');
    // RFC 2253 names the last attribute first: the CN leads, the units run over the bound.
    const certificate = await selfSignedCertificate(`/C=NL${units}/CN=${hostile}`);
    await refusedOnce(certificate, '127.0.0.4');
    const [record] = await records('login.refused', ofCertificate(certificate));
    assert.ok(record, 'the refusal was not recorded');
    for (const field of ['subject', 'issuer']) {
      const text = record[field];
      assert.ok(Buffer.byteLength(text) <= 512, `${field} stored with ${Buffer.byteLength(text)} bytes`);
      assert.ok(text.endsWith('…'), `${field} is not marked as cut: ${text.slice(-20)}`);
      assert.doesNotMatch(text, /[\u0000-\u001F\u007F-\u009F\u202A-\u202E]/, `${field} holds a control character`);
      assert.match(text, /Evil\\u009B31m\\u202Eer/, `${field}: ${text.slice(0, 80)}`);
    }
  });
});
