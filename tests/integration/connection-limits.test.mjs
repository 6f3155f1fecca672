// Per-client connection limits, the PROXY v2 header of a TLS pass-through balancer, and
// connections that age out or outlive a trust reload (ADR 0023, docs/operations.md §Connection
// limits). Each block runs its own server with small limits; the "clients" are loopback
// addresses (all of 127.0.0.0/8 is loopback on Linux).
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { describe, test } from 'node:test';
import { withDemoServer } from '../support/integration.mjs';
import { RawConnection } from '../support/tls.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A TLS connection from local address FROM (anonymous), after PREFIX bytes if given. */
async function tlsFrom(portal, from, prefix = null) {
  const socket = net.connect({ host: '127.0.0.1', port: portal.server.port, localAddress: from });
  await new Promise((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  if (prefix) socket.write(prefix);
  return RawConnection.open(portal.client.tlsOptions(null, { socket }), portal.server.origin, 5000);
}

/**
 * Opens a TCP connection from FROM, writes PREFIX (if any), then a TLS ClientHello's first byte
 * soon after; resolves with {closed, bytes} once the server closed it or after timeoutMs. A
 * connection closed before the handshake gets no byte back.
 */
function refusedFrom(portal, from, prefix = null, timeoutMs = 3000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port: portal.server.port, localAddress: from });
    let bytes = 0;
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ closed: false, bytes });
    }, timeoutMs);
    socket.on('connect', () => {
      if (prefix) socket.write(prefix);
    });
    socket.on('data', (chunk) => (bytes += chunk.length));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ closed: true, bytes });
    });
  });
}

/** GET /healthz on CONNECTION with keep-alive; returns the Response. */
async function healthOn(connection) {
  await connection.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
  const response = await connection.readResponse(5000);
  assert.ok(response, 'a response');
  return response;
}

/** Waits at most timeoutMs for CONNECTION to be closed by the server; true if it was. */
async function closedWithin(connection, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!connection.closed && Date.now() < deadline) await sleep(50);
  return connection.closed;
}

/** Waits at most timeoutMs for the server's log to match PATTERN (log lines come after answers). */
async function assertLogs(portal, pattern, timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(portal.server.logs()) && Date.now() < deadline) await sleep(50);
  assert.match(portal.server.logs(), pattern);
}

/** The value of mijncert_http_connections_refused_total{reason=REASON} (0 when absent). */
async function refusedCount(portal, reason) {
  const response = await portal.client.get(null, '/metrics');
  assert.equal(response.status, 200, response.toString());
  const line = response.body
    .split('\n')
    .find((l) => l.startsWith(`mijncert_http_connections_refused_total{reason="${reason}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** A binary PROXY v2 header: PROXY command, TCP, naming SOURCE (IPv4 or IPv6) as the client. */
function proxyV2(source, { command = 0x21, tlv = Buffer.alloc(0) } = {}) {
  const signature = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
  const v6 = source.includes(':');
  const addresses = v6 ? Buffer.alloc(36) : Buffer.alloc(12);
  if (v6) {
    addresses.set(ipv6Bytes(source), 0);
    addresses.set(ipv6Bytes('::1'), 16);
    addresses.writeUInt16BE(50000, 32);
    addresses.writeUInt16BE(443, 34);
  } else {
    addresses.set(source.split('.').map(Number), 0);
    addresses.set([127, 0, 0, 1], 4);
    addresses.writeUInt16BE(50000, 8);
    addresses.writeUInt16BE(443, 10);
  }
  const fixed = Buffer.alloc(4);
  fixed[0] = command;
  fixed[1] = v6 ? 0x21 : 0x11;
  fixed.writeUInt16BE(addresses.length + tlv.length, 2);
  return Buffer.concat([signature, fixed, addresses, tlv]);
}

function ipv6Bytes(text) {
  const [head, tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail ? tail.split(':') : [];
  const groups = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  const bytes = Buffer.alloc(16);
  groups.forEach((group, i) => bytes.writeUInt16BE(parseInt(group, 16), i * 2));
  return bytes;
}

describe('per-address connection cap', () => {
  const portal = withDemoServer({ serverKeys: { max_connections_per_address: 3 } });
  const CLIENT = '127.0.0.3';

  test('the connection beyond the cap is closed before the TLS handshake, and counted', async () => {
    const before = await refusedCount(portal, 'address_limit');
    const held = [];
    try {
      for (let i = 0; i < 3; i++) held.push(await tlsFrom(portal, CLIENT));
      const refused = await refusedFrom(portal, CLIENT);
      assert.deepEqual(refused, { closed: true, bytes: 0 }, 'the 4th connection is closed without a TLS byte');
      // Another address is not affected.
      const other = await tlsFrom(portal, '127.0.0.4');
      assert.equal((await healthOn(other)).status, 200);
      other.destroy();
      // A held connection still works.
      assert.equal((await healthOn(held[0])).status, 200);
    } finally {
      for (const connection of held) connection.destroy();
    }
    // Once they are closed, the client may connect again.
    await sleep(300);
    const again = await tlsFrom(portal, CLIENT);
    assert.equal((await healthOn(again)).status, 200);
    again.destroy();
    assert.equal(await refusedCount(portal, 'address_limit'), before + 1);
    await assertLogs(portal, /per-address connection limit of 3 reached: closed 1 new connections before the TLS handshake \(reason=address_limit, latest from 127\.0\.0\.3\)/);
  });
});

describe('handshake rate per address', () => {
  const portal = withDemoServer({ serverKeys: { handshakes_per_second_per_address: 1, handshake_burst_per_address: 3 } });
  const CLIENT = '127.0.0.5';

  test('handshakes beyond the burst are refused until the bucket refills', async () => {
    const before = await refusedCount(portal, 'handshake_rate');
    for (let i = 0; i < 3; i++) {
      const connection = await tlsFrom(portal, CLIENT);
      connection.destroy();
    }
    const refused = await refusedFrom(portal, CLIENT);
    assert.deepEqual(refused, { closed: true, bytes: 0 }, 'the 4th handshake in a burst of 3 is refused');
    assert.equal(await refusedCount(portal, 'handshake_rate'), before + 1);
    await sleep(1200);
    const later = await tlsFrom(portal, CLIENT);
    assert.equal((await healthOn(later)).status, 200, 'one token back after a second');
    later.destroy();
    await assertLogs(portal, /handshake rate of 1\/s \(burst 3\) reached: closed 1 new connections/);
  });
});

describe('PROXY v2 header from a pass-through balancer', () => {
  const BALANCER = '127.0.0.2';
  const portal = withDemoServer({ serverKeys: { proxy_protocol: true, proxy_protocol_from: [BALANCER], max_connections_per_address: 2 } });

  test('the header names the client: the request log shows its address', async () => {
    const connection = await tlsFrom(portal, BALANCER, proxyV2('203.0.113.7', { tlv: Buffer.from([0x04, 0x00, 0x02, 0xab, 0xcd]) }));
    assert.equal((await healthOn(connection)).status, 200);
    connection.destroy();
    await assertLogs(portal, /request conn=\d+ method=GET path=\/healthz status=200 .* from=203\.0\.113\.7/);
  });

  test('the per-address cap counts the client the header names, an IPv6 client per /64', async () => {
    const held = [];
    try {
      held.push(await tlsFrom(portal, BALANCER, proxyV2('203.0.113.8')));
      held.push(await tlsFrom(portal, BALANCER, proxyV2('203.0.113.8')));
      const third = await refusedFrom(portal, BALANCER, proxyV2('203.0.113.8'));
      assert.deepEqual(third, { closed: true, bytes: 0 }, 'a third connection of the same client');
      const otherClient = await tlsFrom(portal, BALANCER, proxyV2('203.0.113.9'));
      assert.equal((await healthOn(otherClient)).status, 200, 'another client through the same balancer');
      held.push(otherClient);

      held.push(await tlsFrom(portal, BALANCER, proxyV2('2001:db8:1:2::1')));
      held.push(await tlsFrom(portal, BALANCER, proxyV2('2001:db8:1:2::2')));
      const sameSlash64 = await refusedFrom(portal, BALANCER, proxyV2('2001:db8:1:2:ffff::3'));
      assert.deepEqual(sameSlash64, { closed: true, bytes: 0 }, 'a third address of the same /64');
      const otherSlash64 = await tlsFrom(portal, BALANCER, proxyV2('2001:db8:1:3::1'));
      assert.equal((await healthOn(otherSlash64)).status, 200, 'another /64');
      held.push(otherSlash64);
    } finally {
      for (const connection of held) connection.destroy();
    }
    await assertLogs(portal, /per-address connection limit of 2 reached: .*latest from 203\.0\.113\.8\)/);
  });

  test('a balancer connection without a valid header is closed', async () => {
    const before = await refusedCount(portal, 'proxy_header_invalid');
    // TLS straight away: the ClientHello is no PROXY header.
    await assert.rejects(tlsFrom(portal, BALANCER));
    // A header of version 1 in binary form.
    const wrongVersion = proxyV2('203.0.113.7');
    wrongVersion[12] = 0x11;
    assert.deepEqual(await refusedFrom(portal, BALANCER, wrongVersion), { closed: true, bytes: 0 });
    await sleep(200);
    assert.equal(await refusedCount(portal, 'proxy_header_invalid'), before + 2);
  });

  test('a PROXY header from an address that is no balancer is refused', async () => {
    const before = await refusedCount(portal, 'proxy_header_untrusted');
    assert.deepEqual(await refusedFrom(portal, '127.0.0.6', proxyV2('198.51.100.1')), { closed: true, bytes: 0 });
    assert.deepEqual(await refusedFrom(portal, '127.0.0.6', 'PROXY TCP4 198.51.100.1 127.0.0.1 5000 443\r\n'), { closed: true, bytes: 0 });
    await sleep(200);
    assert.equal(await refusedCount(portal, 'proxy_header_untrusted'), before + 2);
    // Plain TLS from there still works.
    const direct = await tlsFrom(portal, '127.0.0.6');
    assert.equal((await healthOn(direct)).status, 200);
    direct.destroy();
    assert.doesNotMatch(portal.server.logs(), /from=198\.51\.100\.1/);
  });
});

describe('maximum connection age', () => {
  const portal = withDemoServer({ serverKeys: { max_connection_age_seconds: 2 } });

  test('a keep-alive connection is closed once it is older than the maximum age', async () => {
    const connection = await portal.client.connect(null);
    const started = Date.now();
    const first = await healthOn(connection);
    assert.equal(first.status, 200);
    assert.notEqual(first.headers.connection, 'close', 'young: kept alive');
    assert.equal(await closedWithin(connection, 5000), true, 'closed by the server');
    assert.ok(Date.now() - started >= 1900, 'not before the maximum age');
    // The client reconnects and is served.
    const again = await portal.client.connect('contact');
    assert.equal((await healthOn(again)).status, 200);
    again.destroy();
  });

  test('a request under way when the connection reaches its age is answered, then it closes', async () => {
    const connection = await portal.client.connect(null);
    const first = await healthOn(connection);
    assert.notEqual(first.headers.connection, 'close');
    connection.received = Buffer.alloc(0);
    // The request begins before the maximum age and ends after it: the connection is busy, not
    // idle, when it comes of age.
    await sleep(1300);
    await connection.write('GET /healthz HTTP/1.1\r\n');
    await sleep(1200);
    await connection.write('Host: localhost\r\n\r\n');
    const response = await connection.readResponse(5000);
    assert.ok(response, 'the request under way is answered');
    assert.equal(response.status, 200);
    assert.equal(response.headers.connection, 'close');
    assert.equal(await closedWithin(connection, 3000), true);
  });
});

describe('trust reload', () => {
  const portal = withDemoServer({ config: '[jobs]\ninterval_seconds = 1' });

  test('an open keep-alive connection is closed after the client CAs are reloaded', async () => {
    const connection = await portal.client.connect('contact');
    assert.equal((await healthOn(connection)).status, 200);
    await sleep(2500);
    assert.equal(connection.closed, false, 'kept alive while the trust is unchanged');
    const bundle = path.join(portal.server.demo.dir, 'pki', 'client-cas.pem');
    await writeFile(bundle, `${await readFile(bundle, 'utf8')}\n`);
    assert.equal(await closedWithin(connection, 8000), true, 'closed after the reload');
    await assertLogs(portal, /reloaded the client CA bundle and CRLs/);
    const again = await portal.client.connect('contact');
    assert.equal((await healthOn(again)).status, 200);
    again.destroy();
  });
});
