// Several portal nodes on one PostgreSQL database (docs/architecture.md §Several nodes): two
// `mijncert serve` processes, each with its own copy of the demo's files, share sessions, mobile
// requests and order processing through the database; the background jobs run on exactly one of
// them and move to the other when it dies; a CRL published on one node reaches the other. Needs
// PostgreSQL: runs in the suite's PostgreSQL pass (MIJNCERT_TEST_DATABASE_URL), skipped on SQLite,
// where one node is the design.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFile, cp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { serverSql } from '../support/database.mjs';
import { withDemoServer } from '../support/integration.mjs';
import { mobileApi } from '../support/mobile.mjs';
import { message, orderApi, pageApi, removeTempFiles } from '../support/orders.mjs';
import { binaryPath, createDemo, dropDemoDatabase, startServer } from '../support/server.mjs';
import { SESSION_COOKIE } from '../support/assertions.mjs';
import { PortalClient } from '../support/tls.mjs';

const run = promisify(execFile);
const T = { timeout: 120_000 };
const onPostgresql = Boolean(process.env.MIJNCERT_TEST_DATABASE_URL);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The {server, client, demo} of one node, as the support helpers expect it. */
function nodePortal(server, demo, origin) {
  const shared = { port: server.port, origin, demo };
  return { server: shared, client: new PortalClient(shared), demo };
}

/** GET /healthz of NODE, asserting STATUS; returns the JSON. */
async function health(node, status = 200) {
  const response = await node.client.get(null, '/healthz', { headers: { accept: 'application/json' } });
  assert.equal(response.status, status, `healthz of ${node.server.port}: ${response.toString()}`);
  return response.json();
}

/** Polls CONDITION (async, truthy when met) every 200 ms for at most TIMEOUT_MS. */
async function eventually(condition, what, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await condition();
    if (last) return last;
    await sleep(200);
  }
  assert.fail(`not within ${timeoutMs} ms: ${what}`);
}

/** The CRL number of a CRL (DER or PEM Buffer), as openssl prints it. */
function crlNumber(crl) {
  const inform = crl.includes('-----BEGIN') ? 'PEM' : 'DER';
  return execFileSync('openssl', ['crl', '-inform', inform, '-noout', '-crlnumber'], { input: crl })
    .toString().trim().replace(/^crlNumber=/, '');
}

const needsPostgresql = { skip: !onPostgresql && 'needs PostgreSQL (MIJNCERT_TEST_DATABASE_URL)' };

describe('two portal nodes on one PostgreSQL database', needsPostgresql, () => {
  let demo;
  let demoB;
  let serverA;
  let serverB;
  let a;
  let b;

  before(async () => {
    demo = await createDemo();
    // Short rounds, so that take-over and CRL distribution show within seconds.
    await appendFile(demo.config, '\n[jobs]\ninterval_seconds = 1\n');
    // Node B has its own copy of the files (keys, CRL files, configuration), as on its own machine.
    demoB = { ...demo, dir: `${demo.dir}-b`, config: path.join(`${demo.dir}-b`, 'mijncert.toml') };
    await cp(demo.dir, demoB.dir, { recursive: true });
    serverA = await startServer(demo);
    // Behind a load balancer both nodes answer for one public origin.
    serverB = await startServer(demoB, { publicOrigin: serverA.origin });
    a = nodePortal(serverA, demo, serverA.origin);
    b = nodePortal(serverB, demo, serverA.origin);
  }, { timeout: 90_000 });

  after(async () => {
    a?.client.close();
    b?.client.close();
    await serverA?.stop();
    await serverB?.stop();
    await removeTempFiles();
    if (demo && !process.env.MIJNCERT_KEEP_DEMO) {
      await dropDemoDatabase(demo);
      await rm(demo.dir, { recursive: true, force: true });
      await rm(demoB.dir, { recursive: true, force: true });
    }
  }, { timeout: 60_000 });

  test('a session made on node A works on node B, and logging out on B ends it on A', T, async () => {
    const session = await pageApi(a).login('contact');
    const onB = await b.client.get('contact', '/api/v1/me', {
      headers: { accept: 'application/json' }, cookies: { [SESSION_COOKIE]: session.cookie },
    });
    assert.equal(onB.status, 200, onB.toString());
    assert.equal(onB.cookie(SESSION_COOKIE), undefined, 'node B made a session of its own instead of using A\'s');
    const page = await pageApi(b).get(session, '/');
    assert.equal(page.status, 200, page.toString());
    // The CSRF token made on A is valid on B: the state lives in the database.
    const logout = await pageApi(b).post(session, '/uitloggen');
    assert.equal(logout.status, 200, logout.toString());
    const again = await pageApi(a).get(session, '/');
    const renewed = again.cookie(SESSION_COOKIE);
    assert.ok(renewed && renewed.value !== session.cookie, 'the session ended on B still works on A');
  });

  test('a mobile login started on node A is answered and completed on node B; the session works on A', T, async () => {
    const phone = await mobileApi(a).enrolMobile();
    const started = await mobileApi(a).startLoginOk();
    const request = await mobileApi(b).appRequestOk(started.id);
    assert.equal(request.kind, 'login');
    // The person picks the number node A's page shows the browser that asked (ADR 0021).
    const number = await mobileApi(a).shownNumber(started.id, started.binding);
    assert.ok(number, 'node A shows no number');
    await mobileApi(b).answerOk(started.id, phone, { number });
    const status = await mobileApi(a).status(started.id, started.binding);
    assert.equal(status.json().status, 'completed', status.body);
    const finished = await mobileApi(b).finish(started.id, started.binding);
    assert.equal(finished.status, 303, finished.toString());
    const session = finished.cookie(SESSION_COOKIE)?.value;
    assert.ok(session, 'no session after afronden on B');
    const me = await a.client.get(null, '/api/v1/me', {
      headers: { accept: 'application/json' }, cookies: { [SESSION_COOKIE]: session },
    });
    assert.equal(me.status, 200, me.toString());
    assert.match(me.body, /Eva/);
  });

  test('20 simultaneous approvals split over both nodes: one 200, nineteen 409, one certificate', T, async () => {
    const apiA = orderApi(a);
    const apiB = orderApi(b);
    const cn = `nodes-${randomBytes(4).toString('hex')}.voorbeeld.nl`;
    const { order } = await apiA.submittedOrder({ cn });
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? apiA : apiB).approve(order.id)),
    );
    const statuses = responses.map((response) => response.status);
    assert.equal(statuses.filter((s) => s === 200).length, 1, `statuses: ${statuses.join(',')}`);
    assert.equal(statuses.filter((s) => s === 409).length, 19, `statuses: ${statuses.join(',')}`);
    const winner = responses.find((response) => response.status === 200).json();
    const organisation = await apiA.organisationOf('contact');
    for (const api of [apiA, apiB]) {
      const issued = (await api.certificates('contact', organisation, cn)).filter((item) => item.common_name === cn);
      assert.deepEqual(issued.map((item) => item.id), [winner.certificate_id]);
    }
  });

  test('a CRL published on node A is served by node B within seconds', T, async () => {
    const before = crlNumber((await b.client.get(null, '/crl/persons-ca.crl')).bytes);
    await run(binaryPath, ['ca', 'crl', '--config', demo.config], { timeout: 30_000 });
    const published = crlNumber(await readFile(path.join(demo.dir, 'pki', 'crl', 'persons-ca.crl')));
    assert.notEqual(published, before);
    await eventually(async () => {
      const served = await b.client.get(null, '/crl/persons-ca.crl');
      return served.status === 200 && crlNumber(served.bytes) === published;
    }, `node B serves CRL number ${published}`);
  });

  test('the background jobs run on exactly one node; when it dies, the other takes over', T, async () => {
    const nodes = [{ portal: a, server: serverA }, { portal: b, server: serverB }];
    const states = await eventually(async () => {
      const all = await Promise.all(nodes.map(({ portal }) => health(portal)));
      return all.every((state) => state.jobs?.last_run) ? all : null;
    }, 'both nodes report a round of jobs');
    assert.equal(states.filter((state) => state.jobs.leader).length, 1, JSON.stringify(states));
    const leader = states.findIndex((state) => state.jobs.leader);
    const survivor = nodes[1 - leader];
    // Dies without any goodbye: its database connection, and with it the lock, goes away.
    nodes[leader].server.child.kill('SIGKILL');
    await nodes[leader].server.waitForExit(10_000);
    await eventually(async () => (await health(survivor.portal)).jobs.leader, 'the surviving node takes over the jobs');
  });
});

describe('a node whose database goes away and comes back', needsPostgresql, () => {
  const portal = withDemoServer();
  const allowConnections = (allowed) =>
    serverSql(`ALTER DATABASE ${portal.demo.databaseName} ALLOW_CONNECTIONS ${allowed}`);

  test('/healthz and pages answer 503 at once while it is gone; the node recovers without a restart', T, async () => {
    assert.equal((await portal.client.get('contact', '/')).status, 200);
    await allowConnections(false);
    // Every connection the node holds is cut, as in a database restart or fail-over.
    await serverSql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${portal.demo.databaseName}'`);

    const started = Date.now();
    const down = await health(portal, 503);
    assert.deepEqual({ status: down.status, database: down.database }, { status: 'unavailable', database: 'unavailable' });
    const page = await portal.client.get('contact', '/');
    assert.equal(page.status, 503, page.toString());
    assert.ok(page.body.includes(message('error.unavailable.title')), page.body);
    assert.ok(Date.now() - started < 15_000, 'a request waited for the database instead of answering');
    assert.match(portal.server.logs(), /database connection lost/);

    await allowConnections(true);
    await eventually(async () => (await portal.client.get(null, '/healthz')).status === 200, '/healthz is 200 again');
    const back = await portal.client.get('contact', '/');
    assert.equal(back.status, 200, back.toString());
  });
});
