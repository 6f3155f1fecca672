// build/bench/load, the load client of `make bench` (bench/README.md): a short run against a demo
// portal in each mode proves it counts what it should, so a broken client cannot quietly turn the
// benchmark table into nonsense. Runs of one second each; the numbers themselves are not judged.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { withDemoServer } from '../support/integration.mjs';
import { repoRoot } from '../support/server.mjs';

const loadClient = path.join(repoRoot, 'build', 'bench', 'load');
const portal = withDemoServer();

/** Runs the load client for one second against PATH as IDENTITY (null: no certificate). */
function load(identity, urlPath, extraArgs = []) {
  const { demo, port } = portal.server;
  const certificate = identity ? ['--cert', demo.users[identity].certPath, '--key', demo.users[identity].keyPath] : [];
  const args = [
    '--url', `https://localhost:${port}${urlPath}`, '--ca', demo.rootCa, ...certificate,
    '--connections', '4', '--duration', '1', '--json', ...extraArgs,
  ];
  return new Promise((resolve, reject) => {
    execFile(loadClient, args, { timeout: 20_000, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\nstdout: ${stdout}\nstderr: ${stderr}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

function assertOnlyStatus(result, status, errorKind = null) {
  const text = JSON.stringify(result);
  assert.ok(result.requests > 0, `no requests: ${text}`);
  assert.deepEqual(Object.keys(result.statuses), [String(status)], text);
  assert.equal(result.statuses[status], result.requests, text);
  for (const [kind, count] of Object.entries(result.errors)) {
    assert.equal(count, kind === errorKind ? result.requests : 0, `${kind} errors: ${text}`);
  }
  const { p50, p90, p99, max } = result.latency_ms;
  assert.ok(p50 > 0 && p50 <= p90 && p90 <= p99 && p99 <= max, `latency percentiles out of order: ${text}`);
  assert.ok(Math.abs(result.rps - result.requests / result.seconds) <= 0.06, `rps is not requests per second: ${text}`);
}

test('keep-alive: /api/v1/me with a client certificate, only 200s', async () => {
  assertOnlyStatus(await load('contact', '/api/v1/me'), 200);
});

test('new connection per request: /api/v1/me, only 200s', async () => {
  assertOnlyStatus(await load('contact', '/api/v1/me', ['--mode', 'new-connection']), 200);
});

test('with a session cookie: the dashboard, only 200s', async () => {
  assertOnlyStatus(await load('contact', '/', ['--session']), 200);
});

test('without a client certificate: every 401 counted as a status error', async () => {
  assertOnlyStatus(await load(null, '/api/v1/me'), 401, 'status');
});
