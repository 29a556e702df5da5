/**
 * `evernet credentials` and `evernet broker`: the secret is printed once and stored only as a hash;
 * the broker refuses to start without credentials; a running broker (a real child process) reloads
 * its credentials on SIGHUP and drops a revoked device.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';
import { beforeEach, describe, expect, it } from 'vitest';
import { tempDirPerTest } from '../helpers/temp-dir.js';
import { captured } from '../helpers/cli-capture.js';
import { brokerCommand } from '../../cli/broker-command.js';
import { credentialsCommand } from '../../cli/credentials-command.js';
import { closed } from './fixture.js';

const run = captured;

describe('the credentials and broker commands', () => {
  const tmp = tempDirPerTest('evernet-cli-');
  let file: string;
  beforeEach(() => {
    file = tmp.join('credentials.json');
  });

  it('adds, rotates, lists and revokes identities; secrets appear once on stdout, never in the file', async () => {
    const add = await run(credentialsCommand, ['add', 'anna/fridge', '--file', file]);
    expect(add).toMatchObject({ code: 0, err: expect.stringContaining('client id evernet-anna-fridge') });
    const secret = add.out.trim();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(readFileSync(file, 'utf8')).not.toContain(secret);
    expect((await run(credentialsCommand, ['add', 'helpdesk', '--role', 'helpdesk', '--file', file])).code).toBe(0);
    expect(await run(credentialsCommand, ['add', 'helpdesk', '--file', file])).toMatchObject({ code: 1, err: expect.stringContaining('EVN_ERR_CREDENTIALS_NAME') });
    const rotated = await run(credentialsCommand, ['rotate', 'anna/fridge', '--file', file]);
    expect(rotated.code).toBe(0);
    expect(rotated.out.trim()).not.toBe(secret);
    expect((await run(credentialsCommand, ['revoke', 'anna/fridge', '--file', file])).code).toBe(0);
    const list = await run(credentialsCommand, ['list', '--file', file]);
    expect(list.out).toMatch(/^anna\/fridge\tdevice\trevoked .*\nhelpdesk\thelpdesk\tactive since .*\n$/);
    expect(await run(credentialsCommand, ['rotate', 'nobody/x', '--file', file])).toMatchObject({ code: 1, err: expect.stringContaining('EVN_ERR_CREDENTIALS_UNKNOWN') });
  });

  it('will not start the broker without credentials unless --allow-anonymous is given', async () => {
    const r = await run(brokerCommand, ['--port', '0']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('EVN_ERR_BROKER_ANONYMOUS');
    expect(r.err).toContain('--allow-anonymous');
    expect(await run(brokerCommand, ['--credentials', tmp.join('missing.json')])).toMatchObject({ code: 1, err: expect.stringContaining('EVN_ERR_CREDENTIALS_FILE') });
  });

  it('runs as a process, reloads credentials on SIGHUP and drops a revoked device', async () => {
    const secret = (await run(credentialsCommand, ['add', 'anna/fridge', '--file', file])).out.trim();
    const module = new URL('../../cli/broker-command.ts', import.meta.url).href;
    const code = `import(${JSON.stringify(module)}).then((m) => m.brokerCommand(['--port', '0', '--credentials', ${JSON.stringify(file)}])).then((c) => process.exit(c))`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      let stderr = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr.on('data', (chunk) => {
          stderr += String(chunk);
          const m = /listening on (mqtt:\/\/[^,\s]+)/.exec(stderr);
          if (m) resolve(m[1]!);
        });
        child.once('exit', () => reject(new Error(`broker exited: ${stderr}`)));
      });
      const fridge = await mqtt.connectAsync(url, { clientId: 'evernet-anna-fridge', username: 'anna/fridge', password: secret, reconnectPeriod: 0 });
      expect((await run(credentialsCommand, ['revoke', 'anna/fridge', '--file', file])).code).toBe(0);
      child.kill('SIGHUP');
      expect(await closed(fridge, 5000)).toBe(true);
      const again = await mqtt.connectAsync(url, { clientId: 'evernet-anna-fridge', username: 'anna/fridge', password: secret, reconnectPeriod: 0 }).then(
        () => 0,
        (e: { code?: number }) => e.code,
      );
      expect(again).toBe(5);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(stderr).toContain('EVN_ERR_AUTH_REVOKED');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 30_000);
});
