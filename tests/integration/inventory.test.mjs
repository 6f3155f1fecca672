// The certificate inventory (PRODUCT.md §5 "Inzage"; API.md): the server certificate overview
// with search, filters, sort and pages, the detail page and PEM download, the CSV and XLSX
// downloads (parsed back and compared with the JSON API), cards, and that another
// organisation's contact gets nothing of it (404).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { assertContains } from '../support/assertions.mjs';
import { demoSql } from '../support/database.mjs';
import { withDemoServer } from '../support/integration.mjs';

const portal = withDemoServer();
const ids = { voorbeeld: 0, andere: 0, certificate: 0, tricky: 0, card: 0 };

// A certificate whose names test the encodings: quotes, a semicolon, accents and a leading "=".
const TRICKY_NAME = '=HYPERLINK("x");Zoë "Ærø" Müller';

async function get(identity, pathname, status = 200) {
  const response = await portal.client.get(identity, pathname);
  assert.equal(response.status, status, `${identity} GET ${pathname}: ${response.toString()}`);
  return response;
}

/** A download as IDENTITY with its raw bytes as body (CSV with a BOM, XLSX). */
async function getBytes(identity, pathname) {
  const { status, headers, bytes } = await portal.client.get(identity, pathname);
  return { status, headers, body: bytes };
}

/** RFC 4180 records of TEXT with SEPARATOR. */
function parseCsv(text, separator) {
  const records = [];
  let record = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 1; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === separator) { record.push(field); field = ''; } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field); records.push(record); record = []; field = ''; i += 1;
    } else field += c;
  }
  assert.equal(field, '', 'the last record ends with CRLF');
  return records;
}

/** The rows of the first worksheet of an .xlsx file (inline strings and numbers). */
function parseXlsx(bytes) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mijncert-xlsx-'));
  try {
    const file = path.join(dir, 'export.xlsx');
    writeFileSync(file, bytes);
    const xml = execFileSync('unzip', ['-p', file, 'xl/worksheets/sheet1.xml'], { encoding: 'utf8' });
    assert.ok(!xml.includes('<f>'), 'no cell is a formula');
    const unescape = (s) => s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    return [...xml.matchAll(/<row [^>]*>([\s\S]*?)<\/row>/g)].map(([, cells]) => {
      const row = [];
      for (const [, ref, body] of cells.matchAll(/<c r="([A-Z]+)\d+"[^>]*>([\s\S]*?)<\/c>/g)) {
        const column = ref.charCodeAt(0) - 65;
        const value = body.match(/<t[^>]*>([\s\S]*?)<\/t>/)?.[1] ?? body.match(/<v>([\s\S]*?)<\/v>/)?.[1] ?? '';
        row[column] = unescape(value);
      }
      return Array.from({ length: 10 }, (_, i) => row[i] ?? '');
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const STATUS_LABELS = { valid: 'Geldig', expiring: 'Verloopt binnenkort', expired: 'Verlopen', revoked: 'Ingetrokken' };

/** The export columns of a JSON item (see certificate_export.hpp), days left excepted. */
function expectedRow(item) {
  return [String(item.id), item.common_name, item.sans.join(' '), item.serial, item.not_before, item.not_after,
    STATUS_LABELS[item.status], item.manager?.name ?? '', item.requested_by?.name ?? ''];
}

function withoutDaysLeft(row) {
  return [...row.slice(0, 7), ...row.slice(8)];
}

describe('certificate inventory', () => {
  before(async () => {
    ids.voorbeeld = (await portal.client.get('contact', '/api/v1/me')).json().roles[0].organisation_id;
    ids.andere = (await portal.client.get('other', '/api/v1/me')).json().roles[0].organisation_id;
    // Inserted directly (as the CA would store it) so that the export tests do not depend on
    // the demo's names; the running server sees it at once (SQLite or PostgreSQL).
    const escaped = TRICKY_NAME.replaceAll("'", "''");
    const now = Math.floor(Date.now() / 1000);
    await demoSql(portal.demo, `INSERT INTO certificates (kind, product, organisation_id, common_name,
      common_name_lower, dns_names, subject_dn, issuer_dn, issuing_ca, serial_hex, not_before, not_after,
      key_description, sha256_fingerprint, policy_oids, pem, issued_at) VALUES ('server', 'server-private', ${ids.voorbeeld}, '${escaped}',
      lower('${escaped}'), 'zoe.voorbeeld.nl', 'CN=x', 'CN=Issuing CA', 'test', '7e57', ${now - 86400},
      ${now + 86400 * 400}, 'RSA 3072', 'ab${Date.now()}', '2.16.528.1.1003.1.2.8.6', 'no pem', 0)`);
    ids.tricky = Number(await demoSql(portal.demo, "SELECT id FROM certificates WHERE serial_hex = '7e57'"));
  });

  test('the contact lists at least 25 server certificates of Voorbeeld B.V. in mixed states', async () => {
    const body = (await get('contact', `/api/v1/organisations/${ids.voorbeeld}/server-certificates?limit=1000`)).json();
    assert.ok(body.total >= 26, `total ${body.total}`);
    assert.equal(body.items.length, body.total);
    const statuses = new Set(body.items.map((item) => item.status));
    for (const status of ['valid', 'expiring', 'expired', 'revoked']) assert.ok(statuses.has(status), `no ${status} certificate`);
    ids.certificate = body.items.find((item) => item.status === 'valid' && item.manager).id;
    const html = (await get('contact', `/organisaties/${ids.voorbeeld}/servercertificaten`)).body;
    assert.equal((html.match(/<tr class="utrecht-table__row">/g) ?? []).length, 26, '25 rows and the header row');
    assert.match(html, /href="[^"]*pagina=1" aria-label="Pagina 1" aria-current="page"/);
    assert.match(html, /<caption[^>]*>Servercertificaten van Voorbeeld B.V., pagina 1 van 2<\/caption>/);
    assertContains(html, `href="/organisations/${ids.voorbeeld}/server-certificates.csv"`);
    assertContains(html, `href="/organisations/${ids.voorbeeld}/server-certificates.xlsx"`);
  });

  test('search, status filter, expiry filter, sort and paging', async () => {
    const list = async (query) => (await get('contact', `/api/v1/organisations/${ids.voorbeeld}/server-certificates?${query}`)).json();
    const all = (await list('limit=1000')).items;
    const www = await list('zoek=WWW');
    assert.ok(www.items.length > 0);
    for (const item of www.items) assert.ok([item.common_name, ...item.sans].some((n) => n.toLowerCase().includes('www')));
    const bySerial = await list(`zoek=${encodeURIComponent(all[3].serial.slice(0, 8))}`);
    assert.ok(bySerial.items.some((item) => item.id === all[3].id), 'found by the start of its serial');
    for (const status of ['valid', 'expiring', 'expired', 'revoked']) {
      const filtered = await list(`status=${status}`);
      assert.equal(filtered.total, all.filter((item) => item.status === status).length, status);
      for (const item of filtered.items) assert.equal(item.status, status);
    }
    const within90 = (await list('verloopt=90')).items;
    for (const item of within90) {
      assert.notEqual(item.status, 'expired');
      assert.ok(new Date(item.not_after) - Date.now() <= 90 * 86400_000);
    }
    const byName = (await list('sortering=naam&limit=1000')).items.map((item) => item.common_name.toLowerCase());
    assert.deepEqual(byName, [...byName].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    const ends = all.map((item) => item.not_after);
    assert.deepEqual(ends, [...ends].sort(), 'default order: earliest end first');
    const second = await list('offset=25&limit=25');
    assert.deepEqual(second.items.map((i) => i.id), all.slice(25, 50).map((i) => i.id));
    const valid = (await get('contact', `/organisaties/${ids.voorbeeld}/servercertificaten?status=valid&sortering=naam`)).body;
    const shown = [...valid.matchAll(/mijncert-status--(\w+)/g)].map(([, status]) => status);
    assert.ok(shown.length > 0 && shown.every((status) => status === 'valid'), `page shows ${shown}`);
    assert.match(valid, /<option value="valid" selected>/, 'the form keeps the filter');
    await get('contact', `/api/v1/organisations/${ids.voorbeeld}/server-certificates?limit=5000`, 400);
  });

  test('the detail page shows every field; the PEM download parses with openssl', async () => {
    const json = (await get('contact', `/api/v1/server-certificates/${ids.certificate}`)).json();
    const html = (await get('contact', `/servercertificaten/${ids.certificate}`)).body;
    for (const text of ['Onderwerp (subject)', 'Namen (SAN)', 'Serienummer', json.serial, 'Geldigheid', 'Uitgever',
      'Sleutel', json.key, 'SHA-256-vingerafdruk', json.sha256_fingerprint, 'Certificaatbeleid (OID)',
      json.policies[0], 'Certificaatbeheerder', json.manager.name, 'Besteld door', json.requested_by.name,
      ...json.sans]) assertContains(html, text, 'detail page');
    const pem = await get('contact', `/servercertificaten/${ids.certificate}.pem`);
    assert.equal(pem.body, json.pem);
    const serial = execFileSync('openssl', ['x509', '-noout', '-serial'], { input: pem.body, encoding: 'utf8' });
    assert.equal(serial.trim(), `serial=${json.serial.replaceAll(':', '')}`);
    const fingerprint = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], { input: pem.body, encoding: 'utf8' });
    assert.equal(fingerprint.trim().split('=')[1], json.sha256_fingerprint);
  });

  test('CSV (comma and semicolon) and XLSX parse back to the rows of the JSON API', async () => {
    const items = (await get('contact', `/api/v1/organisations/${ids.voorbeeld}/server-certificates?limit=1000`)).json().items;
    const expected = items.map(expectedRow);
    assert.ok(items.some((item) => item.common_name === TRICKY_NAME));
    for (const [query, separator] of [['', ','], ['?scheiding=puntkomma', ';']]) {
      const response = await getBytes('contact', `/organisations/${ids.voorbeeld}/server-certificates.csv${query}`);
      assert.equal(response.status, 200);
      assert.equal(response.headers['transfer-encoding'], 'chunked', 'streamed');
      assert.match(response.headers['content-type'], /^text\/csv; charset=utf-8/);
      assert.match(response.headers['content-disposition'],
        /^attachment; filename="servercertificaten-voorbeeld-bv-\d{4}-\d{2}-\d{2}\.csv"; filename\*=UTF-8''/);
      const text = response.body.toString('utf8');
      assert.ok(text.startsWith('\uFEFF'), 'UTF-8 BOM');
      const records = parseCsv(text.slice(1), separator);
      assert.equal(records[0][0], 'Nummer');
      const rows = records.slice(1).map((row) => withoutDaysLeft(row.map((cell) => (cell.startsWith("'=") ? cell.slice(1) : cell))));
      assert.deepEqual(rows, expected, `CSV ${separator}`);
      assert.ok(text.includes(`'${TRICKY_NAME.slice(0, 10)}`), 'the leading = is neutralised');
    }
    const xlsx = await getBytes('contact', `/organisations/${ids.voorbeeld}/server-certificates.xlsx`);
    assert.equal(xlsx.status, 200);
    assert.match(xlsx.headers['content-disposition'], /filename="servercertificaten-voorbeeld-bv-\d{4}-\d{2}-\d{2}\.xlsx"/);
    const sheet = parseXlsx(xlsx.body);
    assert.equal(sheet[0][0], 'Nummer');
    assert.deepEqual(sheet.slice(1).map(withoutDaysLeft), expected, 'XLSX');
  });

  test('the downloads keep the filters of the page', async () => {
    const expiring = (await get('contact', `/api/v1/organisations/${ids.voorbeeld}/server-certificates?status=expiring`)).json();
    const csv = (await getBytes('contact', `/organisations/${ids.voorbeeld}/server-certificates.csv?status=expiring`)).body.toString('utf8');
    assert.equal(parseCsv(csv.slice(1), ',').length - 1, expiring.total);
  });

  test('cards: list, group card with manager and ordering contact, JSON', async () => {
    const cards = (await get('contact', `/api/v1/organisations/${ids.voorbeeld}/cards`)).json().items;
    const types = new Set(cards.map((card) => card.type));
    assert.ok(types.has('personal') && types.has('group'), JSON.stringify(cards));
    const group = cards.find((card) => card.type === 'group');
    ids.card = group.id;
    const list = (await get('contact', `/organisaties/${ids.voorbeeld}/passen`)).body;
    assertContains(list, group.holder);
    const detail = (await get('contact', `/passen/${group.id}`)).body;
    for (const text of ['Groepscertificaat', 'Certificaatbeheerder', 'Besteld door', 'Certificaten op deze pas'])
      assertContains(detail, text, 'group card');
    const own = (await get('professional', '/api/v1/cards')).json().items;
    assert.ok(own.some((card) => card.type === 'professional'));
    await get('contact', '/api/v1/cards', 403);
  });

  test('IDOR: other gets 404 and no data for Voorbeeld B.V.\'s certificates, downloads and cards', async () => {
    for (const pathname of [
      `/servercertificaten/${ids.certificate}`, `/servercertificaten/${ids.certificate}.pem`,
      `/api/v1/server-certificates/${ids.certificate}`, `/api/v1/server-certificates/${ids.tricky}`,
      `/organisaties/${ids.voorbeeld}/servercertificaten`, `/api/v1/organisations/${ids.voorbeeld}/server-certificates`,
      `/organisations/${ids.voorbeeld}/server-certificates.csv`, `/organisations/${ids.voorbeeld}/server-certificates.xlsx`,
      `/organisaties/${ids.voorbeeld}/passen`, `/api/v1/organisations/${ids.voorbeeld}/cards`, `/passen/${ids.card}`,
    ]) {
      const response = await get('other', pathname, 404);
      assert.ok(!response.body.includes('voorbeeld.nl') && !response.body.includes('Voorbeeld'), `${pathname} leaks`);
    }
    const own = (await get('other', `/api/v1/organisations/${ids.andere}/server-certificates`)).json();
    assert.ok(own.items.every((item) => !item.common_name.includes('voorbeeld')));
  });
});
