// Assertions shared by the integration test files: the security headers every response carries,
// the session cookie's shape, and "nothing about other customers leaks".
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const SESSION_COOKIE = '__Host-mc_session';
export const LANGUAGE_COOKIE = '__Host-mc_lang';

/** Organisation names of the demo (PRODUCT.md §9), whether or not they appear in a certificate. */
export const DEMO_ORGANISATIONS = Object.freeze(['Voorbeeld B.V.', 'Andere Organisatie B.V.']);

/** The directives of a Content-Security-Policy header: {name: [tokens]}. */
export function parseCsp(header) {
  const directives = {};
  for (const part of header.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives[name.toLowerCase()] = values;
  }
  return directives;
}

/** Asserts the security headers that every response must carry (also errors and static files). */
export function assertSecurityHeaders(response, what = '') {
  const where = `${what} (HTTP ${response.status})`;
  const hsts = response.header('strict-transport-security');
  assert.ok(hsts, `strict-transport-security missing on ${where}`);
  const maxAge = Number(hsts.match(/max-age=(\d+)/i)?.[1] ?? -1);
  assert.ok(maxAge >= 31_536_000, `HSTS max-age ${maxAge} < 1 year on ${where}: ${hsts}`);

  const cspHeader = response.header('content-security-policy');
  assert.ok(cspHeader, `content-security-policy missing on ${where}`);
  const csp = parseCsp(cspHeader);
  assert.deepEqual(csp['frame-ancestors'], ["'none'"], `CSP frame-ancestors is not 'none' on ${where}: ${cspHeader}`);
  // script-src falls back to default-src; without either, inline scripts are allowed.
  const scripts = csp['script-src'] ?? csp['default-src'];
  assert.ok(scripts, `CSP has neither script-src nor default-src on ${where}: ${cspHeader}`);
  assert.ok(!scripts.includes("'unsafe-inline'"), `CSP allows inline scripts on ${where}: ${cspHeader}`);
  assert.ok(!scripts.includes('*'), `CSP allows scripts from anywhere on ${where}: ${cspHeader}`);

  assert.equal(response.header('x-content-type-options'), 'nosniff', `x-content-type-options on ${where}`);
  assert.ok(response.header('referrer-policy'), `referrer-policy missing on ${where}`);
  assert.equal(response.header('cross-origin-opener-policy'), 'same-origin', `cross-origin-opener-policy on ${where}`);
}

/** Asserts that RESPONSE sets a well-formed session cookie and returns its value. */
export function assertSessionCookie(response, what = '') {
  const cookie = response.cookie(SESSION_COOKIE);
  assert.ok(cookie, `no ${SESSION_COOKIE} cookie set ${what}: ${JSON.stringify(response.headers['set-cookie'])}`);
  // A stored session's random id (≥ 256 bits), or a page view's signed cookie (ADR 0015): a
  // 128-bit nonce and a 256-bit MAC.
  assert.match(cookie.value, /^(?:[A-Za-z0-9_-]{43,}|s1\.\d+\.\d+\.[A-Za-z0-9_-]{22}\.\d+\.[A-Za-z0-9_-]{43})$/,
    `session id is neither ≥ 256 bits of base64url nor a signed session: ${cookie.raw}`);
  assert.equal(cookie.attributes.path, '/', `Path=/ missing: ${cookie.raw}`);
  assert.equal(cookie.attributes.secure, true, `Secure missing: ${cookie.raw}`);
  assert.equal(cookie.attributes.httponly, true, `HttpOnly missing: ${cookie.raw}`);
  assert.equal(String(cookie.attributes.samesite).toLowerCase(), 'strict', `SameSite=Strict missing: ${cookie.raw}`);
  assert.equal(cookie.attributes.domain, undefined, `a __Host- cookie must not have a Domain: ${cookie.raw}`);
  return cookie.value;
}

/** Asserts that RESPONSE does not set the session cookie at all. */
export function assertNoSessionCookie(response, what = '') {
  const cookie = response.cookie(SESSION_COOKIE);
  assert.equal(cookie, undefined, `unexpected ${SESSION_COOKIE} set ${what}: ${cookie?.raw}`);
}

/** Attributes of a certificate's distinguished name: {CN: [...], O: [...], ...}. */
function nameAttributes(distinguishedName) {
  const attributes = {};
  for (const line of distinguishedName.split('\n')) {
    const i = line.indexOf('=');
    if (i > 0) (attributes[line.slice(0, i)] ??= []).push(line.slice(i + 1));
  }
  return attributes;
}

function certificateAt(certPath) {
  return new X509Certificate(readFileSync(certPath));
}

/** Subject attributes of a PEM certificate: {CN: [...], O: [...], ...}. */
export function subjectOf(certPath) {
  return nameAttributes(certificateAt(certPath).subject);
}

/**
 * Names that must not appear on a page shown to IDENTITY: every person name (CN) and organisation
 * (O) in the other demo certificates plus the demo organisations, except what is in the
 * identity's own certificate (a refusal page may show the user their own certificate) and the
 * names of the issuing CAs (the TSP's own, public name).
 */
export function foreignNames(demo, identity) {
  const own = identity ? `${certificateAt(demo.users[identity].certPath).subject}\n${certificateAt(demo.users[identity].certPath).issuer}` : '';
  const names = new Set(DEMO_ORGANISATIONS);
  const issuers = new Set();
  for (const user of Object.values(demo.users)) {
    const certificate = certificateAt(user.certPath);
    for (const value of Object.values(nameAttributes(certificate.issuer)).flat()) issuers.add(value);
    if (user.name === identity) continue;
    const subject = nameAttributes(certificate.subject);
    for (const value of [...(subject.CN ?? []), ...(subject.O ?? [])]) names.add(value);
  }
  return [...names].filter((name) => name.length > 3 && !own.includes(name) && !issuers.has(name));
}

/** Asserts that TEXT mentions none of NAMES. */
export function assertMentionsNone(text, names, what = '') {
  const leaked = names.filter((name) => text.includes(name) || text.includes(htmlEscape(name)));
  assert.deepEqual(leaked, [], `${what} shows names of other people or organisations`);
}

export function htmlEscape(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Asserts that HTML (a page body) contains TEXT, also when the server HTML-escaped it. */
export function assertContains(html, text, what = '') {
  const found = html.includes(text) || html.includes(htmlEscape(text)) || html.includes(text.replace(/'/g, '&#x27;'));
  assert.ok(found, `${what} does not contain ${JSON.stringify(text)}:\n${html.slice(0, 3000)}`);
}
