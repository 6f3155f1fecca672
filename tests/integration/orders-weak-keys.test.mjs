// Known bad keys at ordering and at issuance (ADR 0024): the operator fills the Debian weak-key
// list with `mijncert keys import-weak` before the portal starts; a CSR for a real Debian weak key
// (tests/fixtures/debian-weak-keys) is refused with its own message, and a key the Servicedesk
// blocks after the order was made is refused again when the CA would sign it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { binaryPath, createDemo, removeDemo, repoRoot, startServer } from '../support/server.mjs';
import { PortalClient } from '../support/tls.mjs';
import {
  assertProblem, makeCsr, message, openssl, orderApi, pageApi, removeTempFiles, tempPath,
} from '../support/orders.mjs';

const run = promisify(execFile);
const T = { timeout: 120_000 };
const FIXTURES = path.join(repoRoot, 'tests', 'fixtures', 'debian-weak-keys');

describe('Debian weak keys and blocked keys, at ordering and at issuance', () => {
  const portal = { server: null, client: null, demo: null };
  const api = orderApi(portal);
  const pages = pageApi(portal);
  const ids = {};
  const imports = [];

  /** `mijncert keys import-weak FILE` on the demo's configuration; returns its output. */
  async function importWeak(file) {
    const { stdout } = await run(binaryPath, ['keys', 'import-weak', file, '--config', portal.demo.config],
      { timeout: 30_000 });
    return stdout;
  }

  before(async () => {
    portal.demo = await createDemo();
    try {
      // Key 0 as its PEM private key, key 10 as the modulus line `openssl rsa -modulus` prints.
      imports.push(await importWeak(path.join(FIXTURES, '0.key')));
      const { stdout: modulus } = await openssl(['rsa', '-in', path.join(FIXTURES, '10.key'), '-noout', '-modulus']);
      const moduli = await tempPath('moduli.txt');
      await writeFile(moduli, modulus);
      imports.push(await importWeak(moduli));
      imports.push(await importWeak(path.join(FIXTURES, '0.key')));
      portal.server = await startServer(portal.demo);
    } catch (error) {
      await removeDemo(portal.demo);
      throw error;
    }
    portal.client = new PortalClient(portal.server);
    ids.voorbeeld = await api.organisationOf('contact');
    const organisation = await api.organisation('contact', ids.voorbeeld);
    ids.manager = organisation.managers[0].id;
  }, { timeout: 120_000 });
  after(async () => {
    portal.client?.close();
    await portal.server?.stop();
    if (portal.demo && !process.env.MIJNCERT_KEEP_DEMO) await removeDemo(portal.demo);
    await removeTempFiles();
  }, { timeout: 30_000 });

  /** Creates a server-new order for CSR as the contact (the raw response). */
  function order(csrPem) {
    return api.createOrder('contact', {
      type: 'server-new', organisation_id: ids.voorbeeld, csr: csrPem, manager: { id: ids.manager },
    });
  }

  test('keys import-weak adds new keys and skips one listed already', T, async () => {
    assert.match(imports[0], /^added 1 key\(s\) to .*debian-weak-keys\.txt; 0 listed already; 1 in all$/m);
    assert.match(imports[1], /^added 1 key\(s\) .*; 0 listed already; 2 in all$/m);
    assert.match(imports[2], /^added 0 key\(s\) .*; 1 listed already; 2 in all$/m);
  });

  test('a CSR for a real Debian weak key is refused: csr.weak_key.debian', T, async () => {
    for (const name of ['0', '10']) {
      const csr = await makeCsr({ cn: `zwak-${name}.voorbeeld.nl`, key: path.join(FIXTURES, `${name}.key`) });
      assertProblem(await order(csr.csrPem), 400, 'csr', message('csr.weak_key.debian'));
    }
    // Key 1 is not on this portal's list: the refusal comes from the list, not from the key.
    const unlisted = await makeCsr({ cn: 'niet-op-de-lijst.voorbeeld.nl', key: path.join(FIXTURES, '1.key') });
    assert.equal((await order(unlisted.csrPem)).status, 201);
  });

  test('a key blocked after ordering is refused when the Servicedesk approves; nothing is issued', T, async () => {
    const { order: created, csr } = await api.submittedOrder({ cn: 'later-geblokkeerd.voorbeeld.nl' });
    const officer = await pages.login('servicedesk', '/servicedesk');
    const blocked = await pages.post(officer, '/servicedesk/sleutelblokkades', { key: csr.csrPem, reason: 'Sleutel uitgelekt' });
    assert.equal(blocked.status, 303, blocked.toString());
    assertProblem(await api.approve(created.id), 400, 'csr', message('csr.weak_key.blocklisted'));
    const after = await api.order('contact', created.id);
    assert.notEqual(after.status, 'issued');
    assert.equal(after.certificate_id ?? null, null, 'a certificate was issued for a blocked key');
  });
});
