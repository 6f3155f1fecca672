// Certificates that must not log anyone in (ADR 0022), made with `openssl` for the login and
// proxy tests: self-signed ones with any subject, and server certificates of the demo's own CAs.
import { X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openssl, orderApi, tempPath } from './orders.mjs';

/**
 * A new EC key and a self-signed client certificate whose subject is SUBJECT (an openssl -subj
 * string, UTF-8). Returns {cert, key, pem, fingerprint} (cert and key as PEM strings; fingerprint
 * as the portal writes it: lower-case hex SHA-256 of the DER).
 */
export async function selfSignedCertificate(subject) {
  const keyPath = await tempPath('self-signed.key');
  const certPath = await tempPath('self-signed.crt');
  await openssl(['req', '-x509', '-new', '-utf8', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
    '-keyout', keyPath, '-out', certPath, '-days', '30', '-subj', subject,
    '-addext', 'keyUsage=critical,digitalSignature', '-addext', 'extendedKeyUsage=clientAuth']);
  return credentialsOf(certPath, keyPath, []);
}

/**
 * A certificate of the server profile (serverAuth and clientAuth, a DNS name) signed by the demo
 * CA ISSUER ("persons-ca" or "tls-ca") with SUBJECT; the chain up to the root's child follows it.
 */
export async function serverProfileCertificate(demo, issuer, subject) {
  const csr = await tempPath('server-profile.csr');
  const keyPath = await tempPath('server-profile.key');
  await openssl(['req', '-new', '-utf8', '-nodes', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
    '-keyout', keyPath, '-out', csr, '-subj', subject]);
  const extensions = await tempPath('server-profile.ext');
  await writeFile(extensions, [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=serverAuth,clientAuth',
    'subjectAltName=DNS:www.voorbeeld.example',
  ].join('\n'));
  const certPath = await tempPath('server-profile.crt');
  const pki = path.join(demo.dir, 'pki');
  await openssl(['x509', '-req', '-in', csr, '-CA', path.join(pki, `${issuer}.crt`), '-CAkey', path.join(pki, `${issuer}.key`),
    '-CAcreateserial', '-days', '30', '-sha256', '-extfile', extensions, '-out', certPath]);
  return credentialsOf(certPath, keyPath, await issuerChain(demo, issuer));
}

/**
 * A server certificate the portal itself issued (an approved server-new order of PORTAL's contact
 * person; the built-in product carries serverAuth and clientAuth), with its chain.
 */
export async function portalServerCertificate(portal) {
  const api = orderApi(portal);
  const { order, csr } = await api.submittedOrder({ cn: 'inloggen.voorbeeld.nl' });
  const issued = await api.approveOk(order.id);
  const { pem } = await api.certificate('contact', issued.certificate_id);
  const certPath = await tempPath('portal-server.crt');
  await writeFile(certPath, pem);
  return credentialsOf(certPath, csr.keyPath, await issuerChain(demo(portal), 'tls-ca'));
}

const demo = (portal) => portal.demo ?? portal.server.demo;

/** The demo CA ISSUER and the intermediate above it, PEM. */
async function issuerChain(demo, issuer) {
  const pki = path.join(demo.dir, 'pki');
  const intermediate = issuer === 'tls-ca' ? 'tls-intermediate-ca' : 'persons-intermediate-ca';
  return [await readFile(path.join(pki, `${issuer}.crt`), 'utf8'), await readFile(path.join(pki, `${intermediate}.crt`), 'utf8')];
}

async function credentialsOf(certPath, keyPath, chain) {
  const pem = await readFile(certPath, 'utf8');
  return {
    pem,
    cert: [pem, ...chain].join('\n'),
    key: await readFile(keyPath, 'utf8'),
    fingerprint: new X509Certificate(pem).fingerprint256.replaceAll(':', '').toLowerCase(),
  };
}

/** The subject serialNumber of demo user NAME's certificate. */
export async function subjectSerialOf(demo, name) {
  const subject = new X509Certificate(await readFile(demo.users[name].certPath)).subject;
  return subject.match(/^serialNumber=(.*)$/m)[1];
}
