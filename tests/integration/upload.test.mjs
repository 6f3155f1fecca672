// File uploads (multipart/form-data): the Servicedesk registers a person's certificate by
// uploading the file (DER), after which that certificate logs in as that person. A multipart
// form without the CSRF token changes nothing.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import { SESSION_COOKIE, assertSessionCookie } from '../support/assertions.mjs';
import { withDemoServer } from '../support/integration.mjs';
import { csrfTokenFrom } from '../support/tls.mjs';

const run = promisify(execFile);
const BOUNDARY = '----mijncert-test-boundary';

function multipart(fields, files) {
  const parts = [];
  for (const [name, value] of Object.entries(fields))
    parts.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  for (const [name, { filename, content }] of Object.entries(files)) {
    parts.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\n` +
      'Content-Type: application/pkix-cert\r\n\r\n'));
    parts.push(content, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(parts);
}

describe('certificate upload by the Servicedesk', () => {
  const portal = withDemoServer();

  async function officerSession() {
    const response = await portal.client.get('servicedesk', '/servicedesk');
    assert.equal(response.status, 200);
    return { cookie: assertSessionCookie(response, 'servicedesk'), csrf: csrfTokenFrom(response.body) };
  }

  async function contactId() {
    const me = JSON.parse((await portal.client.get('contact', '/api/v1/me')).body);
    return me.person.id;
  }

  async function upload(session, personId, csrf) {
    const { stdout: der } = await run('openssl', ['x509', '-in', portal.demo.users.stranger.certPath, '-outform', 'DER'],
      { encoding: 'buffer' });
    const fields = { certificate: '' };
    if (csrf) fields.csrf_token = csrf;
    return portal.client.request('servicedesk', 'POST', `/servicedesk/personen/${personId}/certificaten`, {
      cookies: { [SESSION_COOKIE]: session.cookie },
      headers: { origin: portal.server.origin, 'sec-fetch-site': 'same-origin',
        'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
      body: multipart(fields, { certificate_file: { filename: 'stranger.der', content: der } }),
    });
  }

  test('without the CSRF token nothing is registered', { timeout: 60_000 }, async () => {
    const session = await officerSession();
    const response = await upload(session, await contactId(), null);
    assert.equal(response.status, 403);
    assert.equal((await portal.client.get('stranger', '/')).status, 403);
  });

  test('an uploaded DER certificate logs in as the person it was registered for', { timeout: 60_000 }, async () => {
    assert.equal((await portal.client.get('stranger', '/')).status, 403, 'unknown before');
    const session = await officerSession();
    const response = await upload(session, await contactId(), session.csrf);
    assert.equal(response.status, 303, response.toString());
    const after = await portal.client.get('stranger', '/');
    assert.equal(after.status, 200, after.toString());
    assert.match(after.body, /Welkom, Sanne Jansen/);
  });
});
