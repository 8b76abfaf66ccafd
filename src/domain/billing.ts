import type { Billing } from '../schemas/common.js';

export type Currency = '0g' | 'usd';

export const NEURON_PER_0G = 10n ** 18n;
/** The Router's admission floor (contract §0.27): an account must cover 0.01 0G. */
export const MIN_COST_NEURON = NEURON_PER_0G / 100n;

const nanoUsd = (usdPer0g: number) => BigInt(Math.round(usdPer0g * 1e9));

/** Neuron to integer micro-USD, rounded half up: what a USD-settled account is charged. */
export function neuronToMicroUsd(neuron: bigint, usdPer0g: number): bigint {
  return (neuron * nanoUsd(usdPer0g) + 5n * 10n ** 20n) / 10n ** 21n;
}

/** Neuron to a USD decimal string, for the catalog's `pricing_usd`; exact to 1e-9 USD. */
export function neuronToUsd(neuron: bigint, usdPer0g: number): string {
  const nano = (neuron * nanoUsd(usdPer0g)) / NEURON_PER_0G;
  const whole = nano / 1_000_000_000n;
  const frac = (nano % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : whole.toString();
}

/** A decimal amount of 0G or USD ("1000", "0.5") as integer base units (neuron, micro-USD). */
export function parseDecimal(value: string, decimals: number): bigint {
  const [whole = '0', frac = ''] = value.split('.');
  if (frac.length > decimals) throw new RangeError(`${value} has more than ${decimals} decimals`);
  return BigInt(whole) * 10n ** BigInt(decimals) + BigInt(frac.padEnd(decimals, '0') || '0');
}

/**
 * Image billing (contract §12): no input fee, output = per-image price times
 * images produced, in the account's currency. `currency` appears only for USD.
 */
export function imageBilling(amount: bigint, currency: Currency): Billing {
  const billing: Billing = { input_cost: '0', output_cost: amount.toString(), total_cost: amount.toString() };
  if (currency === 'usd') billing.currency = 'usd';
  return billing;
}
