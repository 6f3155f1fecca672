// Start-up of the portal (bench/README.md, "Issuance, exports, start-up and memory"): the time
// from the exec of `mijncert serve` to the first 200 of /healthz, polled every 5 ms from this one
// process. A curl started per poll takes longer than the interval itself, and choosing the port
// happens before the clock starts.
//
//   node bench/startup.mjs MIJNCERT CONFIG LOG_FILE RUNS
//
// Prints one line a run, "SECONDS CPU_SECONDS" (CPU: what the portal itself spent until then, from
// /proc/PID/stat), and after the last run "idle_rss_mb MB": VmRSS 2 s after that start-up.
import { spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const [mijncert, config, logFile, runsText] = process.argv.slice(2);
const runs = Number(runsText ?? 5);
const clockTicks = 100; // USER_HZ on Linux
const pageKb = 4;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

// The status of one GET /healthz on a new connection; 0 when none could be made.
function healthStatus(port) {
  return new Promise((resolve) => {
    const request = https.get(
      { host: '127.0.0.1', port, path: '/healthz', rejectUnauthorized: false, agent: false },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode));
      },
    );
    request.on('error', () => resolve(0));
  });
}

function cpuSeconds(pid) {
  // The fields after the command name, which is in parentheses and may hold spaces.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / clockTicks;
}

function rssMb(pid) {
  const pages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
  return (pages * pageKb) / 1024;
}

const log = openSync(logFile, 'a');
for (let run = 1; run <= runs; run++) {
  const port = await freePort();
  const started = process.hrtime.bigint();
  const portal = spawn(mijncert, ['serve', '--config', config, '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', log, log],
  });
  const exited = new Promise((resolve) => portal.on('exit', resolve));
  let exitCode;
  exited.then((code) => (exitCode = code));
  for (;;) {
    const polled = process.hrtime.bigint();
    if ((await healthStatus(port)) === 200) break;
    if (exitCode !== undefined) {
      console.error(`startup.mjs: the portal exited with ${exitCode} (see ${logFile})`);
      process.exit(1);
    }
    const waited = Number(process.hrtime.bigint() - polled) / 1e6;
    await sleep(Math.max(0, 5 - waited));
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`${seconds.toFixed(3)} ${cpuSeconds(portal.pid).toFixed(2)}`);
  if (run === runs) {
    await sleep(2000);
    console.log(`idle_rss_mb ${rssMb(portal.pid).toFixed(1)}`);
  }
  portal.kill('SIGTERM');
  await exited;
}
