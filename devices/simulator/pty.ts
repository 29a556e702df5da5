/**
 * A pseudo-terminal for the software board, so the host opens a real tty path (/dev/pts/N) through
 * serialport, exactly as it opens /dev/ttyACM0: the USB code path without USB. A small python3
 * helper (standard library only) holds the pty and relays its master side over stdin/stdout, which
 * the software board attaches to. (socat pty,raw,echo=0 pty,raw,echo=0 does the same with two ptys.)
 * The host opens the path with devices/drivers/serial.ts, the same code as for a real board.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Duplex } from 'node:stream';

const BRIDGE = `
import os, pty, sys, select, tty
master, slave = pty.openpty()
tty.setraw(master); tty.setraw(slave)
print(os.ttyname(slave), flush=True)
inp, out = sys.stdin.fileno(), sys.stdout.fileno()
while True:
    r, _, _ = select.select([master, inp], [], [])
    if inp in r:
        data = os.read(inp, 4096)
        if not data: break
        os.write(master, data)
    if master in r:
        try: data = os.read(master, 4096)
        except OSError: continue
        os.write(out, data)
`;

export interface PtyBridge {
  /** the tty path the host opens (the "USB port") */
  path: string;
  /** the board's side of the line */
  stream: Duplex;
  /** pulls the plug: the pty goes away */
  close(): void;
}

/** Why a pty bridge cannot run here (null when it can). */
export function ptyUnavailable(): string | null {
  if (process.platform === 'win32') return 'pseudo-terminals need Linux or macOS';
  const r = spawnSync('python3', ['-c', 'import pty, tty, select'], { stdio: 'ignore' });
  return r.status === 0 ? null : 'python3 (with its standard pty module) is not installed';
}

export async function openPtyBridge(): Promise<PtyBridge> {
  const child: ChildProcess = spawn('python3', ['-u', '-c', BRIDGE], { stdio: ['pipe', 'pipe', 'ignore'] });
  const path = await new Promise<string>((resolve, reject) => {
    let text = '';
    const onData = (d: Buffer) => {
      text += d.toString();
      const nl = text.indexOf('\n');
      if (nl < 0) return;
      child.stdout!.off('data', onData);
      const rest = text.slice(nl + 1);
      if (rest) child.stdout!.unshift(Buffer.from(rest));
      resolve(text.slice(0, nl).trim());
    };
    child.stdout!.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the pty helper exited with code ${code}`)));
  });
  child.stdout!.pause();
  const stream = Duplex.from({ readable: child.stdout!, writable: child.stdin! });
  child.once('exit', () => stream.destroy());
  return {
    path,
    stream,
    close() {
      if (child.exitCode === null) child.kill();
    },
  };
}
