// Starts the demo stack (scripts/demo: hub, agency simulators, mail server) for the tests, and
// stops it afterwards. With GUICHET_E2E_URL and GUICHET_E2E_TOKEN set, uses a stack already
// running instead (a developer's own `scripts/demo`), and leaves it running.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ARTIFACTS = path.join(ROOT, 'build', 'e2e-artifacts');
const HUB_URL = 'http://127.0.0.1:8080';
// The CAF simulator of scripts/demo (CAF_PORT), whose fault switch makes deliveries fail.
const CAF_SIM_URL = 'http://127.0.0.1:18091';
// The demo builds incrementally before starting: allow for a build after a small change.
const START_TIMEOUT_MS = 180_000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function healthy(url) {
  try {
    return (await fetch(`${url}/healthz`)).ok;
  } catch {
    return false;
  }
}

export async function startStack() {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  if (process.env.GUICHET_E2E_URL && process.env.GUICHET_E2E_TOKEN) {
    return { url: process.env.GUICHET_E2E_URL, token: process.env.GUICHET_E2E_TOKEN, stop: async () => {} };
  }
  if (await healthy(HUB_URL)) {
    throw new Error(`something already answers on ${HUB_URL}: stop it, or set GUICHET_E2E_URL and GUICHET_E2E_TOKEN to test it`);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guichet-e2e-'));
  const log = fs.openSync(path.join(ARTIFACTS, 'demo.log'), 'w');
  // Its own process group, so that stopping it reaches the demo script the way Ctrl-C would.
  const demo = spawn(path.join(ROOT, 'scripts', 'demo'), ['--data-dir', dataDir, '--config', path.join(ROOT, 'tests', 'e2e', 'guichet.json')], {
    cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let exited = null;
  const collect = (chunk) => {
    output += chunk;
    fs.writeSync(log, chunk);
  };
  demo.stdout.on('data', collect);
  demo.stderr.on('data', collect);
  const done = new Promise((resolve) => demo.on('exit', (code, signal) => {
    exited = code ?? signal;
    resolve();
  }));

  const stop = async () => {
    if (exited === null) {
      process.kill(-demo.pid, 'SIGINT');
      await Promise.race([done, sleep(20_000)]);
      if (exited === null) process.kill(-demo.pid, 'SIGKILL');
      await done;
    }
    fs.closeSync(log);
    // The processes' logs are the first thing to read when a test fails; the rest (store, mail,
    // secrets) is test data and goes.
    fs.cpSync(path.join(dataDir, 'logs'), path.join(ARTIFACTS, 'logs'), { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  let token = null;
  while (!token) {
    token = output.match(/export TOKEN=(\S+)/)?.[1] ?? null;
    if (exited !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`scripts/demo did not start (${exited !== null ? `exited: ${exited}` : 'timed out'}); see ${ARTIFACTS}/demo.log`);
    }
    if (!token) await sleep(250);
  }
  if (!(await healthy(HUB_URL))) {
    await stop();
    throw new Error(`the hub printed a token but ${HUB_URL}/healthz does not answer`);
  }
  return { url: HUB_URL, token, stop };
}

// Makes the CAF simulator answer 503 to everything for `seconds` (0 ends it): the hub's
// deliveries to the CAF fail, and give up once its retry policy is exhausted.
export async function cafOutage(seconds) {
  const response = await fetch(`${CAF_SIM_URL}/_faults`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ fail_5xx_for_s: seconds }),
  });
  if (!response.ok) throw new Error(`CAF simulator refused the fault: HTTP ${response.status}`);
}
