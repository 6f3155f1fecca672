// Metrics for operators (ADR 0016, docs/operations.md §Metrics): GET /metrics answers loopback in
// the Prometheus text format, counts requests under their route pattern, TLS client certificate
// failures by reason, and is a 404 like any unknown path where `metrics.allow` excludes the
// client.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { describe, test } from 'node:test';
import { withDemoServer } from '../support/integration.mjs';

const EXPOSITION_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function unescapeLabel(value) {
  return value.replace(/\\(["\\n])/g, (_, c) => (c === 'n' ? '\n' : c));
}

function parseValue(text, where) {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  assert.match(text, /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/, `${where}: not a number: ${text}`);
  return Number(text);
}

/** The labels of one sample, `{a="x",b="y"}` without the braces, as an object. */
function parseLabels(text, where) {
  const labels = {};
  let rest = text;
  while (rest !== '') {
    const match = LABEL.exec(rest);
    assert.ok(match, `${where}: malformed labels at ${JSON.stringify(rest)}`);
    assert.ok(!(match[1] in labels), `${where}: label ${match[1]} twice`);
    labels[match[1]] = unescapeLabel(match[2]);
    rest = rest.slice(match[0].length);
    if (rest.startsWith(',')) rest = rest.slice(1);
    else assert.equal(rest, '', `${where}: expected "," or "}" after a label`);
  }
  return labels;
}

/** The family a sample belongs to: its own name, or a histogram's name without its suffix. */
function familyOf(name, families) {
  if (families.has(name)) return name;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    const base = name.slice(0, -suffix.length);
    if (name.endsWith(suffix) && families.get(base)?.type === 'histogram') return base;
  }
  return null;
}

function seriesKey(name, labels) {
  return `${name}{${Object.keys(labels).sort().map((k) => `${k}=${JSON.stringify(labels[k])}`).join(',')}}`;
}

/**
 * Parses the Prometheus text exposition format 0.0.4 strictly and returns
 * Map(family name → {type, help, samples: [{name, labels, value}]}). Fails on: a line that is no
 * HELP, TYPE, comment or sample; a sample of a family without a TYPE line before it; two TYPE or
 * HELP lines for one family; a series twice; malformed names, labels or values; a histogram whose
 * buckets are not cumulative, lack +Inf, or disagree with its _count.
 */
function parseExposition(text) {
  assert.ok(text.endsWith('\n'), 'the exposition ends with a line break');
  const families = new Map();
  const series = new Set();
  const lines = text.slice(0, -1).split('\n');
  for (const [index, line] of lines.entries()) {
    const where = `line ${index + 1}`;
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta;
      assert.match(name, METRIC_NAME, where);
      const family = families.get(name) ?? { type: null, help: null, samples: [] };
      families.set(name, family);
      assert.equal(family.samples.length, 0, `${where}: ${kind} after the samples of ${name}`);
      if (kind === 'TYPE') {
        assert.equal(family.type, null, `${where}: second TYPE for ${name}`);
        assert.ok(TYPES.has(rest), `${where}: unknown type ${rest}`);
        family.type = rest;
      } else {
        assert.equal(family.help, null, `${where}: second HELP for ${name}`);
        assert.ok(!/\\[^\\n]/.test(rest), `${where}: bad escape in HELP`);
        family.help = rest;
      }
      continue;
    }
    if (line.startsWith('#')) continue; // a comment
    const sample = /^([^\s{]+)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/.exec(line);
    assert.ok(sample, `${where}: not a sample: ${line}`);
    const [, name, labelText, valueText] = sample;
    assert.match(name, METRIC_NAME, where);
    const labels = parseLabels(labelText ?? '', where);
    const value = parseValue(valueText, where);
    const familyName = familyOf(name, families);
    assert.ok(familyName && families.get(familyName).type, `${where}: ${name} has no TYPE line before it`);
    const key = seriesKey(name, labels);
    assert.ok(!series.has(key), `${where}: ${key} twice`);
    series.add(key);
    const family = families.get(familyName);
    if (family.type === 'counter') assert.ok(value >= 0, `${where}: negative counter`);
    family.samples.push({ name, labels, value });
  }
  for (const [name, family] of families) {
    if (family.type === 'histogram') checkHistogram(name, family);
  }
  return families;
}

function checkHistogram(name, family) {
  const groups = new Map();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = seriesKey(name, rest);
    const group = groups.get(key) ?? { buckets: [], count: null, sum: null };
    groups.set(key, group);
    if (sample.name === `${name}_bucket`) {
      assert.ok(le !== undefined, `${key}: a bucket without le`);
      group.buckets.push({ le: parseValue(le, key), value: sample.value });
    } else {
      assert.equal(le, undefined, `${key}: le outside a bucket`);
      group[sample.name === `${name}_count` ? 'count' : 'sum'] = sample.value;
    }
  }
  for (const [key, group] of groups) {
    assert.ok(group.buckets.length > 0 && group.count !== null && group.sum !== null, `${key}: incomplete histogram`);
    for (let i = 1; i < group.buckets.length; ++i) {
      assert.ok(group.buckets[i].le > group.buckets[i - 1].le, `${key}: buckets out of order`);
      assert.ok(group.buckets[i].value >= group.buckets[i - 1].value, `${key}: buckets not cumulative`);
    }
    const last = group.buckets.at(-1);
    assert.equal(last.le, Infinity, `${key}: no +Inf bucket`);
    assert.equal(last.value, group.count, `${key}: +Inf bucket differs from _count`);
  }
}

/** The value of the sample NAME with exactly LABELS; 0 when absent (a series appears on first use). */
function valueOf(families, name, labels = {}) {
  const familyName = familyOf(name, families);
  if (!familyName) return 0;
  const want = seriesKey(name, labels);
  const found = families.get(familyName).samples.find((s) => seriesKey(s.name, s.labels) === want);
  return found ? found.value : 0;
}

async function scrape(portal) {
  const response = await portal.client.get(null, '/metrics');
  assert.equal(response.status, 200, response.toString());
  assert.equal(response.header('content-type'), EXPOSITION_TYPE);
  return { text: response.body, families: parseExposition(response.body) };
}

describe('with the default metrics.allow (loopback)', () => {
  const portal = withDemoServer();

  test('a scrape from loopback needs no certificate and is strict Prometheus text', async () => {
    const { families } = await scrape(portal);
    for (const name of ['mijncert_http_lane_requests', 'mijncert_database_pool_connections',
      'mijncert_background_jobs_leader', 'mijncert_certificate_issuances_total']) {
      assert.ok(families.has(name), `family ${name} is exposed`);
    }
    for (const name of families.keys()) assert.ok(name.startsWith('mijncert_'), name);
    assert.equal(valueOf(families, 'mijncert_database_pool_connections'), 8, 'database.pool_size');
    assert.equal(valueOf(families, 'mijncert_http_lane_requests', { lane: 'metrics' }), 1, 'the scrape itself');
    // Products are configured: their series exist before the first issuance.
    assert.ok(families.get('mijncert_certificate_issuances_total').samples.length > 0);
  });

  test('requests count under their route pattern, method and status; refusals by reason', async () => {
    const before = (await scrape(portal)).families;
    const page = await portal.client.get('contact', '/');
    assert.equal(page.status, 200, page.toString());
    const organisation = await portal.client.get('contact', '/organisaties/1');
    const missing = await portal.client.get('contact', '/bestaat-niet/42');
    assert.equal(missing.status, 404, missing.toString());
    const refused = await portal.client.get('expired', '/');
    assert.equal(refused.status, 403, refused.toString());
    const after = (await scrape(portal)).families;

    const delta = (name, labels) => valueOf(after, name, labels) - valueOf(before, name, labels);
    const requests = 'mijncert_http_requests_total';
    assert.equal(delta(requests, { route: '/', method: 'GET', status: '200' }), 1);
    assert.equal(delta(requests, { route: '/', method: 'GET', status: '403' }), 1);
    assert.equal(delta(requests, { route: '/organisaties/{id}', method: 'GET', status: String(organisation.status) }), 1,
      'counted under the pattern, not the path');
    assert.equal(delta(requests, { route: 'unmatched', method: 'GET', status: '404' }), 1);
    // The first scrape is counted by the time of the second; scrapes have a route of their own.
    assert.ok(delta(requests, { route: '/metrics', method: 'GET', status: '200' }) >= 1);
    const routes = new Set(after.get(requests).samples.map((s) => s.labels.route));
    for (const path of ['/organisaties/1', '/bestaat-niet/42']) assert.ok(!routes.has(path), `${path} became a label`);

    const duration = 'mijncert_http_request_duration_seconds';
    assert.equal(delta(`${duration}_count`, { route: '/', method: 'GET', status: '200' }), 1);
    assert.ok(delta(`${duration}_sum`, { route: '/', method: 'GET', status: '200' }) > 0);

    assert.equal(delta('mijncert_tls_client_certificate_failures_total', { reason: 'expired' }), 1);
    assert.equal(delta('mijncert_tls_client_certificate_failures_total', { reason: 'revoked' }), 0);
    // Each request above came on a new connection (the test client keeps none alive).
    assert.ok(delta('mijncert_tls_handshakes_total', { result: 'completed' }) >= 5);
  });

  test('a failed TLS handshake is counted', async () => {
    const before = (await scrape(portal)).families;
    // Plain HTTP on the TLS port: the handshake fails on the first bytes and the server closes.
    const socket = net.connect({ host: '127.0.0.1', port: portal.server.port });
    socket.on('error', () => {});
    socket.setTimeout(5000, () => socket.destroy());
    socket.end('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    socket.resume();
    await once(socket, 'close');
    const after = (await scrape(portal)).families;
    assert.ok(valueOf(after, 'mijncert_tls_handshakes_total', { result: 'failed' })
      > valueOf(before, 'mijncert_tls_handshakes_total', { result: 'failed' }));
  });

  test('only GET and HEAD read the metrics; X-Forwarded-For changes nothing', async () => {
    const head = await portal.client.request(null, 'HEAD', '/metrics');
    assert.equal(head.status, 200, head.toString());
    assert.equal(head.header('content-type'), EXPOSITION_TYPE);
    const post = await portal.client.request(null, 'POST', '/metrics', { form: {} });
    assert.equal(post.status, 404, post.toString());
    // The TCP peer decides; a header naming another client does not take access away (or give it).
    const forwarded = await portal.client.get(null, '/metrics', { headers: { 'X-Forwarded-For': '192.0.2.1' } });
    assert.equal(forwarded.status, 200, forwarded.toString());
  });

  test('promtool check metrics accepts the exposition (where Prometheus is installed)', async (t) => {
    const probe = spawnSync('promtool', ['--version'], { encoding: 'utf8' });
    if (probe.error) {
      t.skip('promtool is not installed (Debian package prometheus)');
      return;
    }
    const { text } = await scrape(portal);
    const checked = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 10_000 });
    assert.equal(checked.status, 0, `${checked.stdout}${checked.stderr}`);
  });
});

describe('with metrics.allow excluding loopback', () => {
  const portal = withDemoServer({ config: '[metrics]\nallow = ["192.0.2.10", "2001:db8::/32"]' });

  test('GET /metrics from loopback is the portal\'s 404, as for a path that does not exist', async () => {
    const metrics = await portal.client.get(null, '/metrics');
    assert.equal(metrics.status, 404, metrics.toString());
    assert.ok(!metrics.body.includes('mijncert_'), 'no metrics in the 404');
    const unknown = await portal.client.get(null, '/bestaat-niet');
    assert.equal(metrics.header('content-type'), unknown.header('content-type'));
    // The language link leads back to the page asked for: the only difference.
    assert.equal(metrics.body, unknown.body.replaceAll('/bestaat-niet', '/metrics'), 'the same page as any unknown path');
  });
});
