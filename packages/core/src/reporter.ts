import { type AuthentikEventsError, CallbackError, describeError } from './errors.js';
import { absorbThenable } from './hook-result.js';
import type { ClientOptions } from './options.js';
import { maskError } from './secrets/mask-error.js';
import type { TextMask } from './secrets/token-mask.js';
import type { DroppedEvent, DropReason } from './types.js';

/**
 * Where failures go. With `onError`, every failure is handed to it; without, one warning per
 * kind per episode goes to `process.emitWarning`, so a misconfigured app is told once, not
 * flooded. Hooks that throw are contained: telemetry never breaks the app it observes.
 *
 * Hooks are re-entrancy safe: what a hook causes while it runs (an `onDrop` that emits into a
 * full queue, an `onError` that emits after close) is counted by the client as usual, but is
 * never reported into the same hook again. Reporting it would call the hook from inside itself
 * and recurse until the stack overflows; reporting it afterwards would loop forever just the same
 * (each report makes the hook cause another).
 */
export class Reporter {
  private readonly warned = new Set<string>();
  private inOnError = false;
  private inOnDrop = false;
  /** Reports a hook caused inside itself and that were therefore not made (counted, not reported). */
  suppressed = 0;

  constructor(
    private readonly onError: ClientOptions['onError'],
    private readonly onDrop: ClientOptions['onDrop'],
    /** Masks the token in every error before it leaves (a server may echo it back). */
    private readonly maskToken: TextMask = (text) => text,
  ) {}

  get wantsDrops(): boolean {
    return this.onDrop !== undefined;
  }

  /**
   * `alwaysOnce`: report once per episode even to `onError` (a wrong token fails every event
   * the same way; one error saying what to check is worth more than thousands).
   */
  error(error: AuthentikEventsError, episodeKey: string = error.code, alwaysOnce = false): void {
    maskError(error, this.maskToken);
    if (alwaysOnce) {
      if (this.warned.has(episodeKey)) return;
      if (this.onError) this.warned.add(episodeKey);
    }
    if (this.onError) {
      if (this.inOnError) {
        this.suppressed++;
        return;
      }
      this.inOnError = true;
      try {
        // An async onError that rejects has nowhere to report to either: absorbed in silence.
        absorbThenable(this.onError(error), () => undefined);
      } catch {
        // An onError that throws has nowhere left to report to; swallowing is the only safe choice.
      } finally {
        this.inOnError = false;
      }
      return;
    }
    if (this.warned.has(episodeKey)) return;
    this.warned.add(episodeKey);
    process.emitWarning(error.message, { type: 'AuthentikEventsWarning', code: error.code });
  }

  /** Report each kind again once the next episode starts (e.g. after a delivery succeeded). */
  endEpisode(episodeKey: string): void {
    this.warned.delete(episodeKey);
  }

  dropped(events: DroppedEvent[], reason: DropReason): void {
    if (!this.onDrop) return;
    if (this.inOnDrop) {
      this.suppressed += events.length;
      return;
    }
    this.inOnDrop = true;
    let thrown: { error: unknown } | undefined;
    try {
      absorbThenable(this.onDrop(events, reason), (rejection) =>
        this.error(new CallbackError('onDrop', `rejected: ${describeError(rejection)}`, rejection)),
      );
    } catch (error) {
      thrown = { error };
    } finally {
      this.inOnDrop = false;
    }
    if (thrown) {
      this.error(
        new CallbackError('onDrop', `threw: ${describeError(thrown.error)}`, thrown.error),
      );
    }
  }
}
