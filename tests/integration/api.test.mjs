// GET /api/v1/me (API.md): who the certificate belongs to, and RFC 9457 problems for everyone else.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertMentionsNone, assertSecurityHeaders, foreignNames } from '../support/assertions.mjs';
import { withDemoServer } from '../support/integration.mjs';

const portal = withDemoServer();

async function me(identity) {
  const response = await portal.client.get(identity, '/api/v1/me', { headers: { accept: 'application/json' } });
  return response;
}

/** Asserts a 200 JSON /me response and returns its body. */
async function meOk(identity) {
  const response = await me(identity);
  assert.equal(response.status, 200, response.toString());
  assert.match(response.header('content-type'), /^application\/json/);
  const body = response.json();
  assert.ok(Number.isInteger(body.person?.id), `person.id is not an integer: ${response.body}`);
  for (const role of body.roles ?? []) {
    assert.ok(Number.isInteger(role.organisation_id), `organisation_id is not an integer: ${response.body}`);
  }
  return body;
}

/** BODY with the database ids replaced, to compare the rest exactly. */
function withoutIds(body) {
  return {
    ...body,
    person: { ...body.person, id: '<id>' },
    roles: body.roles.map((role) => ({ ...role, organisation_id: '<id>' })),
  };
}

describe('GET /api/v1/me for portal users', () => {
  test('contact: Sanne Jansen, contact of Voorbeeld B.V.', async () => {
    const body = await meOk('contact');
    assert.deepEqual(withoutIds(body), {
      person: { id: '<id>', name: 'Sanne Jansen' },
      roles: [{ organisation_id: '<id>', organisation_name: 'Voorbeeld B.V.', role: 'contact' }],
      professional: false,
      servicedesk: false,
    });
  });

  test('representative: Willem van Dijk, representative of the same organisation', async () => {
    const representative = await meOk('representative');
    const contact = await meOk('contact');
    assert.equal(representative.person.name, 'Willem van Dijk');
    assert.notEqual(representative.person.id, contact.person.id);
    assert.deepEqual(representative.roles.map(({ organisation_name, role }) => ({ organisation_name, role })), [
      { organisation_name: 'Voorbeeld B.V.', role: 'representative' },
    ]);
    assert.equal(representative.roles[0].organisation_id, contact.roles[0].organisation_id);
    assert.equal(representative.professional, false);
    assert.equal(representative.servicedesk, false);
  });

  test('other: Fatima El Amrani, contact of Andere Organisatie B.V. only', async () => {
    const other = await meOk('other');
    const contact = await meOk('contact');
    assert.equal(other.person.name, 'Fatima El Amrani');
    assert.deepEqual(other.roles.map(({ organisation_name, role }) => ({ organisation_name, role })), [
      { organisation_name: 'Andere Organisatie B.V.', role: 'contact' },
    ]);
    assert.notEqual(other.roles[0].organisation_id, contact.roles[0].organisation_id);
  });

  test('professional: Eva de Boer, professional holder without organisation roles', async () => {
    const body = await meOk('professional');
    assert.equal(body.person.name, 'Eva de Boer');
    assert.deepEqual(body.roles, []);
    assert.equal(body.professional, true);
    assert.equal(body.servicedesk, false);
  });

  test('servicedesk: servicedesk is true', async () => {
    const body = await meOk('servicedesk');
    assert.equal(body.servicedesk, true);
    assert.equal(body.professional, false);
  });

  test('the API response carries the security headers', async () => {
    assertSecurityHeaders(await me('contact'), 'GET /api/v1/me');
  });
});

/** Asserts an RFC 9457 problem response with STATUS. */
function assertProblem(response, status) {
  assert.equal(response.status, status, response.toString());
  assert.match(response.header('content-type') ?? '', /^application\/problem\+json/, `content-type: ${response.header('content-type')}`);
  const problem = response.json();
  assert.equal(problem.status, status, response.body);
  assert.equal(typeof problem.title, 'string', response.body);
  return problem;
}

describe('GET /api/v1/me is refused as application/problem+json', () => {
  test('without a client certificate: 401', async () => {
    const response = await me(null);
    assertProblem(response, 401);
    assertSecurityHeaders(response, 'GET /api/v1/me without certificate');
  });

  for (const identity of ['stranger', 'manager', 'expired', 'revoked', 'foreign']) {
    test(`${identity}: 403 without names of others`, async () => {
      const response = await me(identity);
      assertProblem(response, 403);
      assertMentionsNone(response.body, foreignNames(portal.demo, identity), `/api/v1/me for ${identity}`);
    });
  }

  test('an unknown API path answers 404 as a problem', async () => {
    const response = await portal.client.get('contact', '/api/v1/nope');
    assertProblem(response, 404);
  });
});
