/**
 * Pin names in board files: "D7", "A0", 7 -> Firmata pin numbers on a layout (the layouts themselves
 * are Firmata's, in ../firmata/layouts.ts), checked for what the pin is used for. Pure.
 */
import type { BoardLayout } from '../firmata/layouts.js';

export type PinUse = 'analog' | 'digital';

export type PinLookup = { ok: true; pin: number; name: string } | { ok: false; expected: string };

/** Human list of the pins usable for a purpose, e.g. "A0–A5" or "D2–D13 or A0–A5". */
export function describePins(layout: BoardLayout, use: PinUse): string {
  const analogNames = `A0–A${layout.analog.length - 1}`;
  const digitalTop = layout.analog[0]! - 1;
  if (use === 'analog') return analogNames;
  const digitalAnalog = layout.analog.filter((p) => !layout.analogOnly.includes(p)).length;
  return `D2–D${digitalTop} or A0–A${digitalAnalog - 1}`;
}

/** The display name of a Firmata pin number ("D7", "A0"). */
export function pinName(layout: BoardLayout, pin: number): string {
  const a = layout.analog.indexOf(pin);
  return a >= 0 ? `A${a}` : `D${pin}`;
}

/**
 * Resolves a pin as a board file writes it: 7, "7", "D7", "A0" (case-insensitive), for a use:
 * analog sensors need an analog input; digital inputs and relays a digital pin other than 0 and 1.
 */
export function resolvePin(layout: BoardLayout, value: string | number, use: PinUse): PinLookup {
  const expected = `${use === 'analog' ? 'an analog input' : 'a digital pin'}: ${describePins(layout, use)} on an ${layout.title}`;
  const text = String(value).trim().toUpperCase();
  let pin: number | null = null;
  const analog = /^A(\d{1,2})$/.exec(text);
  const digital = /^D?(\d{1,2})$/.exec(text);
  if (analog) {
    const p = layout.analog[Number(analog[1])];
    if (p !== undefined) pin = p;
  } else if (digital) {
    const n = Number(digital[1]);
    if (n < layout.analog[0]!) pin = n;
  }
  if (pin === null) return { ok: false, expected };
  if (use === 'analog' && !layout.analog.includes(pin)) return { ok: false, expected };
  if (use === 'digital' && (layout.serial.includes(pin) || layout.analogOnly.includes(pin))) {
    const why = layout.serial.includes(pin) ? ` (D${pin} carries the serial line Firmata runs on)` : ` (${pinName(layout, pin)} is analog-only)`;
    return { ok: false, expected: expected + why };
  }
  return { ok: true, pin, name: pinName(layout, pin) };
}
