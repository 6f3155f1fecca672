// Security headers on every kind of response, static files without path traversal, request size
// limits, and no secrets in the request log.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertSecurityHeaders, assertSessionCookie, SESSION_COOKIE } from '../support/assertions.mjs';
import { withDemoServer } from '../support/integration.mjs';
import { csrfTokenFrom } from '../support/tls.mjs';

const portal = withDemoServer();

describe('security headers on every response', () => {
  const cases = [
    { what: 'dashboard (200)', identity: 'contact', path: '/', status: 200 },
    { what: 'servicedesk redirect (303)', identity: 'servicedesk', path: '/', status: 303 },
    { what: 'login page (401)', identity: null, path: '/', status: 401 },
    { what: 'refusal page (403)', identity: 'stranger', path: '/', status: 403 },
    { what: 'unknown path (404)', identity: 'contact', path: '/nope', status: 404 },
    { what: 'unknown path without certificate', identity: null, path: '/nope', status: null },
    { what: 'stylesheet', identity: 'contact', path: '/static/mijncert.css', status: 200 },
    { what: 'health check', identity: null, path: '/healthz', status: 200 },
    { what: 'language switch (303)', identity: 'contact', path: '/taal?lang=en&terug=/', status: 303 },
  ];
  for (const { what, identity, path, status } of cases) {
    test(`${what}: GET ${path} as ${identity ?? 'nobody'}`, async () => {
      const response = await portal.client.get(identity, path);
      if (status !== null) assert.equal(response.status, status, response.toString());
      assertSecurityHeaders(response, `GET ${path}`);
    });
  }

  test('refused form (403) and too large body (413) carry them too', async () => {
    const refused = await portal.client.request('contact', 'POST', '/uitloggen', { form: { csrf_token: 'x' } });
    assert.equal(refused.status, 403, refused.toString());
    assertSecurityHeaders(refused, 'refused POST /uitloggen');
    const tooLarge = await oversizedPost();
    assert.equal(tooLarge?.status, 413, `got ${tooLarge}`);
    assertSecurityHeaders(tooLarge, 'POST with a 2 MiB body');
  });

  test('pages are not cached by shared caches', async () => {
    const response = await portal.client.get('contact', '/');
    const cacheControl = response.header('cache-control') ?? '';
    assert.match(cacheControl, /no-store|private/, `cache-control of a personal page: ${cacheControl}`);
  });
});

describe('paths', () => {
  test('GET /nope answers 404', async () => {
    const response = await portal.client.get('contact', '/nope');
    assert.equal(response.status, 404, response.toString());
  });

  test('/static/mijncert.css is served as text/css', async () => {
    const response = await portal.client.get('contact', '/static/mijncert.css');
    assert.equal(response.status, 200, response.toString());
    assert.match(response.header('content-type'), /^text\/css/);
    assert.ok(response.body.length > 0, 'empty stylesheet');
  });

  const traversals = [
    '/static/..%2Fmijncert.toml',
    '/static/..%2f..%2fCMakeLists.txt',
    '/static/%2e%2e/%2e%2e/CMakeLists.txt',
    '/static/..%5c..%5cCMakeLists.txt',
    '/static/%2Fetc%2Fpasswd',
    '/static/../../CMakeLists.txt',
    '/static/mijncert.css%00.txt',
  ];
  for (const path of traversals) {
    test(`no path traversal: ${path} is not found`, async () => {
      const response = await portal.client.get('contact', path);
      assert.ok([400, 404].includes(response.status), response.toString());
      if (path === '/static/..%2Fmijncert.toml') assert.equal(response.status, 404);
      assert.ok(!/root:x:0:0|cmake_minimum_required|\[server\]|listen\s*=/.test(response.body), 'served a file outside static/');
    });
  }
});

/**
 * Sends POST /uitloggen announcing a 2 MiB body (over max_body_bytes = 1 MiB) and returns the
 * response (null when the connection was closed without one). The body is only sent when the
 * server waits for it: a server may answer 413 from the header alone.
 */
async function oversizedPost() {
  const size = 2 * 1024 * 1024;
  const connection = await portal.client.connect('contact');
  try {
    await connection.write(
      `POST /uitloggen HTTP/1.1\r\nHost: localhost:${portal.server.port}\r\n` +
      `Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n`,
    );
    let response = await connection.readResponse(1500);
    if (!response && !connection.closed) {
      const chunk = Buffer.alloc(64 * 1024, 'a');
      for (let sent = 0; sent < size && !connection.closed; sent += chunk.length) {
        if (await connection.write(chunk)) break;
      }
      response = await connection.readResponse(5000);
    }
    return response;
  } finally {
    connection.destroy();
  }
}

describe('request limits', () => {
  test('a 2 MiB body is refused with 413', async () => {
    const response = await oversizedPost();
    assert.ok(response, 'the server closed the connection without a response');
    assert.equal(response.status, 413, response.toString());
  });

  test('a 64 KiB header is refused (431, or the connection is closed)', async () => {
    const connection = await portal.client.connect('contact');
    try {
      await connection.write(
        `GET / HTTP/1.1\r\nHost: localhost:${portal.server.port}\r\nX-Padding: ${'a'.repeat(64 * 1024)}\r\n` +
        'Connection: close\r\n\r\n',
      );
      const response = await connection.readResponse(5000);
      if (response) {
        assert.equal(response.status, 431, response.toString());
        assertSecurityHeaders(response, '64 KiB header');
      } else {
        assert.ok(connection.closed || connection.error, 'no response and the connection is still open');
      }
    } finally {
      connection.destroy();
    }
  });

  test('the server still works after the refused requests', async () => {
    const response = await portal.client.get('contact', '/');
    assert.equal(response.status, 200, response.toString());
  });
});

describe('request log', () => {
  test('has a line for a request, without session ids or csrf tokens', async () => {
    const page = await portal.client.get('contact', '/nope-logged');
    assert.equal(page.status, 404);
    const login = await portal.client.get('contact', '/');
    const cookie = assertSessionCookie(login);
    const csrf = csrfTokenFrom(login.body);
    await portal.client.get('contact', '/', { cookies: { [SESSION_COOKIE]: cookie } });
    await portal.client.request('contact', 'POST', '/uitloggen', {
      cookies: { [SESSION_COOKIE]: cookie }, form: { csrf_token: csrf },
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const logs = portal.server.logs();
    assert.match(logs, /\/nope-logged/, 'the request is not in the log');
    assert.ok(!logs.includes(cookie), 'the log contains a session id');
    assert.ok(!csrf || !logs.includes(csrf), 'the log contains a csrf token');
  });
});
