/**
 * A device host's message trace (scenarios/engine/message-trace.ts): written a window at a time from the
 * devices' counts of what they published, read back whole; a file that is not one is refused, saying why.
 */
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createMessageTrace, readMessageTrace } from '../../scenarios/engine/message-trace.js';
import { tempDirPerTest } from '../helpers/temp-dir.js';

describe('a message trace', () => {
  const tmp = tempDirPerTest('evernet-trace-');

  it('records each window what each device published since the window before, not what it said before', () => {
    const published = [2, 2, 0];
    const devices = published.map((_, i) => ({ customerId: `home-${i}`, deviceId: 'dev', count: () => published[i]! }));
    const trace = createMessageTrace(tmp.join('t'), devices);
    published[0] = 4; // two in the first window
    published[2] = 1;
    trace.window();
    trace.window(); // nothing
    published[1] = 3;
    trace.window();
    trace.close();
    const read = readMessageTrace(tmp.join('t'));
    expect(read.devices).toEqual([['home-0', 'dev'], ['home-1', 'dev'], ['home-2', 'dev']]);
    expect(read.windows.map((w) => [...w])).toEqual([[0, 0, 2], [], [1]]);
  });

  it('refuses a file that is not a trace, or names a device it does not have', () => {
    writeFileSync(tmp.join('no'), '[]\n1 2\n');
    expect(() => readMessageTrace(tmp.join('no'))).toThrow(/not a message trace/);
    writeFileSync(tmp.join('bad'), `${JSON.stringify({ devices: [['h', 'd']] })}\n0\n0 1\n`);
    expect(() => readMessageTrace(tmp.join('bad'))).toThrow(/window 1 names a device/);
  });
});
