// HTTPS with mutual TLS against a running server: one client per test file, one https.Agent per
// identity (a connection, and its TLS session, is never shared between two identities), raw TLS
// sockets for requests node's HTTP client cannot express, and `openssl s_client` for protocol checks.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';

const REQUEST_TIMEOUT_MS = 10_000;
const ANONYMOUS = '(no certificate)';

/** Parses one Set-Cookie header: {name, value, attributes: {lowercased name: value or true}}. */
export function parseSetCookie(header) {
  const [pair, ...rest] = header.split(';');
  const eq = pair.indexOf('=');
  const attributes = {};
  for (const part of rest) {
    const trimmed = part.trim();
    if (!trimmed) continue;
    const i = trimmed.indexOf('=');
    if (i < 0) attributes[trimmed.toLowerCase()] = true;
    else attributes[trimmed.slice(0, i).trim().toLowerCase()] = trimmed.slice(i + 1).trim();
  }
  return { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), attributes, raw: header };
}

/** The value of the csrf_token hidden input in an HTML page (the logout form), or null. */
export function csrfTokenFrom(html) {
  for (const [input] of html.matchAll(/<input\b[^>]*>/gi)) {
    if (!/\bname\s*=\s*"csrf_token"/i.test(input)) continue;
    const value = input.match(/\bvalue\s*=\s*"([^"]*)"/i);
    if (value) return value[1];
  }
  return null;
}

/** An HTTP response with the few views the tests need. */
export class Response {
  constructor({ status, headers, bytes, origin, tlsInfo }) {
    this.status = status;
    this.headers = headers; // lower-case names; set-cookie is an array
    this.bytes = bytes; // the body as received (a Buffer)
    this.body = bytes.toString('utf8');
    this.origin = origin;
    this.tls = tlsInfo;
  }

  header(name) {
    return this.headers[name.toLowerCase()];
  }

  get setCookies() {
    const raw = this.headers['set-cookie'] ?? [];
    return (Array.isArray(raw) ? raw : [raw]).map(parseSetCookie);
  }

  /** The parsed Set-Cookie for NAME, or undefined when the response does not set it. */
  cookie(name) {
    return this.setCookies.find((c) => c.name === name);
  }

  /** The Location header resolved against the server's public origin (a URL), or null. */
  get location() {
    const location = this.header('location');
    return location === undefined ? null : new URL(location, this.origin);
  }

  json() {
    return JSON.parse(this.body);
  }

  toString() {
    return `HTTP ${this.status} ${JSON.stringify(this.headers)}\n${this.body.slice(0, 2000)}`;
  }
}

/** Client certificate and key (PEM) of a demo user, or {} for a request without certificate. */
function credentials(demo, identity) {
  if (identity === null || identity === undefined) return {};
  const user = demo.users[identity];
  if (!user) throw new Error(`unknown demo identity ${identity}`);
  return { cert: readFileSync(user.certPath), key: readFileSync(user.keyPath) };
}

/**
 * Client for one running server (see server.mjs). `request(identity, method, path, options)`
 * sends one request as demo user IDENTITY (null: no client certificate).
 */
export class PortalClient {
  constructor(server) {
    this.server = server;
    this.port = server.port;
    this.origin = server.origin;
    this.ca = readFileSync(server.demo.rootCa);
    this.agents = new Map();
  }

  tlsOptions(identity, extra = {}) {
    return {
      host: '127.0.0.1',
      port: this.port,
      servername: 'localhost',
      ca: this.ca,
      ...credentials(this.server.demo, identity),
      ...extra,
    };
  }

  /** The agent of IDENTITY: created on first use, never shared with another identity. */
  agent(identity) {
    const key = identity ?? ANONYMOUS;
    if (!this.agents.has(key)) {
      const { host, port, ...options } = this.tlsOptions(identity);
      this.agents.set(key, new https.Agent({ keepAlive: false, ...options }));
    }
    return this.agents.get(key);
  }

  /**
   * Sends METHOD PATH as IDENTITY. options: headers, body (string or Buffer), cookies
   * ({name: value}), form ({field: value}, sent as application/x-www-form-urlencoded),
   * tls (extra TLS options; then a one-off connection is used instead of the identity's agent).
   */
  request(identity, method, path, options = {}) {
    const headers = { host: `localhost:${this.port}`, ...lowerCaseKeys(options.headers ?? {}) };
    let body = options.body;
    if (options.form) {
      body = new URLSearchParams(options.form).toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    }
    if (options.cookies) {
      headers.cookie = Object.entries(options.cookies).map(([n, v]) => `${n}=${v}`).join('; ');
    }
    if (body !== undefined) headers['content-length'] ??= String(Buffer.byteLength(body));
    const requestOptions = options.tls
      ? { ...this.tlsOptions(identity, options.tls), agent: false }
      : { host: '127.0.0.1', port: this.port, agent: this.agent(identity) };
    return new Promise((resolve, reject) => {
      const request = https.request({ ...requestOptions, method, path, headers }, (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const socket = response.socket;
          resolve(new Response({
            status: response.statusCode,
            headers: response.headers,
            bytes: Buffer.concat(chunks),
            origin: this.origin,
            tlsInfo: socket ? { protocol: socket.getProtocol?.(), reused: socket.isSessionReused?.() } : {},
          }));
        });
      });
      request.setTimeout(options.timeoutMs ?? REQUEST_TIMEOUT_MS, () => {
        request.destroy(new Error(`${method} ${path} as ${identity ?? ANONYMOUS}: no response in time`));
      });
      request.on('error', reject);
      request.end(body);
    });
  }

  /** GET as IDENTITY (shorthand). */
  get(identity, path, options) {
    return this.request(identity, 'GET', path, options);
  }

  /** Opens a raw TLS connection as IDENTITY (bounded); see RawConnection. */
  async connect(identity, extra = {}) {
    return RawConnection.open(this.tlsOptions(identity, extra), this.origin);
  }

  close() {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}

function lowerCaseKeys(object) {
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k.toLowerCase(), v]));
}

/**
 * A raw TLS connection: write bytes as they are and read one HTTP/1.1 response, for requests
 * with a body that is sent later, an oversized header, or a lying Content-Length.
 */
export class RawConnection {
  static open(options, origin, timeoutMs = REQUEST_TIMEOUT_MS) {
    return new Promise((resolve, reject) => {
      const socket = tls.connect(options);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error('TLS handshake did not complete in time'));
      }, timeoutMs);
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        socket.removeListener('error', reject);
        resolve(new RawConnection(socket, origin));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  constructor(socket, origin) {
    this.socket = socket;
    this.origin = origin;
    this.received = Buffer.alloc(0);
    this.closed = false;
    this.error = null;
    this.waiters = new Set();
    socket.on('data', (chunk) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.notify();
    });
    socket.on('error', (error) => {
      this.error = error;
      this.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  notify() {
    for (const waiter of this.waiters) waiter();
  }

  /** Writes DATA; resolves when it is handed to the kernel, or with the write error. */
  write(data) {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve(new Error('socket already closed'));
      this.socket.write(data, (error) => resolve(error ?? null));
    });
  }

  /**
   * Waits at most timeoutMs for one complete HTTP response. Returns a Response, or null when the
   * server closed the connection (or reset it) without a complete response, or on timeout.
   */
  readResponse(timeoutMs = REQUEST_TIMEOUT_MS) {
    return new Promise((resolve) => {
      let timer;
      const check = () => {
        const response = parseHttpResponse(this.received, this.closed, this.origin);
        if (response || this.closed || this.error) {
          finish(response);
        }
      };
      const finish = (response) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(response ?? null);
      };
      timer = setTimeout(() => finish(parseHttpResponse(this.received, true, this.origin)), timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  destroy() {
    this.socket.destroy();
  }
}

/**
 * Parses one HTTP/1.1 response from BYTES; null while incomplete. Handles Content-Length,
 * chunked and close-delimited bodies (the last only when CLOSED).
 */
export function parseHttpResponse(bytes, closed, origin) {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const lines = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const statusLine = lines.shift().match(/^HTTP\/1\.[01] (\d{3})/);
  if (!statusLine) return null;
  const headers = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    if (name === 'set-cookie') (headers[name] ??= []).push(value);
    else headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const rest = bytes.subarray(end + 4);
  let body;
  if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length']);
    if (rest.length < length) return null;
    body = rest.subarray(0, length);
  } else if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
    body = dechunk(rest);
    if (!body) return null;
  } else {
    if (!closed) return null;
    body = rest;
  }
  return new Response({ status: Number(statusLine[1]), headers, bytes: body, origin, tlsInfo: {} });
}

function dechunk(bytes) {
  const parts = [];
  let offset = 0;
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', offset);
    if (lineEnd < 0) return null;
    const size = parseInt(bytes.subarray(offset, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) return null;
    if (size === 0) return Buffer.concat(parts);
    const start = lineEnd + 2;
    if (bytes.length < start + size + 2) return null;
    parts.push(bytes.subarray(start, start + size));
    offset = start + size + 2;
  }
}

/**
 * Runs `openssl s_client -brief` against 127.0.0.1:PORT with extra ARGS, stdin closed, bounded.
 * Returns {connected, protocol, code, output}: connected is true when the handshake completed.
 */
export function opensslHandshake(port, args, { timeoutMs = 10_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn('openssl', ['s_client', '-brief', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const protocol = output.match(/Protocol version:\s*(\S+)/)?.[1] ?? null;
      resolve({ connected: /CONNECTION ESTABLISHED/.test(output), protocol, code, signal, output });
    });
  });
}
