// One demo and one server per integration test file, started in `before` and always stopped in
// `after` (bounded), so that a failing test never leaves a server process behind.
import { after, before } from 'node:test';
import { startDemoServer } from './server.mjs';
import { PortalClient } from './tls.mjs';

/**
 * Registers before/after hooks that start a demo server for the current file (or describe block)
 * and returns {server, client, demo}, filled in once `before` has run.
 */
export function withDemoServer(options = {}) {
  const portal = { server: null, client: null, demo: null };
  before(async () => {
    portal.server = await startDemoServer(options);
    portal.client = new PortalClient(portal.server);
    portal.demo = portal.server.demo;
  }, { timeout: 60_000 });
  after(async () => {
    portal.client?.close();
    await portal.server?.close();
  }, { timeout: 30_000 });
  return portal;
}
