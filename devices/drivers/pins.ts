/**
 * Pin layouts of the Arduino boards a board file may name, in Firmata's pin numbering (digital
 * pins first, then the analog inputs: on an Uno A0 is pin 14). Pure data and name parsing.
 */
export interface BoardLayout {
  id: 'uno' | 'nano' | 'mega';
  title: string;
  pinCount: number;
  /** Firmata pin numbers of A0, A1, ... */
  analog: readonly number[];
  /** pins that can only be analog inputs (Nano A6, A7) */
  analogOnly: readonly number[];
  pwm: readonly number[];
  /** pins 0 and 1 carry the serial line Firmata itself runs on */
  serial: readonly number[];
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

export const LAYOUTS: Readonly<Record<BoardLayout['id'], BoardLayout>> = {
  uno: { id: 'uno', title: 'Arduino Uno', pinCount: 20, analog: range(14, 19), analogOnly: [], pwm: [3, 5, 6, 9, 10, 11], serial: [0, 1] },
  nano: { id: 'nano', title: 'Arduino Nano', pinCount: 22, analog: range(14, 21), analogOnly: [20, 21], pwm: [3, 5, 6, 9, 10, 11], serial: [0, 1] },
  mega: { id: 'mega', title: 'Arduino Mega 2560', pinCount: 70, analog: range(54, 69), analogOnly: [], pwm: [...range(2, 13), 44, 45, 46], serial: [0, 1] },
};

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
