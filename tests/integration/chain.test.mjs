// The chain download of a server certificate: the certificate, its issuing CA, the intermediate
// and the root, which `openssl verify` accepts for TLS servers; and nothing for other organisations.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { withDemoServer } from '../support/integration.mjs';

const run = promisify(execFile);
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

describe('certificate chain download', () => {
  const portal = withDemoServer();
  let work = null;
  after(async () => work && rm(work, { recursive: true, force: true }));

  async function firstValidCertificate() {
    const me = JSON.parse((await portal.client.get('contact', '/api/v1/me')).body);
    const organisation = me.roles[0].organisation_id;
    const list = JSON.parse(
      (await portal.client.get('contact', `/api/v1/organisations/${organisation}/server-certificates?limit=1000`)).body,
    );
    const valid = list.items.find((item) => item.status === 'valid');
    assert.ok(valid, 'the demo has a valid server certificate');
    return valid.id;
  }

  test('holds the certificate and the whole chain, and verifies for TLS servers', { timeout: 60_000 }, async () => {
    const id = await firstValidCertificate();
    const response = await portal.client.get('contact', `/servercertificaten/${id}/keten.pem`);
    assert.equal(response.status, 200, response.toString());
    assert.match(response.headers['content-disposition'], /attachment; filename="servercertificaat-\d+-keten\.pem"/);
    const blocks = response.body.match(PEM_BLOCK);
    assert.equal(blocks.length, 4, 'leaf, issuing CA, intermediate, root');

    work = await mkdtemp(path.join(os.tmpdir(), 'mijncert-chain-'));
    const [leaf, issuing, intermediate, root] = blocks.map((block) => `${block}\n`);
    await writeFile(path.join(work, 'leaf.pem'), leaf);
    await writeFile(path.join(work, 'untrusted.pem'), issuing + intermediate);
    await writeFile(path.join(work, 'root.pem'), root);
    const { stdout } = await run('openssl', ['verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile',
      path.join(work, 'root.pem'), '-untrusted', path.join(work, 'untrusted.pem'), path.join(work, 'leaf.pem')]);
    assert.match(stdout, /leaf\.pem: OK/);
    // The root in the download is the demo's root, not something else that happens to verify.
    const { stdout: subject } = await run('openssl', ['x509', '-noout', '-subject', '-in', path.join(work, 'root.pem')]);
    assert.match(subject, /Root CA - G4/);
  });

  test('is not found for another organisation', { timeout: 60_000 }, async () => {
    const id = await firstValidCertificate();
    const response = await portal.client.get('other', `/servercertificaten/${id}/keten.pem`);
    assert.equal(response.status, 404);
    assert.doesNotMatch(response.body, /BEGIN CERTIFICATE/);
  });
});
