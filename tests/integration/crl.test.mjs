// GET /crl/<ca>.crl: each issuing CA's current CRL as DER (application/pkix-crl), public (no
// client certificate), listing the revoked demo person's login certificate; unknown names 404.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { withDemoServer } from '../support/integration.mjs';

const portal = withDemoServer();

/** GET PATH without a client certificate; the body as bytes (a DER CRL is not text). */
async function getBytes(pathname) {
  const { status, headers, bytes } = await portal.client.get(null, pathname);
  return { status, headers, body: bytes };
}

/** The serial of a PEM certificate as openssl prints it (upper-case hex). */
function serialOf(certPath) {
  return execFileSync('openssl', ['x509', '-noout', '-serial', '-in', certPath])
    .toString().trim().replace(/^serial=/, '');
}

describe('CRL distribution', () => {
  test('the persons CA CRL is served as DER without a client certificate', async () => {
    const response = await getBytes('/crl/persons-ca.crl');
    assert.equal(response.status, 200);
    assert.equal(response.headers['content-type'], 'application/pkix-crl');
    const file = path.join(portal.demo.dir, 'served-persons-ca.crl');
    writeFileSync(file, response.body);
    const text = execFileSync('openssl', ['crl', '-inform', 'DER', '-noout', '-text', '-in', file])
      .toString();
    assert.match(text, /Issuer: .*TSP Persoon CA/);
    const revoked = serialOf(portal.demo.users.revoked.certPath);
    assert.ok(text.includes(revoked), `serial ${revoked} not on the CRL:\n${text}`);
    const contact = serialOf(portal.demo.users.contact.certPath);
    assert.ok(!text.includes(contact), 'a valid login certificate is listed');
  });

  test('the served CRL is the one the login check reads', async () => {
    const response = await getBytes('/crl/tls-ca.crl');
    assert.equal(response.status, 200);
    const onDisk = execFileSync('openssl', ['crl', '-outform', 'DER', '-in',
      path.join(portal.demo.dir, 'pki', 'crl', 'tls-ca.crl')]);
    assert.deepEqual(response.body, onDisk);
    assert.ok(readFileSync(portal.demo.config, 'utf8').includes('/crl/tls-ca.crl'));
  });

  for (const name of ['/crl/root-ca.crl', '/crl/unknown.crl', '/crl/persons-ca', '/crl/persons-ca.pem',
    '/crl/..%2Fpersons-ca.crl']) {
    test(`${name} is not found`, async () => {
      const response = await getBytes(name);
      assert.equal(response.status, 404, `${name}: ${response.body.toString()}`);
    });
  }
});
