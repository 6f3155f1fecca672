// The database a demo runs on (ADR 0009): its SQLite file by default, or a fresh PostgreSQL
// database per demo when MIJNCERT_TEST_DATABASE_URL names a PostgreSQL server (the integration
// suite runs once on each). Tests reach into it with demoSql, e.g. to tamper with the audit log.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

/** The PostgreSQL server demos are created on, or undefined for SQLite. */
export const testServerUrl = process.env.MIJNCERT_TEST_DATABASE_URL || undefined;

const SQL_TIMEOUT_MS = 30_000;

/** Runs FILE ARGS (bounded); resolves with trimmed stdout, rejects with the tool's stderr. */
function runTool(file, args) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: SQL_TIMEOUT_MS, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (error) reject(new Error(stderr.trim() || error.message));
      else resolve(stdout.trim());
    });
  });
}

// -X: no ~/.psqlrc; -qAt: only bare values, one row per line, no command tags (as sqlite3 prints).
const psql = (url, statementText) =>
  runTool('/usr/bin/psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-qAt', '-d', url, '-c', statementText]);

/** SERVER_URL with its database name replaced by NAME (user, host, port and parameters stay). */
function withDatabaseName(serverUrl, name) {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * The database for a new demo in DEMO_DIR: {dialect, databaseUrl, databaseName}. On PostgreSQL
 * a new, empty database is created (init-dev requires one); on SQLite init-dev creates the file.
 */
export async function createDemoDatabase(demoDir) {
  if (!testServerUrl) {
    return { dialect: 'sqlite', databaseUrl: `sqlite:${path.join(demoDir, 'mijncert.db')}`, databaseName: null };
  }
  const databaseName = `mijncert_${randomBytes(6).toString('hex')}`;
  await psql(testServerUrl, `CREATE DATABASE ${databaseName}`);
  return { dialect: 'postgresql', databaseUrl: withDatabaseName(testServerUrl, databaseName), databaseName };
}

/** Drops DEMO's PostgreSQL database (connections left open are ended); SQLite needs nothing. */
export async function dropDemoDatabase(demo) {
  if (demo.dialect !== 'postgresql') return;
  await psql(testServerUrl, `DROP DATABASE IF EXISTS ${demo.databaseName} WITH (FORCE)`);
}

/**
 * Runs STATEMENT_TEXT (one or more statements) on DEMO's database with the dialect's own CLI
 * and returns its trimmed output, one row per line; rejects with the tool's error message.
 */
export function demoSql(demo, statementText) {
  return demo.dialect === 'postgresql'
    ? psql(demo.databaseUrl, statementText)
    : runTool('sqlite3', [path.join(demo.dir, 'mijncert.db'), statementText]);
}

/** Runs STATEMENT_TEXT on the PostgreSQL test server itself (not a demo's database). */
export function serverSql(statementText) {
  if (!testServerUrl) throw new Error('serverSql needs MIJNCERT_TEST_DATABASE_URL');
  return psql(testServerUrl, statementText);
}
