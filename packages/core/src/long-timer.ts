/** Node's timers take at most 2^31-1 ms; a longer delay (or Infinity) fires after 1 ms instead. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * `setTimeout` for any delay: one longer than Node's limit is waited for in steps, `Infinity`
 * never fires, and a negative or NaN delay fires at once. Node itself would warn about a delay
 * past its limit, and Node.js 24 about a negative or NaN one (TimeoutNegativeWarning,
 * TimeoutNaNWarning): this never hands Node such a delay, so the app sees no warning on any
 * version. Returns the function that cancels it.
 */
export function setLongTimeout(run: () => void, ms: number, unref: boolean): () => void {
  if (ms === Number.POSITIVE_INFINITY) return () => undefined;
  // Math.max(0, NaN) is NaN, which would reach setTimeout.
  const dueAt = Date.now() + (Number.isNaN(ms) ? 0 : Math.max(0, ms));
  let timer: NodeJS.Timeout;
  const arm = () => {
    const left = dueAt - Date.now();
    timer = setTimeout(left > MAX_TIMER_MS ? arm : run, Math.min(Math.max(0, left), MAX_TIMER_MS));
    if (unref) timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}
