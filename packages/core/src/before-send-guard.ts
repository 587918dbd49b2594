import { absorbThenable } from './hook-result.js';
import type { WireEvent } from './types.js';

type BeforeSend = (event: WireEvent) => WireEvent | null | undefined | false;

/**
 * `beforeSend` runs for every event: an event emitted from inside it would make another,
 * forever. The guard wraps the hook and says while it runs, so that intake refuses such an emit.
 */
export class BeforeSendGuard {
  private depth = 0;

  /** Whether the app's `beforeSend` is running now. */
  get running(): boolean {
    return this.depth > 0;
  }

  wrap(hook: BeforeSend | undefined): BeforeSend | undefined {
    if (!hook) return undefined;
    return (wire) => {
      this.depth++;
      try {
        const result = hook(wire);
        // An async beforeSend: the Promise itself is refused as not an event; its rejection
        // must not end the process.
        absorbThenable(result, () => undefined);
        return result;
      } finally {
        this.depth--;
      }
    };
  }
}
