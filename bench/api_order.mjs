// One whole server order through the JSON API, as an API client does it (bench/micro.sh): create
// (server-new, a CSR for a voorbeeld.nl name), fetch the document, sign it with `openssl cms`
// as the orderer, post the signature, approve it as the Servicedesk, read it back issued. Each
// user keeps one connection open, logged in beforehand, so that the five requests of the order
// are the last five lines of the portal's access log and their durations are the order's
// server time (a client that connects anew per request pays the certificate login each time).
// Usage: node bench/api_order.mjs BASE_URL DEMO_DIR WORK_DIR
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';

const [base, demo, work] = process.argv.slice(2);
if (!work) {
  console.error('usage: node bench/api_order.mjs BASE_URL DEMO_DIR WORK_DIR');
  process.exit(2);
}

/** A keep-alive client as demo user NAME: request(method, path, {body, type, accept}). */
function client(name) {
  const agent = new https.Agent({
    keepAlive: true,
    maxSockets: 1,
    cert: readFileSync(path.join(demo, 'users', `${name}.crt`)),
    key: readFileSync(path.join(demo, 'users', `${name}.key`)),
    // The demo's own TLS CA; this is a loopback measurement, not a trust decision.
    rejectUnauthorized: false,
  });
  return (method, urlPath, { body, type = 'application/json', accept = 'application/json' } = {}) =>
    new Promise((resolve, reject) => {
      const headers = { accept };
      if (body !== undefined) headers['content-type'] = type;
      const request = https.request(new URL(urlPath, base), { method, agent, headers }, (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (response.statusCode >= 300) reject(new Error(`${method} ${urlPath}: ${response.statusCode} ${text}`));
          else resolve(text);
        });
      });
      request.on('error', reject);
      request.end(body);
    });
}

const contact = client('contact');
const servicedesk = client('servicedesk');
// Log in on both connections; the manager to name comes from the organisation.
const organisation = JSON.parse(await contact('GET', '/api/v1/organisations/1'));
await servicedesk('GET', '/api/v1/me');

const name = `order-${process.pid}-${Date.now()}.voorbeeld.nl`;
const csr = path.join(work, `${name}.csr`);
execFileSync('openssl', ['req', '-new', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
  '-keyout', path.join(work, `${name}.key`), '-out', csr, '-subj', `/CN=${name}`,
  '-addext', `subjectAltName=DNS:${name}`], { stdio: 'ignore' });

const order = JSON.parse(await contact('POST', '/api/v1/orders', {
  body: JSON.stringify({
    type: 'server-new', organisation_id: 1, csr: readFileSync(csr, 'utf8'),
    manager: { id: organisation.managers[0].id },
  }),
}));
const document = path.join(work, `${name}.txt`);
writeFileSync(document, await contact('GET', `/api/v1/orders/${order.id}/document`, { accept: 'text/plain' }));
const signature = execFileSync('openssl', ['cms', '-sign', '-binary', '-in', document,
  '-signer', path.join(demo, 'users', 'contact.crt'), '-inkey', path.join(demo, 'users', 'contact.key'),
  '-md', 'sha256', '-outform', 'DER']);
await contact('POST', `/api/v1/orders/${order.id}/signature`, { body: signature, type: 'application/pkcs7-signature' });
await servicedesk('POST', `/api/v1/servicedesk/orders/${order.id}/approve`, { body: '{}' });
const issued = JSON.parse(await contact('GET', `/api/v1/orders/${order.id}`));
if (issued.status !== 'issued') {
  console.error(`order ${order.id} is ${issued.status}`);
  process.exit(1);
}
console.log(order.id);
process.exit(0);
