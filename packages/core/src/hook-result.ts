/**
 * What an app's hook returned may be a Promise (an `async` hook): its rejection is nobody's to
 * catch, and Node's default for an unhandled rejection ends the process. Absorb it, and tell the
 * caller, who reports it (hooks must be synchronous; their result would come too late anyway).
 */
export function absorbThenable(value: unknown, onRejected: (reason: unknown) => void): boolean {
  // Reading `then` of a revoked Proxy throws: that is the caller's to report, as a throw of
  // the hook itself (the callers all run this inside their try).
  const then = (value as { then?: unknown } | null | undefined)?.then;
  if (typeof then !== 'function') return false;
  try {
    (then as (ok: () => void, fail: (reason: unknown) => void) => unknown).call(
      value,
      () => undefined,
      onRejected,
    );
  } catch {
    // A thenable whose then() throws: nothing is pending, nothing to absorb.
  }
  return true;
}
