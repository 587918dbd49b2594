/** Node's timers take at most 2^31-1 ms; a longer delay (or Infinity) fires after 1 ms instead. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * `setTimeout` for any delay: one longer than Node's limit is waited for in steps, and
 * `Infinity` never fires. Returns the function that cancels it.
 */
export function setLongTimeout(run: () => void, ms: number, unref: boolean): () => void {
  if (ms === Number.POSITIVE_INFINITY) return () => undefined;
  const dueAt = Date.now() + Math.max(0, ms);
  let timer: NodeJS.Timeout;
  const arm = () => {
    const left = dueAt - Date.now();
    timer = setTimeout(left > MAX_TIMER_MS ? arm : run, Math.min(Math.max(0, left), MAX_TIMER_MS));
    if (unref) timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}
