/** The helpdesk's retention and silence flags: what they set, and a clear usage error for what they cannot. */
import { describe, expect, it } from 'vitest';
import { keepFrom } from '../../cli/keep-option.js';

describe('--keep-raw, --keep-minutes, --silent-after, --offline-after', () => {
  it('leave every default alone when not given', () => {
    expect(keepFrom({})).toEqual({ telemetry: {}, detection: {} });
  });

  it('set the telemetry policy and the silence watch in their units', () => {
    expect(keepFrom({ 'keep-raw': '24', 'keep-minutes': '30', 'silent-after': '5', 'offline-after': '2.5' })).toEqual({
      telemetry: { rawMs: 24 * 3_600_000, minutesMs: 30 * 86_400_000 },
      detection: { silence: { intervals: 5, offlineAfterS: 150 } },
    });
  });

  it('name the flag and the value they cannot use', () => {
    expect(() => keepFrom({ 'keep-raw': 'lots' })).toThrow(/--keep-raw must be a number of hours from 1 to \d+, got 'lots'/);
    expect(() => keepFrom({ 'silent-after': '1' })).toThrow(/--silent-after .* got '1'/);
    expect(() => keepFrom({ 'offline-after': '' })).toThrow(/--offline-after/);
    expect(() => keepFrom({ 'keep-raw': '72', 'keep-minutes': '2' })).toThrow(/--keep-minutes \(2 days\) must be at least as long as --keep-raw \(72 h\)/);
  });
});
