/**
 * A device host's message trace: which of its devices published how many messages in each window, so
 * that bench `fleet` can send the same pattern, connection by connection and window by window, through
 * the bare broker. Written as the host goes (a line a window, nothing held in memory), read whole.
 *
 * The file: a first line of JSON, `{"devices":[[customerId, deviceId], ...]}` (the host's slice, in its
 * order), then a line a window (and one for the settle after the last): the indices of the devices that
 * published in it, separated by spaces, an index once a message. What a device says at its first connect
 * (announce, availability) is before the first window and not in it.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

interface Counted {
  readonly customerId: string;
  readonly deviceId: string;
  count(name: 'published'): number;
}

export interface MessageTraceWriter {
  /** one window's line: each device's messages since the last call (the first call's baseline: what they had said before) */
  window(): void;
  close(): void;
}

export function createMessageTrace(file: string, devices: readonly Counted[]): MessageTraceWriter {
  const fd = openSync(file, 'w');
  writeSync(fd, `${JSON.stringify({ devices: devices.map((d) => [d.customerId, d.deviceId]) })}\n`);
  const last = new Float64Array(devices.length);
  for (let i = 0; i < devices.length; i++) last[i] = devices[i]!.count('published');
  return {
    window() {
      const out: number[] = [];
      for (let i = 0; i < devices.length; i++) {
        const n = devices[i]!.count('published');
        for (let k = last[i]!; k < n; k++) out.push(i);
        last[i] = n;
      }
      writeSync(fd, `${out.join(' ')}\n`);
    },
    close: () => closeSync(fd),
  };
}

export interface MessageTrace {
  devices: Array<[customerId: string, deviceId: string]>;
  /** each window's publishing devices, by index into `devices`, once a message */
  windows: Int32Array[];
}

export function readMessageTrace(file: string): MessageTrace {
  const lines = readFileSync(file, 'utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const head = JSON.parse(lines[0] ?? 'null') as { devices?: unknown } | null;
  if (!head || !Array.isArray(head.devices)) throw new Error(`${file}: not a message trace (no devices line)`);
  const devices = head.devices as Array<[string, string]>;
  const windows = lines.slice(1).map((l, w) => {
    const ids = l === '' ? [] : l.split(' ').map(Number);
    if (ids.some((i) => !Number.isInteger(i) || i < 0 || i >= devices.length)) throw new Error(`${file}: window ${w} names a device the trace does not have`);
    return Int32Array.from(ids);
  });
  return { devices, windows };
}
