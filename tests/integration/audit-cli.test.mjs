// `mijncert audit verify`: an intact demo log verifies; a changed, deleted or inserted record is
// found and named (the tampering goes around the append-only triggers, as an attacker with
// database access would).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, beforeEach, test } from 'node:test';
import { promisify } from 'node:util';
import { demoSql } from '../support/database.mjs';
import { binaryPath, createDemo, removeDemo } from '../support/server.mjs';

const run = promisify(execFile);
let demo = null;

async function verify() {
  try {
    const { stdout, stderr } = await run(binaryPath, ['audit', 'verify', '--config', demo.config], { timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    return { code: error.code, stdout: error.stdout, stderr: error.stderr };
  }
}

const sql = (statements) => demoSql(demo, statements);

// Removes the append-only guards. On PostgreSQL whatever they are named (migration 0009 renamed
// them); SQLite cannot disable a trigger, only drop it.
const dropTriggers = () =>
  demo.dialect === 'postgresql'
    ? 'ALTER TABLE audit_log DISABLE TRIGGER USER;'
    : 'DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;';

beforeEach(async () => {
  if (demo) await removeDemo(demo);
  demo = await createDemo();
});
after(async () => {
  if (demo && !process.env.MIJNCERT_KEEP_DEMO) await removeDemo(demo);
});

test('the demo audit log is intact', { timeout: 60_000 }, async () => {
  const result = await verify();
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /intact/);
});

test('the triggers refuse to change the audit log', { timeout: 60_000 }, async () => {
  await assert.rejects(sql("UPDATE audit_log SET details = '{}' WHERE sequence = 3;"), /append-only/);
  await assert.rejects(sql('DELETE FROM audit_log WHERE sequence = 3;'), /append-only/);
  assert.equal((await verify()).code, 0);
});

test('a changed record is found and named', { timeout: 60_000 }, async () => {
  await sql(`${dropTriggers()} UPDATE audit_log SET details = '{"name":"Ander B.V."}' WHERE sequence = 3;`);
  const result = await verify();
  assert.equal(result.code, 1);
  assert.match(result.stderr, /BROKEN at record 3\b/);
});

test('a deleted record is found', { timeout: 60_000 }, async () => {
  await sql(`${dropTriggers()} DELETE FROM audit_log WHERE sequence = 4;`);
  const result = await verify();
  assert.equal(result.code, 1);
  assert.match(result.stderr, /BROKEN at record 5\b/);
});

test('an inserted record is found', { timeout: 60_000 }, async () => {
  await sql(
    `${dropTriggers()} UPDATE audit_log SET sequence = sequence + 1000;` +
      " INSERT INTO audit_log SELECT 1, at, actor, 'person.create', object, details, previous_hash, hash, context FROM audit_log WHERE sequence = 1001;" +
      ' UPDATE audit_log SET sequence = sequence - 999 WHERE sequence > 1000;',
  );
  const result = await verify();
  assert.equal(result.code, 1);
  assert.match(result.stderr, /BROKEN at record [12]\b/);
});
