import type { Billing } from '../schemas/common.js';

/**
 * Image billing (contract §12): no input fee, output = per-image price times
 * images produced. Amounts are bigint neuron and leave as decimal strings.
 */
export function imageBilling(priceNeuron: bigint, imageCount: number): Billing {
  const outputNeuron = priceNeuron * BigInt(imageCount);
  return { input_cost: '0', output_cost: outputNeuron.toString(), total_cost: outputNeuron.toString() };
}

export const NEURON_PER_0G = 10n ** 18n;

/** Neuron to a USD decimal string, for the catalog's `pricing_usd`; exact to 1e-9 USD. */
export function neuronToUsd(neuron: bigint, usdPer0g: number): string {
  const nanoUsdPer0g = BigInt(Math.round(usdPer0g * 1e9));
  const nanoUsd = (neuron * nanoUsdPer0g) / NEURON_PER_0G;
  const whole = nanoUsd / 1_000_000_000n;
  const frac = (nanoUsd % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : whole.toString();
}
