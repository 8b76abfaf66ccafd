import type { Billing } from '../schemas/common.js';

export type Currency = '0g' | 'usd';

export const NEURON_PER_0G = 10n ** 18n;
/** The Router's admission floor (contract §0.27): an account must cover 0.01 0G. */
export const MIN_COST_NEURON = NEURON_PER_0G / 100n;

const nanoUsd = (usdPer0g: number) => BigInt(Math.round(usdPer0g * 1e9));

// neuron x nano-USD per 0G is in 1e-27 USD: 1e21 of those are one micro-USD. Hoisted: BigInt powers are not folded.
const NEURON_NANO_PER_MICRO_USD = 10n ** 21n;
const HALF_MICRO_USD = NEURON_NANO_PER_MICRO_USD / 2n;
const nanoUsdMemo = new Map<number, bigint>();

/** Neuron to integer micro-USD, rounded half up: what a USD-settled account is charged. */
export function neuronToMicroUsd(neuron: bigint, usdPer0g: number): bigint {
  let rate = nanoUsdMemo.get(usdPer0g);
  if (rate === undefined) {
    rate = nanoUsd(usdPer0g);
    if (nanoUsdMemo.size < 16) nanoUsdMemo.set(usdPer0g, rate);
  }
  return (neuron * rate + HALF_MICRO_USD) / NEURON_NANO_PER_MICRO_USD;
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
