// Text from a request reaches the log only escaped: a control character in a header a trusted
// proxy passes on (here a tab in X-Forwarded-For, which HTTP allows in a field value) is written
// as \x09, so nothing a client sends can break a log line or carry a terminal escape.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startDemoServer } from '../support/server.mjs';
import { PortalClient } from '../support/tls.mjs';

const PROXY = '127.0.0.2';
const portal = { server: null, client: null };

before(async () => {
  portal.server = await startDemoServer({
    serverKeys: { trusted_proxies: [PROXY] },
    edit: (config) => {
      assert.match(config, /^level = "info"$/m);
      return config.replace(/^level = "info"$/m, 'level = "debug"');
    },
  });
  portal.client = new PortalClient(portal.server);
}, { timeout: 60_000 });

after(async () => {
  portal.client?.close();
  await portal.server?.close();
}, { timeout: 30_000 });

test('a tab in a forwarded address is logged as \\x09, never as the byte itself', async () => {
  const marker = `evil-${Date.now()}`;
  const response = await portal.client.get(null, '/api/v1/me', {
    headers: { accept: 'application/json', 'X-Forwarded-For': `${marker}\tinjected=1` },
    tls: { localAddress: PROXY },
  });
  assert.equal(response.status, 401, response.toString());
  const deadline = Date.now() + 5000;
  let line;
  while (!(line = portal.server.logs().split('\n').find((l) => l.includes(marker)))) {
    if (Date.now() > deadline) assert.fail(`no log line names ${marker}:\n${portal.server.logs().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.ok(line.includes(`'${marker}\\x09injected=1'`), line);
  assert.ok(!line.includes('\t'), `a raw tab reached the log: ${JSON.stringify(line)}`);
});
