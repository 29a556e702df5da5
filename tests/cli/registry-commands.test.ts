/**
 * `evernet customers` and `evernet devices` on a database file: add, list, remove, accept, reject,
 * through the command line's own entry (main), and once as a real process. Every failure is one coded
 * line with exit code 1; a wrong call prints the usage with exit code 2.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createRegistry, openSqliteRegistryStore } from '../../helpdesk/registry/index.js';
import { silentLogger } from '../../log/logger.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';
import { evernet } from '../helpers/cli-capture.js';

const CLI = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));


describe('the registry commands', () => {
  const tmp = tempDirPerTest('evernet-cli-registry-');

  it('add a customer and a device, list them, remove them; the helpdesk reads what they wrote', async () => {
    const db = tmp.join('helpdesk.db');
    expect(await evernet('customers', 'add', 'maria', '--name', 'Maria Schmidt', '--time-zone', 'Europe/Berlin', '--home', '50.94,6.96', '--channels', 'app-push,sms', '--phone', '+49 221 555', '--quiet-hours', '22:00-07:00', '--db', db))
      .toMatchObject({ code: 0, err: expect.stringContaining("customer 'maria' added") });
    expect(await evernet('devices', 'add', 'maria/board-fridge', '--kind', 'fridge', '--name', 'Fridge board', '--measures', 'cabinetTempC,doorOpen', '--report-every', '5', '--db', db))
      .toMatchObject({ code: 0, err: expect.stringContaining('fridge maria/board-fridge added') });

    const devices = await evernet('devices', 'list', '--db', db);
    expect(devices.code).toBe(0);
    expect(devices.out).toMatch(/^DEVICE +KIND +STATE +ORIGIN +NAME/);
    expect(devices.out).toMatch(/maria\/board-fridge +fridge +active +staff +Fridge board/);
    const customers = await evernet('customers', 'list', '--json', '--db', db);
    expect(JSON.parse(customers.out)).toEqual([
      expect.objectContaining({ id: 'maria', name: 'Maria Schmidt', timeZone: 'Europe/Berlin', home: { lat: 50.94, lon: 6.96 }, devices: 1, preferences: { channels: ['app-push', 'sms'], phone: '+49 221 555', quietHours: { from: '22:00', to: '07:00' } } }),
    ]);

    const registry = createRegistry({ store: openSqliteRegistryStore({ path: db }), log: silentLogger() });
    expect(registry.directory.device('maria', 'board-fridge')).toEqual({ id: 'board-fridge', kind: 'fridge', customerId: 'maria', name: 'Fridge board', measures: ['cabinetTempC', 'doorOpen'], reportEveryS: 5 });
    registry.close();

    expect(await evernet('devices', 'reject', 'maria/board-fridge', '--by', 'anna', '--db', db)).toMatchObject({ code: 0, err: expect.stringContaining('rejected by anna') });
    expect((await evernet('devices', 'list', '--state', 'rejected', '--db', db)).out).toContain('maria/board-fridge');
    expect((await evernet('devices', 'list', '--state', 'active', '--db', db)).out).toBe('no devices\n');
    expect(await evernet('devices', 'accept', 'maria/board-fridge', '--by', 'anna', '--db', db)).toMatchObject({ code: 0, err: expect.stringContaining('(now active)') });

    expect(await evernet('customers', 'remove', 'maria', '--db', db)).toMatchObject({ code: 1, err: expect.stringContaining('EVN_ERR_REGISTRY_IN_USE') });
    expect(await evernet('devices', 'remove', 'maria/board-fridge', '--db', db)).toMatchObject({ code: 0 });
    expect(await evernet('customers', 'remove', 'maria', '--db', db)).toMatchObject({ code: 0 });
    expect((await evernet('customers', 'list', '--db', db)).out).toBe('no customers\n');
  });

  it('answer bad input with a coded line (exit 1) and a wrong call with the usage (exit 2)', async () => {
    const db = tmp.join('helpdesk.db');
    expect(await evernet('devices', 'add', 'maria/fridge', '--kind', 'fridge', '--db', db)).toMatchObject({ code: 1, err: expect.stringMatching(/^evernet: EVN_ERR_UNKNOWN_DEVICE: no customer 'maria'.*evernet customers add maria/) });
    expect(await evernet('customers', 'add', 'maria', '--time-zone', 'Mars/Olympus', '--db', db)).toMatchObject({ code: 1, err: expect.stringContaining('EVN_ERR_REGISTRY_INPUT') });
    expect((await evernet('customers', 'add', 'maria', '--db', db)).code).toBe(0);
    expect(await evernet('customers', 'add', 'maria', '--db', db)).toMatchObject({ code: 1, err: expect.stringContaining('EVN_ERR_REGISTRY_EXISTS') });
    expect(await evernet('devices', 'add', 'maria/fridge', '--kind', 'toaster', '--db', db)).toMatchObject({ code: 1, err: expect.stringContaining('EVN_ERR_REGISTRY_INPUT') });
    expect(await evernet('devices', 'add', 'maria/fridge', '--kind', 'fridge', '--measures', 'voltageV', '--db', db)).toMatchObject({ code: 1, err: expect.stringContaining('measures') });
    expect(await evernet('devices', 'accept', 'maria/nope', '--db', db)).toMatchObject({ code: 1, err: expect.stringContaining('EVN_ERR_UNKNOWN_DEVICE') });
    expect(await evernet('devices', 'remove', 'just-a-name', '--db', db)).toMatchObject({ code: 2, err: expect.stringContaining('CUSTOMER/DEVICE') });
    expect(await evernet('devices', 'add', 'maria/fridge', '--db', db)).toMatchObject({ code: 2, err: expect.stringContaining('--kind is required') });
    expect(await evernet('devices', 'list', '--state', 'sleepy', '--db', db)).toMatchObject({ code: 2, err: expect.stringContaining('--state must be one of') });
    expect(await evernet('customers', 'add', 'maria', '--home', 'here', '--db', db)).toMatchObject({ code: 2, err: expect.stringContaining('--home must be LAT,LON') });
    expect(await evernet('devices', 'frob', '--db', db)).toMatchObject({ code: 2, err: expect.stringContaining("unknown verb 'frob'") });
    expect(await evernet('devices', 'help')).toMatchObject({ code: 0, out: expect.stringContaining('evernet devices add CUSTOMER/DEVICE --kind KIND') });
  });

  it('evernet helpdesk refuses to trust its own open broker, and names a bad registration mode or time zone (exit 2, nothing started)', async () => {
    const db = tmp.join('helpdesk.db');
    expect(await evernet('helpdesk', '--registration', 'trust-broker', '--db', db)).toMatchObject({ code: 2, err: expect.stringContaining('--registration trust-broker needs --broker URL') });
    expect(await evernet('helpdesk', '--registration', 'everyone', '--db', db)).toMatchObject({ code: 2, err: expect.stringContaining('--registration must be one of trust-broker, pending') });
    expect(await evernet('helpdesk', '--time-zone', 'Mars/Olympus', '--db', db)).toMatchObject({ code: 2, err: expect.stringContaining('--time-zone must be an IANA time zone') });
  });

  it('runs as a process: a device list on stdout, exit code 0', async () => {
    const db = tmp.join('helpdesk.db');
    const run = (...argv: string[]) => spawnSync(process.execPath, ['--import', 'tsx', CLI, ...argv], { cwd: ROOT, encoding: 'utf8' });
    expect((await evernet('customers', 'add', 'maria', '--db', db)).code).toBe(0);
    expect((await evernet('devices', 'add', 'maria/car', '--kind', 'car-battery', '--db', db)).code).toBe(0);
    const list = run('devices', 'list', '--json', '--db', db);
    expect(list.status).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ customerId: 'maria', id: 'car', kind: 'car-battery', state: 'active', origin: 'staff' })]);
    const bad = run('devices', 'remove', 'maria/nope', '--db', db);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/^evernet: EVN_ERR_UNKNOWN_DEVICE: /);
  }, 30_000);
});
