export interface StallWatchdogOptions {
  /** Report once nothing has settled for this long while events wait. */
  stallAfterMs: number;
  /** Events queued or in flight. */
  waiting: () => number;
  /** Events the sender has settled so far (delivered, or dropped on an answer or a limit). */
  settled: () => number;
  /** What the sender is waiting for, in words; read only when a stall is reported. */
  describe: (now: number) => string;
  /** A stall began: called once per episode. */
  stalled: (message: string) => void;
  /** The stall that was reported ended (an event settled, or nothing waits any more). */
  recovered: () => void;
  now?: () => number;
}

/** How often the watchdog looks, at most; a look reads two counters. */
const MAX_CHECK_EVERY_MS = 1000;

/**
 * Makes a stalled sender visible: when events wait and none has been settled for
 * `stallAfterMs`, it reports once, with what the sender is waiting for. A stall while
 * authentik answers is the worst failure an audit pipeline can have, and an intermittent
 * one is invisible in `stats()` unless someone happens to look at the right moment.
 */
export class StallWatchdog {
  private lastSettled: number;
  private progressAt: number;
  private reported = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly options: StallWatchdogOptions) {
    this.now = options.now ?? Date.now;
    this.lastSettled = options.settled();
    this.progressAt = this.now();
  }

  /** Starts looking (if it is not already): called whenever events are queued. */
  start(): void {
    if (this.timer) return;
    this.lastSettled = this.options.settled();
    this.progressAt = this.now();
    const every = Math.max(1, Math.min(MAX_CHECK_EVERY_MS, this.options.stallAfterMs / 2));
    this.timer = setInterval(() => this.check(), every);
    // A watchdog must never keep the app's process alive.
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * One look: progress (or nothing waiting) ends an episode; a long silence starts one. With
   * nothing waiting, the watchdog stops until the next `start()`: an idle client has no timer.
   */
  check(): void {
    const now = this.now();
    const settled = this.options.settled();
    const waiting = this.options.waiting();
    if (settled !== this.lastSettled || waiting === 0) {
      this.lastSettled = settled;
      this.progressAt = now;
      if (this.reported) {
        this.reported = false;
        this.options.recovered();
      }
      if (waiting === 0) this.stop();
      return;
    }
    if (this.reported || now - this.progressAt < this.options.stallAfterMs) return;
    this.reported = true;
    const seconds = Math.round((now - this.progressAt) / 1000);
    this.options.stalled(
      `delivery stalled: no event delivered (or dropped) for ${seconds} s while ${waiting} wait; ${this.options.describe(now)}`,
    );
  }
}
