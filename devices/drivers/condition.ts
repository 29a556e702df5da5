/**
 * Signal conditioning for board readings: out-of-range samples are clipped and flagged (never
 * published as nonsense), numeric readings are averaged over a window of samples. Pure.
 */
export type Flag = 'adc-out-of-range' | 'below-range' | 'above-range';

export interface Clipped {
  value: number;
  flag: Flag | null;
}

/** Clips a raw ADC value to 0..max (a real 10-bit ADC cannot exceed it; a bad line or firmware can). */
export function clipRaw(raw: number, max: number): Clipped {
  if (!Number.isFinite(raw) || raw < 0) return { value: 0, flag: 'adc-out-of-range' };
  if (raw > max) return { value: max, flag: 'adc-out-of-range' };
  return { value: raw, flag: null };
}

/** Clips a value to the range the contract allows for its reading. */
export function clipToRange(value: number, min: number, max: number): Clipped {
  if (value < min) return { value: min, flag: 'below-range' };
  if (value > max) return { value: max, flag: 'above-range' };
  return { value, flag: null };
}

/** A moving average over the last `size` samples. */
export function movingAverage(size: number) {
  const samples: number[] = [];
  let sum = 0;
  return {
    push(x: number): void {
      samples.push(x);
      sum += x;
      if (samples.length > size) sum -= samples.shift()!;
    },
    /** null before the first sample */
    value(): number | null {
      return samples.length ? sum / samples.length : null;
    },
    get count(): number {
      return samples.length;
    },
    clear(): void {
      samples.length = 0;
      sum = 0;
    },
  };
}
