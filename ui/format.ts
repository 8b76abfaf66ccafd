/** An integer amount string in base units as a decimal: formatUnits("3000000000000000", 18) → "0.003". */
export function formatUnits(amount: string, decimals: number): string {
  const negative = amount.startsWith('-');
  const digits = (negative ? amount.slice(1) : amount).padStart(decimals + 1, '0');
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = digits.slice(digits.length - decimals).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

export function money(amount: string, currency: '0g' | 'usd'): string {
  return currency === 'usd' ? `${formatUnits(amount, 6)} USD` : `${formatUnits(amount, 18)} 0G`;
}

/** "12:00:01.500" of an ISO time: the console shows emulator time in UTC. */
export const clockTime = (iso: string): string => iso.slice(11, 23);

export function offset(fromIso: string, toIso: string): string {
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  return ms < 1000 ? `+${ms} ms` : `+${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

export const shortAddress = (address: string): string => `${address.slice(0, 6)}…${address.slice(-4)}`;

export const shortId = (id: string): string => id.slice(0, 8);
