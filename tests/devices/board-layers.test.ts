/**
 * The board stack's imports point one way (docs/boards.md, "Testing without hardware"):
 * devices/firmata/ imports nothing of evernet; devices/drivers/ uses firmata/ and never the
 * simulator; devices/simulator/ uses firmata/ and only the pure parts of drivers/ (never johnny-five).
 * Read from the source files themselves, so a new import that turns an arrow round fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Every module a folder's .ts files import: evernet files as root-relative paths, packages by name. */
function importsOf(folder: string): Array<{ file: string; target: string }> {
  const dir = join(root, folder);
  const out: Array<{ file: string; target: string }> = [];
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.ts') && !n.endsWith('.d.ts'))) {
    const text = readFileSync(join(dir, name), 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|^import\s+)'([^']+)'/gm)) {
      const spec = m[1]!;
      const target = spec.startsWith('.') ? relative(root, resolve(dir, spec)).replace(/\.js$/, '.ts') : spec;
      out.push({ file: `${folder}/${name}`, target });
    }
  }
  return out;
}

const evernet = (target: string) => /^(devices|contracts|broker|helpdesk|scenarios|cli|stack|log|bench)\//.test(target);
const show = (list: Array<{ file: string; target: string }>) => list.map((i) => `${i.file} -> ${i.target}`);

describe('board stack layers', () => {
  it('devices/firmata/ imports nothing of evernet outside itself', () => {
    const bad = importsOf('devices/firmata').filter((i) => evernet(i.target) && !i.target.startsWith('devices/firmata/'));
    expect(show(bad)).toEqual([]);
  });

  it('devices/drivers/ never imports the simulator', () => {
    const bad = importsOf('devices/drivers').filter((i) => i.target.startsWith('devices/simulator/'));
    expect(show(bad)).toEqual([]);
  });

  it('devices/simulator/ reads only the pure board-file and sensor modules of drivers/, and no johnny-five', () => {
    const imports = importsOf('devices/simulator');
    const bad = imports.filter(
      (i) =>
        (i.target.startsWith('devices/drivers/') && !['devices/drivers/board-file.ts', 'devices/drivers/sensors.ts'].includes(i.target)) ||
        ['johnny-five', 'firmata-io', 'serialport'].includes(i.target),
    );
    expect(show(bad)).toEqual([]);
    // the folder is really there and reads firmata/ (a wrong path above would pass vacuously)
    expect(imports.some((i) => i.target === 'devices/firmata/protocol.ts')).toBe(true);
  });

  it('only board.ts imports johnny-five and firmata-io, only serial.ts imports serialport', () => {
    const all = ['devices/firmata', 'devices/drivers', 'devices/simulator'].flatMap(importsOf);
    const users = (pkg: string) => [...new Set(all.filter((i) => i.target === pkg).map((i) => i.file))];
    expect(users('johnny-five')).toEqual(['devices/drivers/board.ts']);
    expect(users('firmata-io')).toEqual(['devices/drivers/board.ts']);
    expect(users('serialport')).toEqual(['devices/drivers/serial.ts']);
  });
});
