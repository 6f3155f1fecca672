// Graceful shutdown on SIGTERM: a request in progress is finished, new connections are refused,
// and the process exits with code 0 within a few seconds.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { startDemoServer } from '../support/server.mjs';
import { PortalClient } from '../support/tls.mjs';

const EXIT_WITHIN_MS = 5000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let server = null;
let client = null;

async function start() {
  server = await startDemoServer();
  client = new PortalClient(server);
}

afterEach(async () => {
  client?.close();
  await server?.close();
  server = client = null;
}, { timeout: 30_000 });

test('SIGTERM on an idle server: exit code 0 within a few seconds', { timeout: 60_000 }, async () => {
  await start();
  server.child.kill('SIGTERM');
  const status = await server.waitForExit(EXIT_WITHIN_MS);
  assert.ok(status, `the server did not exit within ${EXIT_WITHIN_MS} ms after SIGTERM:\n${server.logs()}`);
  assert.deepEqual(status, { code: 0, signal: null }, server.logs());
});

test('SIGTERM during a request: the request is answered, new connections refused, exit 0', { timeout: 60_000 }, async () => {
  await start();
  const body = 'csrf_token=abcdefghi'; // 20 bytes
  assert.equal(Buffer.byteLength(body), 20);
  const connection = await client.connect('contact');
  try {
    await connection.write(
      `POST /uitloggen HTTP/1.1\r\nHost: localhost:${server.port}\r\n` +
      'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 20\r\nConnection: close\r\n\r\n',
    );
    await sleep(300); // the server has read the header and waits for the body
    server.child.kill('SIGTERM');
    await sleep(500);
    assert.ok(server.running, `the server exited before the request was finished: ${JSON.stringify(server.exitStatus)}\n${server.logs()}`);

    await assert.rejects(
      client.get('contact', '/healthz', { timeoutMs: 3000 }),
      (error) => ['ECONNREFUSED', 'ECONNRESET', 'EPIPE'].includes(error.code) || /socket hang up|no response in time/i.test(error.message),
      'a new connection was accepted after SIGTERM',
    );

    const writeError = await connection.write(body);
    assert.equal(writeError, null, `the body could not be sent: ${writeError}`);
    const response = await connection.readResponse(5000);
    assert.ok(response, `no response to the request in progress (closed: ${connection.closed}, error: ${connection.error})`);
    assert.ok(response.status >= 200 && response.status < 500, `status ${response.status}`);
  } finally {
    connection.destroy();
  }
  const status = await server.waitForExit(EXIT_WITHIN_MS);
  assert.ok(status, `the server did not exit within ${EXIT_WITHIN_MS} ms after the last response:\n${server.logs()}`);
  assert.deepEqual(status, { code: 0, signal: null }, server.logs());
});
