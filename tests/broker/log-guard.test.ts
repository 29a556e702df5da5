/** The log guard as pure functions: bounded strings and collapsed repeats on a test clock. */
import { describe, expect, it } from 'vitest';
import { bounded, createRepeatGate } from '../../broker/log-guard.js';

describe('bounded', () => {
  it('keeps short text and cuts long text with an ellipsis and the original length', () => {
    expect(bounded('evernet-anna-fridge')).toBe('evernet-anna-fridge');
    const cut = bounded('x'.repeat(65_000));
    expect(cut).toBe(`${'x'.repeat(128)}… (65,000 characters)`);
    expect(bounded('abcdef', 3)).toBe('abc… (6 characters)');
  });
});

describe('repeat gate', () => {
  it('logs the first line of a key in a window, counts the rest and sums them up once the window is over', () => {
    const gate = createRepeatGate({ windowMs: 1000 });
    expect(gate.note('A|1.2.3.4', 0, { code: 'A' })).toEqual({ log: true, summaries: [] });
    for (let i = 0; i < 5; i++) expect(gate.note('A|1.2.3.4', 10 + i).log).toBe(false);
    expect(gate.note('B|1.2.3.4', 20).log).toBe(true); // another code
    expect(gate.note('A|5.6.7.8', 20).log).toBe(true); // another source
    const next = gate.note('A|1.2.3.4', 1000);
    expect(next.log).toBe(true);
    expect(next.summaries).toEqual([{ key: 'A|1.2.3.4', suppressed: 5, fields: { code: 'A' } }]);
  });

  it('closes every window on flush, and never holds more than maxKeys windows', () => {
    const gate = createRepeatGate({ windowMs: 1000, maxKeys: 2 });
    gate.note('a', 0);
    gate.note('a', 1);
    gate.note('b', 2);
    const third = gate.note('c', 3); // evicts a, which had one suppressed line
    expect(third.summaries).toEqual([{ key: 'a', suppressed: 1, fields: {} }]);
    expect(gate.size()).toBe(2);
    gate.note('c', 4);
    expect(gate.flush()).toEqual([{ key: 'c', suppressed: 1, fields: {} }]);
    expect(gate.size()).toBe(0);
  });
});
