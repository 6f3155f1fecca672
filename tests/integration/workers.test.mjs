// Request handlers on a worker pool (ADR 0012): with one I/O thread and one worker, a
// request stuck on the database (the test holds its write lock) leaves /healthz answering, and a
// handler slower than server.request_timeout_seconds gets 503 while the node stays healthy.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { demoSql } from '../support/database.mjs';
import { startDemoServer } from '../support/server.mjs';
import { PortalClient } from '../support/tls.mjs';

const REQUEST_TIMEOUT_SECONDS = 3;
const LOCK_TIMEOUT_MS = 10_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const portal = { server: null, client: null, demo: null };

before(async () => {
  portal.server = await startDemoServer({
    serverKeys: { threads: 1, worker_threads: 1, request_timeout_seconds: REQUEST_TIMEOUT_SECONDS },
  });
  portal.demo = portal.server.demo;
  portal.client = new PortalClient(portal.server);
}, { timeout: 60_000 });

after(async () => {
  portal.client?.close();
  await portal.server?.close();
}, { timeout: 30_000 });

/** Whether the demo's database write lock is held by someone else right now. */
async function writeLockHeld(demo) {
  if (demo.dialect === 'postgresql') {
    const granted = await demoSql(demo, "SELECT count(*) FROM pg_locks WHERE relation = 'audit_log'::regclass " +
      "AND mode = 'ExclusiveLock' AND granted");
    return granted !== '0';
  }
  // The sqlite3 tool waits for no lock: BEGIN IMMEDIATE fails at once while another writer holds it.
  return demoSql(demo, 'BEGIN IMMEDIATE; ROLLBACK;').then(() => false, () => true);
}

/**
 * Holds the lock every audited write of DEMO's database needs (SQLite: the write lock;
 * PostgreSQL: audit_log, as storage/audit_log.cpp takes it), in a database shell that waits on
 * stdin, until `release()`. A certificate's first login writes its audit record (ADR 0015), so it
 * waits meanwhile.
 */
async function holdWriteLock(demo) {
  const shell = demo.dialect === 'postgresql'
    ? spawn('/usr/bin/psql', ['-X', '-qAt', '-d', demo.databaseUrl])
    : spawn('sqlite3', [path.join(demo.dir, 'mijncert.db')]);
  const exited = new Promise((resolve) => shell.on('exit', resolve));
  shell.stdin.write(demo.dialect === 'postgresql'
    ? 'BEGIN;\nLOCK TABLE audit_log IN EXCLUSIVE MODE;\n'
    : 'BEGIN IMMEDIATE;\n');
  const deadline = Date.now() + LOCK_TIMEOUT_MS;
  while (!(await writeLockHeld(demo))) {
    if (Date.now() > deadline) {
      shell.kill('SIGKILL');
      throw new Error('the database shell did not take the write lock');
    }
    await sleep(50);
  }
  return {
    async release() {
      shell.stdin.end(demo.dialect === 'postgresql' ? 'COMMIT;\n\\q\n' : 'COMMIT;\n.quit\n');
      const timer = setTimeout(() => shell.kill('SIGKILL'), LOCK_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resolves to the request's response, or to 'pending' if it has not arrived within MS. */
function settledWithin(request, ms) {
  return Promise.race([request, sleep(ms).then(() => 'pending')]);
}

test('a request waiting on the database on the only worker leaves /healthz answering', { timeout: 60_000 }, async () => {
  const lock = await holdWriteLock(portal.demo);
  let slow;
  try {
    // The contact's first login writes its audit record: it waits for the lock.
    slow = portal.client.get('contact', '/', { timeoutMs: 20_000 });
    slow.catch(() => {});
    assert.equal(await settledWithin(slow, 500), 'pending', 'the login did not wait for the database');

    const started = Date.now();
    const health = await portal.client.get(null, '/healthz', { timeoutMs: 5000 });
    assert.ok(Date.now() - started < 1000, `/healthz took ${Date.now() - started} ms`);
    assert.equal(health.status, 200, health.toString());
    assert.equal(await settledWithin(slow, 0), 'pending', 'the login should still wait for the lock');
  } finally {
    await lock.release();
  }
  const response = await slow;
  assert.equal(response.status, 200, response.toString());
});

test('a handler past server.request_timeout_seconds gets 503; its late result is discarded', { timeout: 60_000 }, async () => {
  const lock = await holdWriteLock(portal.demo);
  let response;
  const started = Date.now();
  try {
    // The representative's first login: audited, so it waits for the lock (the contact's was).
    response = await portal.client.get('representative', '/', { timeoutMs: 20_000 });
  } finally {
    await lock.release();
  }
  const waited = Date.now() - started;
  assert.equal(response.status, 503, response.toString());
  assert.equal(response.header('retry-after'), '5');
  assert.ok(waited >= REQUEST_TIMEOUT_SECONDS * 1000 - 100 && waited < REQUEST_TIMEOUT_SECONDS * 1000 + 3000,
    `answered after ${waited} ms`);

  const deadline = Date.now() + 10_000;
  while (!/finished \d+ ms after its deadline; its result is discarded/.test(portal.server.logs())) {
    assert.ok(Date.now() < deadline, `the abandoned handler did not finish:\n${portal.server.logs()}`);
    await sleep(100);
  }
  const health = await portal.client.get(null, '/healthz');
  assert.equal(health.status, 200, health.toString());
  const page = await portal.client.get('contact', '/');
  assert.equal(page.status, 200, page.toString());
});
