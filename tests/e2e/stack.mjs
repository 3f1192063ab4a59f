// Starts the demo stack (scripts/demo: hub, agency simulators, mail server) for the tests, and
// stops it afterwards. With GUICHET_E2E_URL and GUICHET_E2E_TOKEN set, uses a stack already
// running instead (a developer's own `scripts/demo`), and leaves it running.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
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

// The demo's mail server (MAIL_PORT of scripts/demo).
const SMTP_PORT = 2525;

// Submits one plain-text mail over SMTP, as an agency's mail client would, and resolves once the
// server has accepted it. Just enough SMTP for a loopback server that asks for nothing else.
export function sendMail({ from, to, subject, text }) {
  const message = [`From: ${from}`, `To: ${to}`, `Subject: ${subject}`, 'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8', 'Content-Transfer-Encoding: 8bit', '', text, ''].join('\r\n');
  const steps = ['EHLO e2e.example.org', `MAIL FROM:<${from}>`, `RCPT TO:<${to}>`, 'DATA',
    `${message.replace(/^\./gm, '..')}\r\n.`, 'QUIT'];
  return new Promise((resolve, reject) => {
    const socket = net.connect(SMTP_PORT, '127.0.0.1');
    let buffer = '';
    let step = -1;  // -1: the server's greeting
    socket.setEncoding('utf8');
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      buffer += chunk;
      // A reply is complete at a line "NNN text" (a dash after the code means more lines follow).
      for (let end = buffer.search(/^\d{3} .*\r\n/m); end !== -1; end = buffer.search(/^\d{3} .*\r\n/m)) {
        const line = buffer.slice(end).split('\r\n')[0];
        buffer = buffer.slice(end + line.length + 2);
        if (!/^[23]/.test(line)) {
          socket.destroy();
          reject(new Error(`the mail server refused step ${step + 1}: ${line}`));
          return;
        }
        step += 1;
        if (step < steps.length) socket.write(`${steps[step]}\r\n`);
        else socket.end(resolve);
      }
    });
  });
}
