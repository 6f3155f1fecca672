// TLS protocol versions: 1.2 and 1.3 with mutual TLS work, 1.1 and older are refused.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { assertContains } from '../support/assertions.mjs';
import { withDemoServer } from '../support/integration.mjs';
import { freePort } from '../support/server.mjs';
import { opensslHandshake } from '../support/tls.mjs';

const portal = withDemoServer();
const LEGACY = ['-cipher', 'DEFAULT:@SECLEVEL=0'];

describe('protocol versions (openssl s_client)', () => {
  test('control: TLS 1.2 handshake succeeds', async () => {
    const result = await opensslHandshake(portal.server.port, ['-tls1_2', ...LEGACY]);
    assert.ok(result.connected, result.output);
    assert.equal(result.protocol, 'TLSv1.2', result.output);
  });

  test('TLS 1.3 handshake succeeds', async () => {
    const result = await opensslHandshake(portal.server.port, ['-tls1_3']);
    assert.ok(result.connected, result.output);
    assert.equal(result.protocol, 'TLSv1.3', result.output);
  });

  test('control: this openssl client can speak TLS 1.1 to a server that allows it', async (t) => {
    // Without this control, a client that refuses TLS 1.1 by itself would make the next test pass.
    const port = await freePort();
    const server = spawn('openssl', [
      's_server', '-accept', `127.0.0.1:${port}`, '-cert', portal.demo.serverCert,
      '-key', portal.demo.serverKey, '-tls1_1', ...LEGACY, '-naccept', '1', '-quiet',
    ], { stdio: ['pipe', 'pipe', 'pipe'] });
    let serverOutput = '';
    server.stderr.on('data', (chunk) => (serverOutput += chunk));
    try {
      let result = null;
      for (let attempt = 0; attempt < 20 && !result?.connected; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        result = await opensslHandshake(port, ['-tls1_1', ...LEGACY], { timeoutMs: 3000 });
      }
      if (!result?.connected && /No such file|unable to load|Could not/i.test(serverOutput)) {
        t.skip(`openssl s_server could not start with the demo server key: ${serverOutput}`);
        return;
      }
      assert.ok(result?.connected, `${result?.output}\nserver: ${serverOutput}`);
      assert.equal(result.protocol, 'TLSv1.1');
    } finally {
      server.kill('SIGKILL');
    }
  });

  for (const version of ['-tls1_1', '-tls1']) {
    test(`${version.replace('-', '')} handshake is refused by the portal`, async () => {
      const result = await opensslHandshake(portal.server.port, [version, ...LEGACY]);
      assert.equal(result.connected, false, result.output);
      assert.notEqual(result.code, 0, result.output);
      assert.ok(!/no protocols available/i.test(result.output), `the client refused by itself: ${result.output}`);
    });
  }
});

describe('mutual TLS with each version (node)', () => {
  for (const [name, tlsOptions] of [
    ['TLS 1.2', { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' }],
    ['TLS 1.3', { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' }],
  ]) {
    test(`${name}: the contact person logs in`, async () => {
      const response = await portal.client.get('contact', '/', { tls: tlsOptions });
      assert.equal(response.status, 200, response.toString());
      assert.equal(response.tls.protocol, tlsOptions.maxVersion);
      assertContains(response.body, 'Welkom, Sanne Jansen', `${name} dashboard`);
    });

    test(`${name}: a stranger is still refused`, async () => {
      const response = await portal.client.get('stranger', '/', { tls: tlsOptions });
      assert.equal(response.status, 403, response.toString());
    });
  }
});
