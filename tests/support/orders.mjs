// Helpers for the server certificate order tests (docs/architecture.md §One order): keys and CSRs
// made with `openssl req`, CMS detached signatures made with `openssl cms -sign`, multipart bodies,
// the JSON API calls of an order (create, document, signature, approve) and the Dutch message texts
// of src/web/messages/nl/*.toml, so that a test asserts the exact text a user sees.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './server.mjs';
import { SESSION_COOKIE, assertSessionCookie } from './assertions.mjs';
import { csrfTokenFrom } from './tls.mjs';

export const DAY_MS = 86_400_000;
/** The term of a server certificate (PRODUCT.md §5: 2 years). */
export const TERM_DAYS = 730;

const OPENSSL_TIMEOUT_MS = 20_000;

/** Runs openssl with ARGS (bounded); resolves {stdout, stderr} as Buffers, rejects with both. */
export function openssl(args, { input } = {}) {
  return new Promise((resolve, reject) => {
    const child = execFile('openssl', args, { encoding: 'buffer', timeout: OPENSSL_TIMEOUT_MS, killSignal: 'SIGKILL',
      maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        error.message += `\nopenssl ${args.join(' ')}\nstdout: ${stdout}\nstderr: ${stderr}`;
        reject(error);
      } else {
        resolve({ stdout, stderr });
      }
    });
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

// ----- temporary files -----

let workDir = null;
let counter = 0;

/** A fresh path in this process's temporary directory (created on first use). */
export async function tempPath(name) {
  workDir ??= await mkdtemp(path.join(os.tmpdir(), 'mijncert-orders-'));
  counter += 1;
  return path.join(workDir, `${counter}-${name}`);
}

/** Removes the temporary directory; call from an `after` hook. */
export async function removeTempFiles() {
  if (workDir && !process.env.MIJNCERT_KEEP_DEMO) await rm(workDir, { recursive: true, force: true });
  workDir = null;
}

// ----- keys and CSRs -----

/** "DNS:name" for a plain name; "IP:…" and other typed entries are kept as they are. */
function sanEntry(name) {
  return /^(DNS|IP|email|URI|RID|dirName|otherName):/.test(name) ? name : `DNS:${name}`;
}

/**
 * Makes a key and a CSR with `openssl req`. cn: the Common Name (omitted when null); sans: the
 * subjectAltName entries (plain names are DNS names; [] for none); key: an existing key file to
 * use instead of a new one; keyAlgorithm: 'ec' (P-256, default), 'ec384', 'rsa2048', 'rsa1024'.
 * Returns {csrPem, csrPath, keyPath}.
 */
export async function makeCsr({ cn, sans, key, keyAlgorithm = 'ec', subject } = {}) {
  const names = sans ?? (cn ? [cn] : []);
  const csrPath = await tempPath('request.csr');
  const args = ['req', '-new', '-sha256', '-out', csrPath, '-subj', subject ?? (cn ? `/C=NL/O=Test/CN=${cn}` : '/C=NL/O=Test')];
  let keyPath = key;
  if (key) {
    args.push('-key', key);
  } else {
    keyPath = await tempPath('server.key');
    args.push('-nodes', '-keyout', keyPath);
    if (keyAlgorithm === 'ec') args.push('-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256');
    else if (keyAlgorithm === 'ec384') args.push('-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384');
    else if (keyAlgorithm === 'rsa2048') args.push('-newkey', 'rsa:2048');
    else if (keyAlgorithm === 'rsa1024') args.push('-newkey', 'rsa:1024');
    else throw new Error(`unknown key algorithm ${keyAlgorithm}`);
  }
  if (names.length) args.push('-addext', `subjectAltName=${names.map(sanEntry).join(',')}`);
  await openssl(args);
  return { csrPem: await readFile(csrPath, 'utf8'), csrPath, keyPath };
}

/** The public key (SPKI PEM) of a CSR, certificate or key, as openssl prints it. */
export async function publicKeyOf(kind, pem) {
  const file = await tempPath(`${kind}.pem`);
  await writeFile(file, pem);
  const args = kind === 'req' ? ['req', '-in', file, '-noout', '-pubkey']
    : kind === 'x509' ? ['x509', '-in', file, '-noout', '-pubkey']
      : ['pkey', '-in', file, '-pubout'];
  const { stdout } = await openssl(args);
  return stdout.toString('utf8').trim();
}

/** The DNS names in the subjectAltName of a CSR PEM, in order. */
export async function csrDnsNames(csrPem) {
  const file = await tempPath('names.csr');
  await writeFile(file, csrPem);
  const { stdout } = await openssl(['req', '-in', file, '-noout', '-text']);
  const text = stdout.toString('utf8');
  const line = text.match(/X509v3 Subject Alternative Name:[^\n]*\n\s*([^\n]*)/)?.[1] ?? '';
  return [...line.matchAll(/DNS:([^,\s]+)/g)].map((m) => m[1]);
}

/** The DNS names in a certificate PEM's subjectAltName, in order. */
export function certificateDnsNames(pem) {
  const san = new X509Certificate(pem).subjectAltName ?? '';
  return [...san.matchAll(/DNS:([^,\s]+)/g)].map((m) => m[1]);
}

/**
 * Runs `openssl verify -CAfile root -untrusted <issuing CA + intermediates>` on a server
 * certificate PEM issued by the demo's tls-ca; returns {ok, output}.
 */
export async function verifyServerCertificate(demo, pem) {
  const pki = path.join(demo.dir, 'pki');
  const certFile = await tempPath('issued.crt');
  await writeFile(certFile, pem);
  const untrusted = await tempPath('untrusted.pem');
  const parts = [];
  for (const name of ['tls-ca.crt', 'tls-intermediate-ca.crt', 'tls-ca-chain.pem']) {
    const file = path.join(pki, name);
    if (existsSync(file)) parts.push(readFileSync(file, 'utf8'));
  }
  await writeFile(untrusted, parts.join('\n'));
  try {
    const { stdout, stderr } = await openssl(['verify', '-CAfile', demo.rootCa, '-untrusted', untrusted, '-purpose', 'sslserver', certFile]);
    return { ok: true, output: `${stdout}${stderr}` };
  } catch (error) {
    return { ok: false, output: error.message };
  }
}

// ----- signatures -----

/** The certificate and key files of demo user NAME (also the ones not in demoUsers, e.g. "both"). */
export function userFiles(demo, name) {
  return { certPath: path.join(demo.dir, 'users', `${name}.crt`), keyPath: path.join(demo.dir, 'users', `${name}.key`) };
}

/**
 * Signs DOCUMENT (string or Buffer, signed byte for byte) with `openssl cms -sign -binary` as
 * demo user SIGNER (a name, or {certPath, keyPath}); outform 'DER' (default) or 'PEM'.
 * Returns the signature as a Buffer.
 */
export async function signDocument(demo, signer, document, { outform = 'DER', md = 'sha256', extra = [] } = {}) {
  const { certPath, keyPath } = typeof signer === 'string' ? userFiles(demo, signer) : signer;
  const documentFile = await tempPath('bestelling.txt');
  const signatureFile = await tempPath('bestelling.p7s');
  await writeFile(documentFile, document);
  await openssl(['cms', '-sign', '-binary', '-in', documentFile, '-signer', certPath, '-inkey', keyPath,
    '-md', md, '-outform', outform, '-out', signatureFile, ...extra]);
  return readFile(signatureFile);
}

// ----- messages -----

const messageCache = new Map();

/** The message texts of src/web/messages/LANG/*.toml, by full key ("csr.sans.ip_address"). */
export function messages(language = 'nl') {
  if (messageCache.has(language)) return messageCache.get(language);
  const dir = path.join(repoRoot, 'src', 'web', 'messages', language);
  const table = new Map();
  for (const file of readdirSync(dir).filter((entry) => entry.endsWith('.toml')).sort()) {
    const full = path.join(dir, file);
    let section = '';
    for (const raw of readFileSync(full, 'utf8').split('\n')) {
      const line = raw.trim();
      if (!line || line.startsWith('#')) continue;
      const header = line.match(/^\[([^\]]+)\]$/);
      if (header) {
        section = header[1].trim();
        continue;
      }
      const pair = line.match(/^("[^"]+"|[A-Za-z0-9_.-]+)\s*=\s*("(?:[^"\\]|\\.)*")\s*(#.*)?$/);
      if (pair) {
        const name = pair[1].startsWith('"') ? JSON.parse(pair[1]) : pair[1];
        table.set(section ? `${section}.${name}` : name, JSON.parse(pair[2]));
      }
    }
  }
  messageCache.set(language, table);
  return table;
}

/** The Dutch text of KEY; throws when the key is not in the message files (a typo in a test). */
export function message(key, language = 'nl') {
  // Re-read once when a key is missing: the message files may gain keys while the server grows.
  let text = messages(language).get(key);
  if (text === undefined) {
    messageCache.delete(language);
    text = messages(language).get(key);
  }
  if (text === undefined) throw new Error(`message key ${key} is not in src/web/messages/${language}/*.toml`);
  return text;
}

// ----- multipart -----

export const BOUNDARY = '----mijncert-orders-boundary-7MA4YWxkTrZu0gW';

/**
 * A multipart/form-data body: FIELDS {name: value}, FILES {name: {filename, content, type}}.
 * Returns {body, contentType}.
 */
export function multipart(fields = {}, files = {}) {
  const parts = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`));
    parts.push(Buffer.from(String(value)), Buffer.from('\r\n'));
  }
  for (const [name, { filename, content, type = 'application/octet-stream' }] of Object.entries(files)) {
    parts.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\n` +
      `Content-Type: ${type}\r\n\r\n`));
    parts.push(Buffer.isBuffer(content) ? content : Buffer.from(content), Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${BOUNDARY}` };
}

// ----- problems -----

/**
 * Asserts an application/problem+json response with STATUS; with FIELD, also that errors[]
 * has an entry for FIELD (and, with MESSAGE, that its message is exactly MESSAGE). Returns the problem.
 */
export function assertProblem(response, status, field, expectedMessage) {
  assert.equal(response.status, status, response.toString());
  assert.match(response.header('content-type') ?? '', /^application\/problem\+json/, `content-type of ${response.toString()}`);
  const problem = response.json();
  assert.equal(problem.status, status, response.body);
  if (field !== undefined) {
    const entries = (problem.errors ?? []).filter((e) => e.field === field);
    assert.ok(entries.length, `no error for field ${field}: ${response.body}`);
    if (expectedMessage !== undefined) {
      assert.ok(entries.some((e) => e.message === expectedMessage),
        `field ${field}: expected the message ${JSON.stringify(expectedMessage)}, got ${JSON.stringify(entries.map((e) => e.message))}`);
    }
  }
  return problem;
}

/** The HTML-escaped form of TEXT as the templates write it. */
export function escapeHtml(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Decodes the entities the templates write. */
export function unescapeHtml(text) {
  return text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&#x27;/g, "'").replace(/&apos;/g, "'").replace(/&#x2F;/gi, '/')
    .replace(/&#x3D;/gi, '=').replace(/&#x60;/gi, '`').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Whether HTML contains TEXT literally or after unescaping. */
export function htmlIncludes(html, text) {
  return html.includes(text) || html.includes(escapeHtml(text)) || unescapeHtml(html).includes(text);
}

/** "DD-MM-YYYY" (UTC) as core::toDutchDate writes it. */
export function dutchDate(iso) {
  const d = new Date(iso);
  const pad = (n) => String(n).padStart(2, '0');
  return `${pad(d.getUTCDate())}-${pad(d.getUTCMonth() + 1)}-${d.getUTCFullYear()}`;
}

// ----- the API of an order -----

/**
 * The order API for one test file's portal ({server, client, demo} of withDemoServer()).
 */
export function orderApi(portal) {
  const sameOrigin = () => ({ origin: portal.server.origin, 'sec-fetch-site': 'same-origin' });

  const api = {
    /** POST BODY (JSON) to PATH as IDENTITY, with the headers a same-origin fetch sends. */
    postJson(identity, urlPath, body = {}, headers = {}) {
      return portal.client.request(identity, 'POST', urlPath, {
        headers: { 'content-type': 'application/json', accept: 'application/json', ...sameOrigin(), ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    },

    /** GET PATH as IDENTITY (JSON accepted). */
    get(identity, urlPath, headers = {}) {
      return portal.client.get(identity, urlPath, { headers: { accept: 'application/json', ...headers } });
    },

    /** GET PATH as IDENTITY and assert 200 JSON; returns the body. */
    async getJson(identity, urlPath) {
      const response = await api.get(identity, urlPath);
      assert.equal(response.status, 200, `GET ${urlPath} as ${identity}: ${response.toString()}`);
      assert.match(response.header('content-type') ?? '', /^application\/json/, `content-type of GET ${urlPath}`);
      return response.json();
    },

    /** The organisation id of IDENTITY's first role. */
    async organisationOf(identity) {
      const me = await api.getJson(identity, '/api/v1/me');
      assert.ok(me.roles?.length, `${identity} has no roles`);
      return me.roles[0].organisation_id;
    },

    /** The person id of IDENTITY. */
    async personOf(identity) {
      return (await api.getJson(identity, '/api/v1/me')).person.id;
    },

    /** GET /api/v1/organisations/ID as IDENTITY. */
    organisation(identity, id) {
      return api.getJson(identity, `/api/v1/organisations/${id}`);
    },

    /** POST /api/v1/orders. */
    createOrder(identity, body) {
      return api.postJson(identity, '/api/v1/orders', body);
    },

    /**
     * Makes a CSR (see makeCsr) and creates a server-new order for it as IDENTITY; asserts 201.
     * manager: {id} or {new: {...}}; defaults to the organisation's first manager.
     * Returns {order, csr: {csrPem, keyPath, csrPath}, response}.
     */
    async newOrder({ identity = 'contact', organisationId, cn, sans, manager, csr } = {}) {
      const organisation = organisationId ?? (await api.organisationOf(identity));
      let chosen = manager;
      if (!chosen) {
        const data = await api.organisation(identity, organisation);
        assert.ok(data.managers?.length, 'the organisation has no certificate manager');
        chosen = { id: data.managers[0].id };
      }
      const request = csr ?? (await makeCsr({ cn, sans }));
      const response = await api.createOrder(identity, {
        type: 'server-new', organisation_id: organisation, csr: request.csrPem, manager: chosen,
      });
      assert.equal(response.status, 201, `POST /api/v1/orders: ${response.toString()}`);
      const order = response.json();
      assert.ok(Number.isInteger(order.id), `order id: ${response.body}`);
      return { order, csr: request, response };
    },

    /** GET /api/v1/orders/ID as IDENTITY, asserting 200; returns the order JSON. */
    order(identity, id) {
      return api.getJson(identity, `/api/v1/orders/${id}`);
    },

    /** GET /api/v1/orders/ID/document as IDENTITY (the raw response). */
    documentResponse(identity, id) {
      return portal.client.get(identity, `/api/v1/orders/${id}/document`, { headers: { accept: 'text/plain' } });
    },

    /** The document of order ID as IDENTITY, asserting 200 text/plain. */
    async document(identity, id) {
      const response = await api.documentResponse(identity, id);
      assert.equal(response.status, 200, `GET document of ${id}: ${response.toString()}`);
      assert.match(response.header('content-type') ?? '', /^text\/plain/, 'document content-type');
      return response.body;
    },

    /** POST a signature (Buffer or string) for order ID as IDENTITY. */
    postSignature(identity, id, signature, contentType = 'application/pkcs7-signature') {
      return portal.client.request(identity, 'POST', `/api/v1/orders/${id}/signature`, {
        headers: { 'content-type': contentType, accept: 'application/json', ...sameOrigin() },
        body: signature,
      });
    },

    /**
     * Downloads order ID's document as IDENTITY, signs it as SIGNER (default IDENTITY) and posts
     * the signature. Returns the response (not asserted).
     */
    async signAndPost(identity, id, { signer = identity, outform = 'DER', document } = {}) {
      const text = document ?? (await api.document(identity, id));
      const signature = await signDocument(portal.demo, signer, text, { outform });
      return api.postSignature(identity, id, signature);
    },

    /** Signs and submits order ID as IDENTITY, asserting 200 and STATUS ("submitted"). */
    async submit(identity, id, status = 'submitted') {
      const response = await api.signAndPost(identity, id);
      assert.equal(response.status, 200, `POST signature of ${id}: ${response.toString()}`);
      const body = response.json();
      assert.equal(body.status, status, response.body);
      assert.equal(body.id, id);
      return body;
    },

    /** POST /api/v1/servicedesk/orders/ID/approve as IDENTITY (default servicedesk). */
    approve(id, identity = 'servicedesk') {
      return api.postJson(identity, `/api/v1/servicedesk/orders/${id}/approve`, {});
    },

    /** Approves order ID as the Servicedesk, asserting 200 issued; returns the body. */
    async approveOk(id) {
      const response = await api.approve(id);
      assert.equal(response.status, 200, `approve ${id}: ${response.toString()}`);
      const body = response.json();
      assert.equal(body.status, 'issued', response.body);
      assert.ok(Number.isInteger(body.certificate_id), `certificate_id: ${response.body}`);
      return body;
    },

    /** POST /api/v1/servicedesk/orders/ID/reject with REASON. */
    reject(id, reason, identity = 'servicedesk') {
      return api.postJson(identity, `/api/v1/servicedesk/orders/${id}/reject`, reason === undefined ? {} : { reason });
    },

    /** Creates, signs and submits an order as contact; returns {order, csr} with the order as submitted. */
    async submittedOrder(options = {}) {
      const created = await api.newOrder(options);
      await api.submit(options.identity ?? 'contact', created.order.id);
      return created;
    },

    /** The certificate JSON of ID (with pem) as IDENTITY. */
    certificate(identity, id) {
      return api.getJson(identity, `/api/v1/server-certificates/${id}`);
    },

    /** All server certificates of ORGANISATION (limit 1000), optionally with a search text. */
    async certificates(identity, organisation, zoek) {
      const query = zoek ? `&zoek=${encodeURIComponent(zoek)}` : '';
      return (await api.getJson(identity, `/api/v1/organisations/${organisation}/server-certificates?limit=1000${query}`)).items;
    },
  };
  return api;
}

// ----- pages (sessions, forms) -----

/**
 * Browser-like page helpers for one portal: a session starts with a GET (cookie + csrf token),
 * forms are posted with the token, the session cookie and same-origin headers.
 */
export function pageApi(portal) {
  const sameOrigin = () => ({ origin: portal.server.origin, 'sec-fetch-site': 'same-origin' });
  const pages = {
    /** Starts a session for IDENTITY with a GET of PATH; returns {identity, cookie, csrf, page}. */
    async login(identity, urlPath = '/') {
      const response = await portal.client.get(identity, urlPath);
      assert.equal(response.status, 200, `GET ${urlPath} as ${identity}: ${response.toString()}`);
      const cookie = assertSessionCookie(response, `for ${identity}`);
      const csrf = csrfTokenFrom(response.body);
      assert.ok(csrf, `no csrf_token on ${urlPath} for ${identity}`);
      return { identity, cookie, csrf, page: response };
    },

    /** GET PATH in SESSION. */
    get(session, urlPath) {
      return portal.client.get(session.identity, urlPath, { cookies: { [SESSION_COOKIE]: session.cookie } });
    },

    /** POST FIELDS urlencoded (plus csrf_token unless withCsrf is false) in SESSION. */
    post(session, urlPath, fields = {}, { withCsrf = true } = {}) {
      return portal.client.request(session.identity, 'POST', urlPath, {
        cookies: { [SESSION_COOKIE]: session.cookie },
        form: withCsrf ? { csrf_token: session.csrf, ...fields } : fields,
        headers: sameOrigin(),
      });
    },

    /** POST FIELDS and FILES as multipart/form-data (plus csrf_token unless withCsrf is false). */
    postMultipart(session, urlPath, fields = {}, files = {}, { withCsrf = true } = {}) {
      const { body, contentType } = multipart(withCsrf ? { csrf_token: session.csrf, ...fields } : fields, files);
      return portal.client.request(session.identity, 'POST', urlPath, {
        cookies: { [SESSION_COOKIE]: session.cookie },
        headers: { ...sameOrigin(), 'content-type': contentType },
        body,
      });
    },
  };
  return pages;
}

/** The main element of a page. */
export function mainOf(html) {
  return html.match(/<main[\s\S]*<\/main>/)?.[0] ?? html;
}

/** The text content of the first <pre> in HTML, unescaped (null when there is none). */
export function preText(html) {
  const pre = html.match(/<pre\b[^>]*>([\s\S]*?)<\/pre>/);
  return pre ? unescapeHtml(pre[1].replace(/<[^>]+>/g, '')) : null;
}
