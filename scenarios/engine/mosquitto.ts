/**
 * Broker shards on Eclipse Mosquitto (Debian: `apt-get install mosquitto`), where it is installed: a
 * fleet's devices, the helpdesk and the engine's control speak plain MQTT 3.1.1 to each shard, which
 * only routes, so any broker does. Mosquitto routes a message for about a fifth of aedes' CPU and
 * holds a connection in a few kilobytes (docs/fleets.md, "Broker shards"): on a 2-core machine that
 * CPU goes to the devices and the helpdesk instead.
 *
 * Each shard: a config of its own in a temp folder (a loopback listener on a free port, anonymous,
 * no persistence: a replay's sessions live as long as the replay; no limits on the messages in flight
 * or queued per client, as aedes, so a burst to the helpdesk is not held back 20 at a time), started
 * under `setpriv --pdeathsig TERM` where util-linux has it, so it goes when its parent goes, even
 * killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { findExecutable } from '../../stack/executables.js';
import { freePort } from '../../stack/free-ports.js';
import { scratchDir } from '../../storage/scratch-dir.js';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { BrokerShards } from './shards.js';

/** the mosquitto executable, or null: not installed */
export function findMosquitto(): string | null {
  return findExecutable('mosquitto');
}


/** resolves once the port accepts a connection; rejects if the process exits first or after `ms` */
function listening(port: number, child: ChildProcess, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + ms;
    let done = false;
    const fail = (why: string): void => {
      if (done) return;
      done = true;
      reject(Object.assign(new Error(`EVN_ERR_MQTT_LISTEN: a mosquitto shard ${why}`), { code: 'EVN_ERR_MQTT_LISTEN' }));
    };
    child.once('exit', (code, signal) => fail(`exited before it listened (${signal ?? `code ${code}`})`));
    const attempt = (): void => {
      if (done) return;
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        done = true;
        resolve();
      });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > deadline) fail(`did not listen on port ${port} within ${ms} ms`);
        else setTimeout(attempt, 20);
      });
    };
    attempt();
  });
}

export function mosquittoConfig(port: number, asRoot = process.getuid?.() === 0): string {
  return [
    `listener ${port} 127.0.0.1`,
    // started by root, mosquitto would switch to its own user, and a change of user clears the parent-death
    // signal: it would outlive a runner killed outright. It runs as whoever runs evernet, as an aedes shard does
    ...(asRoot ? ['user root'] : []),
    'allow_anonymous true',
    'persistence false',
    // unlimited, as aedes: mosquitto's defaults (20 in flight, 1,000 queued) would hold back a window's burst to the helpdesk
    'max_inflight_messages 0',
    'max_queued_messages 0',
    // a lone message (a command, a control call) does not wait for a delayed ACK
    'set_tcp_nodelay true',
    'sys_interval 0',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    '',
  ].join('\n');
}

export async function startMosquittoShards(count: number): Promise<BrokerShards> {
  const bin = findMosquitto();
  if (!bin) throw Object.assign(new Error('EVN_ERR_MQTT_LISTEN: mosquitto is not installed (Debian: apt-get install mosquitto)'), { code: 'EVN_ERR_MQTT_LISTEN' });
  const setpriv = findExecutable('setpriv');
  // the shards' configs: removed at stop, and by the process if it ends otherwise (storage/scratch-dir.ts)
  const scratch = scratchDir('evernet-mosquitto-');
  const dir = scratch.path;
  const children: ChildProcess[] = [];
  // without setpriv: at least a parent that exits normally takes its shards along
  const orphanGuard = (): void => void children.forEach((c) => c.kill('SIGKILL'));
  process.once('exit', orphanGuard);
  const stop = async (): Promise<void> => {
    process.off('exit', orphanGuard);
    await Promise.all(
      children.splice(0).map((c) => {
        if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve();
        const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
        c.kill('SIGTERM');
        const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
        return exited.finally(() => clearTimeout(timer));
      }),
    );
    scratch.remove();
  };
  try {
    const urls = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const port = await freePort();
        const conf = join(dir, `shard-${i}.conf`);
        writeFileSync(conf, mosquittoConfig(port));
        const args = ['-c', conf];
        const c = setpriv ? spawn(setpriv, ['--pdeathsig', 'TERM', '--', bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] }) : spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
        children.push(c);
        // its errors and warnings, but the one about running as root: that is chosen (mosquittoConfig)
        createInterface({ input: c.stderr! }).on('line', (line) => {
          if (!/should not be run as root/.test(line)) process.stderr.write(`evernet mosquitto shard ${i}: ${line}\n`);
        });
        await listening(port, c, 10_000);
        return `mqtt://127.0.0.1:${port}`;
      }),
    );
    return { urls, pids: children.map((c) => c.pid!), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
