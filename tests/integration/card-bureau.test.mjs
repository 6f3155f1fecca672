// The card bureau a portal starts with (ADR 0020, docs/card-production.md): the demo bureau makes
// and keeps card holders' private keys, so the real `mijncert serve` refuses it unless
// portal.demo = true; without a bureau (cards.bureau = "none") the portal starts, and a card
// order is refused at approval with a clear message and nothing changed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { cardApi, demoIds } from '../support/cards.mjs';
import { assertProblem, message } from '../support/orders.mjs';
import { withDemoServer } from '../support/integration.mjs';
import { binaryPath, createDemo, freePort, removeDemo } from '../support/server.mjs';

const T = { timeout: 120_000 };
/** Long enough for a server to have started and be listening; a refusal comes at once. */
const REFUSAL_WAIT_MS = 20_000;

/** The demo configuration TEXT with portal.demo and cards.bureau set. */
function configured(text, { demo, bureau }) {
  const portal = text.replace(/^\[portal\]\ndemo = true$/m, `[portal]\ndemo = ${demo}`);
  assert.notEqual(portal, text, 'the demo configuration has no [portal] demo = true');
  const cards = portal.replace(/^bureau = "demo"$/m, `bureau = "${bureau}"`);
  assert.ok(cards.includes(`bureau = "${bureau}"`), 'the demo configuration has no [cards] bureau');
  return cards;
}

/** Runs `serve` on CONFIG; {code, stderr} once it exits, or {code: null} if it was still running. */
async function serveUntilExit(config) {
  const port = await freePort();
  const child = spawn(binaryPath, ['serve', '--config', config, '--listen', `127.0.0.1:${port}`],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  const timer = new Promise((resolve) => setTimeout(() => resolve('running'), REFUSAL_WAIT_MS));
  const outcome = await Promise.race([exited, timer]);
  if (outcome === 'running') {
    child.kill('SIGKILL');
    await exited;
    return { code: null, stderr };
  }
  return { code: outcome, stderr };
}

describe('the demo bureau outside a demo', () => {
  let demo;
  before(async () => {
    demo = await createDemo();
  }, { timeout: 60_000 });
  after(async () => {
    if (demo && !process.env.MIJNCERT_KEEP_DEMO) await removeDemo(demo);
  });

  test('serve refuses to start with cards.bureau = "demo" and portal.demo = false', T, async () => {
    await writeFile(demo.config, configured(await readFile(demo.config, 'utf8'), { demo: false, bureau: 'demo' }));
    const { code, stderr } = await serveUntilExit(demo.config);
    assert.notEqual(code, null, `serve started with the demo bureau outside a demo:\n${stderr}`);
    assert.notEqual(code, 0, stderr);
    assert.match(stderr, /cards\.bureau = "demo" is refused: the demo card bureau makes and keeps card holders' private keys/);
    assert.match(stderr, /Set portal\.demo = true for a demo, or cards\.bureau = "none"; the portal was not started/);
  });
});

describe('a portal without a card bureau', () => {
  const portal = withDemoServer({ edit: (text) => configured(text, { demo: false, bureau: 'none' }) });
  const cards = cardApi(portal);
  let ids;
  before(async () => {
    ids = await demoIds(cards);
  }, { timeout: 60_000 });

  test('starts, and refuses to approve a card order: no card, the order unchanged', T, async () => {
    const draft = await cards.createCardOrder('contact', {
      type: 'card-new', organisation_id: ids.voorbeeld, card_type: 'personal',
      given_name: 'Jeroen', surname: 'van den Berg', email: 'j.vandenberg@voorbeeld.nl', phone: '030 123 45 77',
    });
    await cards.submit('contact', draft.id);
    const refused = assertProblem(await cards.step(draft.id, 'approve'), 409);
    assert.ok(JSON.stringify(refused).includes(JSON.stringify(message('card.no_bureau')).slice(1, -1))
      || JSON.stringify(refused).includes(JSON.stringify(message('card.no_bureau', 'en')).slice(1, -1)),
    `not the no-bureau message: ${JSON.stringify(refused)}`);
    const order = await cards.order('contact', draft.id);
    assert.equal(order.status, 'submitted');
    assert.equal(order.card_id ?? null, null);
  });
});
