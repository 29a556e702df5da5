/**
 * What the customer pays on top of the wholesale price: the grid fee, levies and taxes per kWh, and
 * value-added tax on the sum (as evcc's `charges` and `tax`). Applied once to a market tariff so that
 * every cost the planner and the dashboard give is the customer's:
 *
 *   retail EUR/MWh = (wholesale EUR/MWh + 1000 × (gridFeeEurPerKwh + leviesEurPerKwh)) × (1 + vatPercent / 100)
 *
 * A fixed or time-of-use tariff is given as the customer's price already: no fees are added to it.
 * Pure.
 */
import type { Tariff } from './tariff.js';

export interface Fees {
  /** network charge per kWh, EUR (e.g. 0.09) */
  gridFeeEurPerKwh: number;
  /** levies, surcharges and electricity tax per kWh, EUR (e.g. 0.0205 German electricity tax) */
  leviesEurPerKwh: number;
  /** value-added tax on the sum, percent (e.g. 19) */
  vatPercent: number;
}

export const NO_FEES: Fees = Object.freeze({ gridFeeEurPerKwh: 0, leviesEurPerKwh: 0, vatPercent: 0 });

export const hasFees = (f: Fees | undefined): f is Fees => !!f && (f.gridFeeEurPerKwh !== 0 || f.leviesEurPerKwh !== 0 || f.vatPercent !== 0);

/** The customer's price (EUR/MWh) for a wholesale price (EUR/MWh); NaN stays NaN. */
export function retailEurPerMwh(wholesale: number, fees: Fees): number {
  return (wholesale + 1000 * (fees.gridFeeEurPerKwh + fees.leviesEurPerKwh)) * (1 + fees.vatPercent / 100);
}

/** The tariff with fees added to every price; the same object when there are none to add. */
export function withFees(tariff: Tariff, fees: Fees): Tariff {
  if (!hasFees(fees)) return tariff;
  if (hasFees(tariff.fees)) throw new RangeError(`EVN_ERR_TARIFF: ${tariff.source} has its fees already`);
  return { ...tariff, eurPerMwh: tariff.eurPerMwh.map((p) => retailEurPerMwh(p, fees)), fees: { ...fees } };
}

/** 'grid 0.0900 €/kWh + levies 0.0300 €/kWh, VAT 19 %' (for labels); '' without fees. */
export function describeFees(fees: Fees | undefined): string {
  if (!hasFees(fees)) return '';
  const parts: string[] = [];
  if (fees.gridFeeEurPerKwh) parts.push(`grid fee ${fees.gridFeeEurPerKwh.toFixed(4)} €/kWh`);
  if (fees.leviesEurPerKwh) parts.push(`levies ${fees.leviesEurPerKwh.toFixed(4)} €/kWh`);
  if (fees.vatPercent) parts.push(`VAT ${fees.vatPercent} %`);
  return parts.join(', ');
}
