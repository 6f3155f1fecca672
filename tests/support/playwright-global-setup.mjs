// Playwright global setup: one demo and one server for the whole browser suite. The tests find it
// through MIJNCERT_BROWSER_SERVER (JSON: {origin, port, demo}); the returned function stops it.
import { startDemoServer } from './server.mjs';

export default async function globalSetup() {
  const server = await startDemoServer();
  // Never leave the server behind, even when the runner is interrupted.
  const killOnExit = () => server.running && server.child.kill('SIGKILL');
  process.once('exit', killOnExit);
  process.env.MIJNCERT_BROWSER_SERVER = JSON.stringify({ origin: server.origin, port: server.port, demo: server.demo });
  return async () => {
    process.removeListener('exit', killOnExit);
    const status = await server.close();
    if (status.forced || status.code !== 0) {
      console.warn(`mijncert serve did not stop cleanly: ${JSON.stringify(status)}`);
    }
  };
}
