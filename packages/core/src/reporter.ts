import { type AuthentikEventsError, CallbackError, describeError } from './errors.js';
import type { ClientOptions } from './options.js';
import { maskError } from './secrets/mask-error.js';
import type { TextMask } from './secrets/token-mask.js';
import type { DroppedEvent, DropReason } from './types.js';

/**
 * Where failures go. With `onError`, every failure is handed to it; without, one warning per
 * kind per episode goes to `process.emitWarning`, so a misconfigured app is told once, not
 * flooded. Hooks that throw are contained: telemetry never breaks the app it observes.
 */
export class Reporter {
  private readonly warned = new Set<string>();

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
      try {
        this.onError(error);
      } catch {
        // An onError that throws has nowhere left to report to; swallowing is the only safe choice.
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
    try {
      this.onDrop(events, reason);
    } catch (error) {
      this.error(new CallbackError('onDrop', `threw: ${describeError(error)}`, error));
    }
  }
}
