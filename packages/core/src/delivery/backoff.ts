/**
 * Full-jitter exponential backoff: a random delay between 0 and min(max, min·2^attempt).
 * Full jitter spreads retries of many clients best after a shared outage.
 */
export function fullJitterDelay(
  attempt: number,
  minDelayMs: number,
  maxDelayMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxDelayMs, minDelayMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}
