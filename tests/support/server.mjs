// Starts and stops a real `mijncert` server on a fresh demo (PRODUCT.md §9) for the integration
// and browser suites. Every wait is bounded: a test never hangs on a server that does not start,
// does not answer or does not stop.
import { spawn, execFile } from 'node:child_process';
import { appendFile, mkdtemp, rm, readFile, writeFile, access } from 'node:fs/promises';
import { once } from 'node:events';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDemoDatabase, dropDemoDatabase } from './database.mjs';

export { dropDemoDatabase };

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The server binary under test; MIJNCERT_BIN overrides the default build/mijncert. */
export const binaryPath = process.env.MIJNCERT_BIN ?? path.join(repoRoot, 'build', 'mijncert');

/** The identities of PRODUCT.md §9, each with NAME.crt, NAME.key and NAME.p12 in DIR/users. */
export const demoUsers = Object.freeze([
  'representative', 'contact', 'manager', 'other', 'professional',
  'servicedesk', 'stranger', 'expired', 'revoked', 'foreign',
]);

const INIT_DEV_TIMEOUT_MS = 30_000;
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;

function execFileBounded(file, args, timeoutMs) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (error) {
        error.message += `\nstdout: ${stdout}\nstderr: ${stderr}`;
        reject(error);
      } else {
        resolve({ stdout, stderr });
      }
    });
  });
}

/**
 * Creates a demo with `mijncert init-dev` in DIR (a new temporary directory when omitted) and
 * returns its paths and database: {dir, config, rootCa, dialect, databaseUrl,
 * users: {NAME: {name, certPath, keyPath, p12Path}}}. The database is SQLite in DIR, or a new
 * PostgreSQL database when MIJNCERT_TEST_DATABASE_URL is set (see database.mjs).
 */
export async function createDemo(dir) {
  await access(binaryPath).catch(() => {
    throw new Error(`server binary ${binaryPath} is missing: build it first (cmake --build build)`);
  });
  const demoDir = dir ?? (await mkdtemp(path.join(os.tmpdir(), 'mijncert-demo-')));
  const database = await createDemoDatabase(demoDir);
  const databaseArgs = database.dialect === 'postgresql' ? ['--database', database.databaseUrl] : [];
  try {
    await execFileBounded(binaryPath, ['init-dev', '--dir', demoDir, ...databaseArgs], INIT_DEV_TIMEOUT_MS);
  } catch (error) {
    await dropDemoDatabase(database).catch(() => {});
    throw error;
  }
  const users = {};
  for (const name of demoUsers) {
    users[name] = {
      name,
      certPath: path.join(demoDir, 'users', `${name}.crt`),
      keyPath: path.join(demoDir, 'users', `${name}.key`),
      p12Path: path.join(demoDir, 'users', `${name}.p12`),
    };
  }
  return {
    dir: demoDir,
    config: path.join(demoDir, 'mijncert.toml'),
    rootCa: path.join(demoDir, 'pki', 'root-ca.crt'),
    serverCert: path.join(demoDir, 'tls', 'server.crt'),
    serverKey: path.join(demoDir, 'tls', 'server.key'),
    ...database,
    users,
  };
}

/** Removes DEMO's directory and drops its PostgreSQL database, if it has one. */
export async function removeDemo(demo) {
  await rm(demo.dir, { recursive: true, force: true });
  await dropDemoDatabase(demo);
}

/** A TCP port that is free right now on 127.0.0.1 (bind port 0, read it, release it). */
export async function freePort() {
  const probe = net.createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function healthz(port, rootCa) {
  return new Promise((resolve) => {
    const request = https.get(
      { host: '127.0.0.1', port, path: '/healthz', ca: rootCa, servername: 'localhost', agent: false, timeout: 2000 },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode, body }));
        response.on('error', () => resolve(null));
      },
    );
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(null));
  });
}

/**
 * A running `mijncert serve`. `logs()` returns everything it wrote to stderr so far;
 * `exited` resolves with {code, signal} when the process ends.
 */
export class RunningServer {
  constructor(child, demo, port) {
    this.child = child;
    this.demo = demo;
    this.port = port;
    this.origin = `https://localhost:${port}`;
    this.pid = child.pid;
    this.stderr = '';
    this.stdout = '';
    child.stderr.setEncoding('utf8').on('data', (chunk) => (this.stderr += chunk));
    child.stdout.setEncoding('utf8').on('data', (chunk) => (this.stdout += chunk));
    this.exitStatus = null;
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.exitStatus = { code, signal };
        resolve(this.exitStatus);
      });
    });
  }

  /** Everything the server wrote to stdout and stderr (its request log). */
  logs() {
    return this.stdout + this.stderr;
  }

  get running() {
    return this.exitStatus === null;
  }

  /**
   * Waits at most timeoutMs for the process to exit; returns {code, signal} or null on timeout.
   */
  async waitForExit(timeoutMs) {
    let timer;
    const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Stops the server with SIGTERM (graceful) and waits at most timeoutMs; kills it with SIGKILL
   * when it does not stop in time. Returns {code, signal, forced}.
   */
  async stop({ timeoutMs = STOP_TIMEOUT_MS } = {}) {
    if (!this.running) return { ...this.exitStatus, forced: false };
    this.child.kill('SIGTERM');
    const status = await this.waitForExit(timeoutMs);
    if (status) return { ...status, forced: false };
    this.child.kill('SIGKILL');
    const killed = await this.waitForExit(5000);
    return { ...(killed ?? { code: null, signal: 'SIGKILL' }), forced: true };
  }
}

/**
 * Starts `mijncert serve` for DEMO on a free port and waits (bounded) until /healthz answers 200.
 * PUBLIC_ORIGIN defaults to the server's own origin (another one for nodes behind one balancer).
 */
export async function startServer(demo, { port, publicOrigin, timeoutMs = START_TIMEOUT_MS } = {}) {
  const listenPort = port ?? (await freePort());
  const child = spawn(
    binaryPath,
    ['serve', '--config', demo.config, '--listen', `127.0.0.1:${listenPort}`,
      '--public-origin', publicOrigin ?? `https://localhost:${listenPort}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const server = new RunningServer(child, demo, listenPort);
  let spawnError = null;
  child.on('error', (error) => (spawnError = error));
  const rootCa = await readFile(demo.rootCa);
  const deadline = Date.now() + timeoutMs;
  let last = null;
  while (Date.now() < deadline) {
    if (!server.running) {
      throw new Error(`mijncert serve exited early (${JSON.stringify(server.exitStatus)}):\n${server.logs()}`);
    }
    if (spawnError) throw spawnError;
    last = await healthz(listenPort, rootCa);
    if (last?.status === 200) return server;
    await sleep(100);
  }
  await server.stop({ timeoutMs: 2000 });
  throw new Error(
    `mijncert serve did not answer /healthz with 200 within ${timeoutMs} ms (last: ${JSON.stringify(last)}):\n${server.logs()}`,
  );
}

/**
 * Sets KEYS ({key: value}) in the [server] table of the demo configuration TEXT: a key the demo
 * already sets is replaced (TOML allows no key twice), another one is added.
 */
function withServerKeys(text, keys) {
  const start = text.search(/^\[server\]$/m);
  if (start < 0) throw new Error('the demo configuration has no [server] table');
  const next = text.slice(start + 1).search(/^\[/m);
  const end = next < 0 ? text.length : start + 1 + next;
  let table = text.slice(start, end);
  for (const [key, value] of Object.entries(keys)) {
    const line = `${key} = ${JSON.stringify(value)}`;
    const existing = new RegExp(`^${key}\\s*=.*$`, 'm');
    table = existing.test(table) ? table.replace(existing, line) : table.replace(/^\[server\]$/m, `[server]\n${line}`);
  }
  return text.slice(0, start) + table + text.slice(end);
}

/**
 * Creates a demo in a new temporary directory and starts a server on it; `options.config` is TOML
 * text appended to its mijncert.toml first (extra tables), `options.serverKeys` ({key: value})
 * are set in its [server] table, and `options.edit` (text → text) rewrites it last. `close()` stops the server (SIGTERM, then SIGKILL) and removes
 * the directory and database; call it from an `after` hook.
 */
export async function startDemoServer({ config, serverKeys, edit, ...options } = {}) {
  const demo = await createDemo();
  let server;
  try {
    if (config) await appendFile(demo.config, `\n${config}\n`);
    if (serverKeys) await writeFile(demo.config, withServerKeys(await readFile(demo.config, 'utf8'), serverKeys));
    if (edit) await writeFile(demo.config, edit(await readFile(demo.config, 'utf8')));
    server = await startServer(demo, options);
  } catch (error) {
    await removeDemo(demo);
    throw error;
  }
  server.close = async () => {
    const status = await server.stop();
    if (!process.env.MIJNCERT_KEEP_DEMO) await removeDemo(demo);
    return status;
  };
  return server;
}
