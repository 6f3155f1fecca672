// `make bench`: the HTTP targets of bench/README.md measured in one run on one machine, each beside
// nginx serving a static file with the same mutual TLS (same server certificate, client-CA bundle
// and CRLs), so that a shared, noisy machine still gives comparable numbers (ADR 0017). Then the
// rows of bench/micro.sh, when it exists. Prints one table:
//   measurement | baseline (nginx for the HTTP rows) | portal | ratio | target | PASS/FAIL
// Exit code 0 when the table was produced, whatever it says; non-zero when the suite broke.
//
// Environment: BENCH_SECONDS (10) measured per run, BENCH_WARMUP (2) not counted before it,
// BENCH_REPEAT (3) runs per measurement (the median counts), BENCH_CERTIFICATES (100000) in the
// organisation, BENCH_DATABASES ("sqlite postgresql"), BUILD_DIR (build).
import { execFile, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { freePort, repoRoot } from '../tests/support/server.mjs';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const warmup = Number(process.env.BENCH_WARMUP ?? 2);
const repeat = Number(process.env.BENCH_REPEAT ?? 3);
const certificates = Number(process.env.BENCH_CERTIFICATES ?? 100_000);
const databases = (process.env.BENCH_DATABASES ?? 'sqlite postgresql').split(/[\s,]+/).filter(Boolean);
const buildDir = path.resolve(repoRoot, process.env.BUILD_DIR ?? 'build');
const mijncert = path.join(buildDir, 'mijncert');
const loadClient = path.join(buildDir, 'bench', 'load');
const fillInventory = path.join(buildDir, 'bench', 'fill_inventory');
const microScript = path.join(repoRoot, 'bench', 'micro.sh');
const workDir = path.join(repoRoot, 'var', 'bench');

const KEEPALIVE_CLIENTS = 64;
const NEW_CONNECTION_CLIENTS = 16;
const P99_LIMIT_MS = 20;
const STATIC_FILE_BYTES = 10 * 1024;
const IDENTITY = 'contact'; // PRODUCT.md §9: contact of Voorbeeld B.V., sees its overview
const ORGANISATION_NAME = 'Voorbeeld B.V.';

const log = (message) => console.error(`# ${message}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

// Everything started here is stopped on any exit, also when the suite breaks half-way.
const children = new Set();
const cleanups = [];
function cleanUp() {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      cleanup();
    } catch (error) {
      console.error(`# clean-up: ${error.message}`);
    }
  }
}
process.on('exit', cleanUp);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

function run(file, args, { timeoutMs = 600_000, env } = {}) {
  return new Promise((resolve, reject) => {
    const options = { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 << 20, env: env ?? process.env };
    execFile(file, args, options, (error, stdout, stderr) => {
      if (error) reject(new Error(`${path.basename(file)} ${args.join(' ')}: ${error.message}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

function startProcess(file, args, logFile) {
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk).slice(-20_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.on('exit', () => {
    children.delete(child);
    writeFile(logFile, output).catch(() => {});
  });
  child.output = () => output;
  return child;
}

async function stopProcess(child) {
  if (!children.has(child)) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await once(child, 'exit');
  clearTimeout(timer);
}

/** GET PATH over mutual TLS as the demo user; resolves {status, body}. */
function get(demo, port, urlPath) {
  return new Promise((resolve, reject) => {
    const request = https.get(
      {
        host: '127.0.0.1', port, path: urlPath, servername: 'localhost', agent: false, timeout: 10_000,
        ca: demo.rootCa, cert: demo.cert, key: demo.key,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode, body }));
      },
    );
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', reject);
  });
}

async function waitUntilServing(child, demo, port, urlPath) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (!children.has(child)) throw new Error(`exited at start:\n${child.output()}`);
    const response = await get(demo, port, urlPath).catch(() => null);
    if (response?.status === 200) return;
    await sleep(200);
  }
  throw new Error(`${urlPath} did not answer 200 within 30 s:\n${child.output()}`);
}

// ---------------------------------------------------------------------------------------------
// The demo, the portal and nginx

/** A fresh demo in var/bench/DATABASE; on PostgreSQL in a new database of SERVER_URL. */
async function createDemo(database, serverUrl) {
  const dir = path.join(workDir, database);
  let databaseUrl = `sqlite:${path.join(dir, 'mijncert.db')}`;
  if (database === 'postgresql') {
    const url = new URL(serverUrl);
    execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url.toString(), '-c', 'CREATE DATABASE bench']);
    url.pathname = '/bench';
    databaseUrl = url.toString();
  }
  const args = ['init-dev', '--dir', dir, '--force'];
  if (database === 'postgresql') args.push('--database', databaseUrl);
  await run(mijncert, args, { timeoutMs: 120_000 });
  // The load comes from one address (and through nginx): lift the per-client connection limits
  // (ADR 0023), or they would measure themselves.
  const config = path.join(dir, 'mijncert.toml');
  const limits = 'max_connections_per_address = 100000\nhandshakes_per_second_per_address = 100000\n' +
    'handshake_burst_per_address = 100000';
  await writeFile(config, (await readFile(config, 'utf8')).replace(/^\[server\]$/m, `[server]\n${limits}`));
  const users = path.join(dir, 'users');
  const demo = {
    dir, database, databaseUrl,
    config: path.join(dir, 'mijncert.toml'),
    rootCa: await readFile(path.join(dir, 'pki', 'root-ca.crt')),
    rootCaPath: path.join(dir, 'pki', 'root-ca.crt'),
    certPath: path.join(users, `${IDENTITY}.crt`),
    keyPath: path.join(users, `${IDENTITY}.key`),
  };
  demo.cert = await readFile(demo.certPath);
  demo.key = await readFile(demo.keyPath);
  return demo;
}

/** The TLS files the demo's portal uses, read from its mijncert.toml (paths relative to it). */
async function tlsFiles(demo) {
  const text = await readFile(demo.config, 'utf8');
  const table = text.slice(text.search(/^\[tls\]$/m)).split(/^\[(?!tls\])/m)[0];
  const value = (key) => table.match(new RegExp(`^${key}\\s*=\\s*(.+)$`, 'm'))?.[1];
  const file = (quoted) => path.resolve(demo.dir, JSON.parse(quoted));
  const crls = value('client_crls');
  return {
    certificate: file(value('certificate_chain')),
    key: file(value('private_key')),
    clientCas: file(value('client_ca_bundle')),
    crls: crls ? JSON.parse(crls).map((crl) => path.resolve(demo.dir, crl)) : [],
  };
}

async function startPortal(demo) {
  const port = await freePort();
  const child = startProcess(
    mijncert,
    ['serve', '--config', demo.config, '--listen', `127.0.0.1:${port}`, '--public-origin', `https://localhost:${port}`],
    path.join(demo.dir, 'serve.log'),
  );
  await waitUntilServing(child, demo, port, '/healthz');
  return { child, port };
}

// nginx from Debian with its own prefix under var/bench: the same certificate, key, client-CA
// bundle and CRLs as the portal, client certificates required, one 10 KB static file.
async function startNginx(demo) {
  const prefix = path.join(demo.dir, 'nginx');
  await rm(prefix, { recursive: true, force: true });
  await mkdir(path.join(prefix, 'www'), { recursive: true });
  await mkdir(path.join(prefix, 'temp'), { recursive: true });
  const tls = await tlsFiles(demo);
  // nginx reads one CRL file; the portal reads one per CA.
  const crls = await Promise.all(tls.crls.map((file) => readFile(file, 'utf8')));
  await writeFile(path.join(prefix, 'crls.pem'), crls.join(''));
  const line = '/* a static file of exactly 10 KB for the nginx baseline of make bench */\n';
  await writeFile(path.join(prefix, 'www', 'static-10k.css'), line.repeat(Math.ceil(STATIC_FILE_BYTES / line.length)).slice(0, STATIC_FILE_BYTES));
  const port = await freePort();
  const temp = (name) => `${name}_temp_path ${path.join(prefix, 'temp', name)};`;
  const config = `
# Written by bench/suite.mjs for one run; the baseline of the HTTP rows of make bench.
${process.getuid?.() === 0 ? 'user root;' : ''}
daemon off;
worker_processes auto;
pid ${path.join(prefix, 'nginx.pid')};
error_log ${path.join(prefix, 'error.log')} warn;
events { worker_connections 4096; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  ${temp('client_body')} ${temp('proxy')} ${temp('fastcgi')} ${temp('uwsgi')} ${temp('scgi')}
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:${port} ssl;
    server_name localhost;
    ssl_certificate ${tls.certificate};
    ssl_certificate_key ${tls.key};
    ssl_client_certificate ${tls.clientCas};
    ssl_verify_client on;
    ssl_verify_depth 5;
    ${tls.crls.length ? `ssl_crl ${path.join(prefix, 'crls.pem')};` : ''}
    ssl_protocols TLSv1.2 TLSv1.3;
    root ${path.join(prefix, 'www')};
  }
}
`;
  await writeFile(path.join(prefix, 'nginx.conf'), config);
  const child = startProcess('/usr/sbin/nginx', ['-p', prefix, '-c', path.join(prefix, 'nginx.conf'), '-e', path.join(prefix, 'error.log')], path.join(prefix, 'stdout.log'));
  await waitUntilServing(child, demo, port, '/static-10k.css');
  return { child, port };
}

async function startPostgres() {
  const dir = execFileSync('mktemp', ['-d', path.join(os.tmpdir(), 'mijncert-bench-pg.XXXXXX')], { encoding: 'utf8' }).trim();
  const stop = () => execFileSync(path.join(repoRoot, 'scripts', 'test-postgres.sh'), ['stop', dir], { stdio: 'ignore' });
  try {
    const { stdout } = await run(path.join(repoRoot, 'scripts', 'test-postgres.sh'), ['start', dir], { timeoutMs: 120_000 });
    cleanups.push(stop);
    return stdout.trim();
  } catch (error) {
    stop();
    log(`PostgreSQL could not be started, its rows are skipped: ${error.message.split('\n')[0]}`);
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Measuring

/** One run of the load client; resolves its JSON result. */
async function loadRun(port, demo, urlPath, { mode = 'keepalive', connections = KEEPALIVE_CLIENTS, session = false, identity = true } = {}) {
  // Without --ca: the client does not verify the server's chain, which would take CPU the
  // server shares (the servers were checked when they started).
  const args = [
    '--url', `https://localhost:${port}${urlPath}`,
    '--connections', String(connections), '--mode', mode,
    '--duration', String(seconds), '--warmup', String(warmup), '--json',
  ];
  if (identity) args.push('--cert', demo.certPath, '--key', demo.keyPath);
  // A browser's cookie comes from a page view: API calls start no session (ADR 0015).
  if (session) args.push('--session', '--session-path', '/');
  const { stdout } = await run(loadClient, args, { timeoutMs: (seconds + warmup + 60) * 1000 });
  return JSON.parse(stdout);
}

/** REPEAT runs of a load; the medians of req/s and p99, and the errors of all runs. */
async function measure(label, port, demo, urlPath, options) {
  const results = [];
  for (let i = 0; i < repeat; ++i) results.push(await loadRun(port, demo, urlPath, options));
  const errors = results.reduce((sum, r) => sum + Object.values(r.errors).reduce((a, b) => a + b, 0), 0);
  const summary = {
    requests: median(results.map((r) => r.requests)),
    rps: median(results.map((r) => r.rps)),
    p99: median(results.map((r) => r.latency_ms.p99)),
    errors,
    statuses: [...new Set(results.flatMap((r) => Object.keys(r.statuses)))].join(','),
  };
  log(`${label}: ${results.map((r) => `${r.rps.toFixed(0)} req/s p99 ${r.latency_ms.p99} ms`).join('; ')}` +
    (errors ? `; ${errors} errors (statuses ${summary.statuses})` : ''));
  return summary;
}

const format = (n) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
// A measurement with errors, or without responses, meets no target whatever its numbers say.
const broken = (m) => m.errors > 0 || m.requests === 0;
const errorNote = (m) =>
  m.errors ? ` [${m.errors} errors, statuses ${m.statuses || 'none'}]` : m.requests === 0 ? ' [no responses]' : '';

/** A TSV row as bench/micro.sh prints them: measurement baseline portal ratio target verdict. */
function throughputRow(name, baseline, portal, minimum) {
  const ratio = baseline.rps > 0 ? portal.rps / baseline.rps : 0;
  const holds = ratio >= minimum && !broken(portal) && !broken(baseline);
  return [`${name}: req/s${errorNote(portal)}${baseline.errors ? ' [baseline errors]' : ''}`, format(baseline.rps), format(portal.rps), ratio.toFixed(2), `>= ${minimum}x`, holds ? 'PASS' : 'FAIL'];
}

function latencyRow(name, baseline, portal) {
  const holds = portal.p99 <= P99_LIMIT_MS && !broken(portal);
  return [`${name}: p99 ms${errorNote(portal)}`, baseline ? baseline.p99.toFixed(1) : '-', portal.p99.toFixed(1), '-', `<= ${P99_LIMIT_MS} ms`, holds ? 'PASS' : 'FAIL'];
}

/** The organisation id of Voorbeeld B.V., as the demo user's /api/v1/me lists it. */
async function organisationOf(demo, port) {
  const me = await get(demo, port, '/api/v1/me');
  const role = JSON.parse(me.body).roles.find((r) => r.organisation_name === ORGANISATION_NAME);
  if (!role) throw new Error(`${IDENTITY} has no role in ${ORGANISATION_NAME}: ${me.body}`);
  return role.organisation_id;
}

// CSV exports of the whole organisation back to back (curl with the client certificate) until
// stopped; resolves with how many completed and failed, and how many rows the one cut off by the
// stop had received (how far a slow export got).
function exportLoop(demo, port, organisation) {
  let stopped = false;
  let current = null;
  let completed = 0;
  let failed = 0;
  const url = `https://localhost:${port}/organisations/${organisation}/server-certificates.csv`;
  const file = path.join(demo.dir, 'export.csv');
  const done = (async () => {
    while (!stopped) {
      const args = ['-sSf', '-o', file, '--cacert', demo.rootCaPath, '--cert', demo.certPath, '--key', demo.keyPath, url];
      current = spawn('curl', args, { stdio: 'ignore' });
      children.add(current);
      const [code] = await once(current, 'exit');
      children.delete(current);
      if (code === 0) ++completed;
      else if (!stopped) {
        ++failed;
        await sleep(100);
      }
    }
    const text = await readFile(file, 'utf8').catch(() => '');
    return { completed, failed, partialRows: Math.max(0, text.split('\n').length - 2) };
  })();
  return {
    stop: async () => {
      stopped = true;
      current?.kill('SIGTERM');
      return done;
    },
  };
}

async function benchDatabase(database, postgresUrl) {
  const rows = [];
  log(`${database}: creating the demo in ${path.join(workDir, database)}`);
  const demo = await createDemo(database, postgresUrl);
  const db = database === 'sqlite' ? 'SQLite' : 'PostgreSQL';

  let portal = await startPortal(demo);
  const organisation = await organisationOf(demo, portal.port);
  let filled = false;
  if (existsSync(fillInventory)) {
    await stopProcess(portal.child); // the filler writes alone
    log(`${database}: filling organisation ${organisation} with ${certificates} server certificates`);
    const started = Date.now();
    await run(fillInventory, ['--database', demo.databaseUrl, '--organisation', String(organisation), '--count', String(certificates)], { timeoutMs: 1_800_000 });
    log(`${database}: filled in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    filled = true;
    portal = await startPortal(demo);
  } else {
    log(`${fillInventory} is missing: measuring the plain demo (about 25 certificates)`);
  }
  const nginx = await startNginx(demo);
  const name = (what) => `${db}${filled ? '' : ' (demo data only)'}: ${what}`;
  const overview = `/organisaties/${organisation}/servercertificaten`;
  const apiList = `/api/v1/organisations/${organisation}/server-certificates?limit=25`;
  const on = (port) => (urlPath, options) => [port, demo, urlPath, options];

  try {
    const page = await get(demo, portal.port, overview);
    const shownRows = (page.body.match(/<tr\b/g) ?? []).length - 1;
    log(`${database}: the overview shows ${shownRows} rows; organisation ${organisation}`);

    const n = on(nginx.port);
    const p = on(portal.port);
    const baseline = await measure('nginx 10 KB static, keep-alive', ...n('/static-10k.css'));
    const baselineNew = await measure('nginx 10 KB static, new connection', ...n('/static-10k.css', { mode: 'new-connection', connections: NEW_CONNECTION_CLIENTS }));

    const keepalive = [
      ['GET /static/mijncert.css', '/static/mijncert.css', {}, 0.5],
      ['GET /api/v1/me, no cookie', '/api/v1/me', {}, 0.5],
      ['GET /api/v1/me, session', '/api/v1/me', { session: true }, 0.5],
      ['GET / (dashboard), session', '/', { session: true }, 0.3],
      [`GET ${overview} (25 rows), session`, overview, { session: true }, 0.3],
      [`GET ${apiList}, no cookie`, apiList, {}, 0.3],
    ];
    for (const [label, urlPath, options, minimum] of keepalive) {
      const result = await measure(label, ...p(urlPath, options));
      const what = `${label}, ${KEEPALIVE_CLIENTS} keep-alive conns`;
      rows.push(throughputRow(name(what), baseline, result, minimum), latencyRow(name(what), baseline, result));
    }

    const duringExport = [];
    const exports = exportLoop(demo, portal.port, organisation);
    await sleep(1000); // the first export is streaming
    try {
      for (const [label, urlPath, options] of [
        ['GET /api/v1/me, no cookie', '/api/v1/me', {}],
        [`GET ${overview}, session`, overview, { session: true }],
      ]) {
        const result = await measure(`${label}, during CSV exports`, ...p(urlPath, options));
        duringExport.push(latencyRow(name(`${label}, ${KEEPALIVE_CLIENTS} keep-alive conns, during CSV export`), null, result));
      }
    } finally {
      const { completed, failed, partialRows } = await exports.stop();
      log(`${database}: CSV exports during the measurements: ${completed} completed, ${failed} failed; ` +
        `the last one had received ${partialRows} rows when it was stopped`);
      // Without a streaming export these rows measured something else.
      for (const row of duringExport) {
        if (failed) [row[0], row[5]] = [`${row[0]} [${failed} exports failed]`, 'FAIL'];
      }
      rows.push(...duringExport);
    }

    for (const [label, urlPath, options] of [
      ['GET /api/v1/me, no cookie', '/api/v1/me', {}],
      ['GET / (dashboard), no cookie', '/', {}],
    ]) {
      const result = await measure(`${label}, new connection`, ...p(urlPath, { ...options, mode: 'new-connection', connections: NEW_CONNECTION_CLIENTS }));
      rows.push(throughputRow(name(`${label}, new TLS connection each, ${NEW_CONNECTION_CLIENTS} clients`), baselineNew, result, 0.8));
    }
  } finally {
    await stopProcess(nginx.child);
    await stopProcess(portal.child);
  }
  return rows;
}

/** The rows of bench/micro.sh (TSV with six fields); its other lines are passed on as logs. */
async function microRows() {
  if (!existsSync(microScript)) return [];
  log('running bench/micro.sh');
  const child = spawn('bash', [microScript], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, BUILD_DIR: buildDir } });
  children.add(child);
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
  const [code] = await once(child, 'exit');
  children.delete(child);
  const rows = [];
  for (const line of stdout.split('\n')) {
    const fields = line.split('\t');
    if (!line.startsWith('#') && fields.length === 6) rows.push(fields);
    else if (line.trim()) console.error(line.startsWith('#') ? line : `# micro.sh: ${line}`);
  }
  if (code !== 0) rows.push(['bench/micro.sh', '-', '-', '-', 'exit code 0', `FAIL (exit code ${code})`]);
  return rows;
}

function printTable(rows) {
  const header = ['measurement', 'baseline', 'portal', 'ratio', 'target', 'PASS/FAIL'];
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((row) => String(row[i]).length)));
  const line = (row) => row.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join(' | ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
  for (const row of rows) console.log(line(row));
}

async function main() {
  for (const program of [mijncert, loadClient]) {
    if (!existsSync(program)) throw new Error(`${program} is not built (make bench builds it)`);
  }
  if (!existsSync('/usr/sbin/nginx')) throw new Error('nginx is not installed (scripts/setup.sh installs it)');
  await mkdir(workDir, { recursive: true });
  log(`${os.cpus().length} CPUs (${os.cpus()[0]?.model}); ${seconds} s per run after ${warmup} s warm-up, median of ${repeat}`);
  const rows = [];
  for (const database of databases) {
    await rm(path.join(workDir, database), { recursive: true, force: true });
    if (database === 'postgresql') {
      const url = await startPostgres();
      if (url) rows.push(...(await benchDatabase(database, url)));
      else rows.push(['PostgreSQL: no server could be started', '-', '-', '-', '-', 'FAIL']);
    } else if (database === 'sqlite') {
      rows.push(...(await benchDatabase(database)));
    } else {
      throw new Error(`BENCH_DATABASES: unknown database ${database}`);
    }
  }
  rows.push(...(await microRows()));
  await writeFile(path.join(workDir, 'results.tsv'), rows.map((row) => row.join('\t')).join('\n') + '\n');
  console.log(`\nmake bench: ${new Date().toISOString().slice(0, 10)}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model}); ` +
    `median of ${repeat} runs of ${seconds} s; HTTP baseline: nginx, ${STATIC_FILE_BYTES / 1024} KB static file, same mutual TLS; ` +
    `organisation with ${certificates} server certificates\n`);
  printTable(rows);
  const failed = rows.filter((row) => !row[5].startsWith('PASS')).length;
  console.log(`\n${rows.length - failed} of ${rows.length} targets met (rows also in var/bench/results.tsv)`);
}

main().catch((error) => {
  console.error(`bench/suite.mjs: ${error.stack ?? error.message}`);
  process.exitCode = 1;
});
