/**
 * Pin layouts of the Arduino boards evernet knows, in Firmata's pin numbering (digital pins first,
 * then the analog inputs: on an Uno A0 is pin 14), as StandardFirmata's Boards.h numbers them. Both
 * ends of the line use it: the host driver to check a board file's pins, the software board to
 * decide which pins it has. Pure data.
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
