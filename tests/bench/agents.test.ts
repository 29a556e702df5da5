/**
 * The `agents` bench group on a small fleet: what it prints is measured, not assumed. The agents run
 * the day (a by-exception fleet sends between its heartbeats' 96 and a message every sample), and the
 * models alone are a part of the agents' cost.
 */
import { describe, expect, it } from 'vitest';
import { benchAgents } from '../../bench/agents.js';

describe('bench group agents', () => {
  it('runs the agents of a fleet through a day, and their models alone', async () => {
    const out = await benchAgents(4);
    expect(out['agents.homes']).toBe(4);
    expect(out['agents.devices']).toBeGreaterThanOrEqual(4);
    expect(out['agents.messagesPerDeviceDay']).toBeGreaterThan(96);
    expect(out['agents.messagesPerDeviceDay']).toBeLessThan(1440);
    expect(out['agents.usPerDeviceMinute']).toBeGreaterThan(0);
    expect(out['agents.modelsShare']).toBeGreaterThan(0);
    expect(out['agents.modelsShare']).toBeLessThan(1);
    expect(out['agents.modelsDeviceDaysPerS']).toBeGreaterThan(out['agents.deviceDaysPerS']!);
  }, 60_000);
});
