/**
 * A read that was not made: too many reads are running and waiting (`busy`), or the client
 * closed. Not a failure of authentik: nothing to report as one, nothing to remember.
 */
export class ReadRefused extends Error {
  constructor(
    readonly reason: 'busy' | 'closed',
    message: string,
  ) {
    super(message);
    this.name = 'ReadRefused';
  }
}

interface Waiter {
  admit(): void;
}

/**
 * A semaphore for the reads of authentik's API with a bounded line: at most `slots` reads run at
 * once, at most `maxWaiting` wait for a slot, and a read beyond that is refused at once. Lookups
 * are driven by request content (every failed login can carry a new username), so without both
 * bounds an outside client could make the app flood authentik, or pile up waiting lookups.
 */
export class ReadGate {
  private running = 0;
  private readonly waiting = new Set<Waiter>();

  constructor(
    private readonly slots: number,
    private readonly maxWaiting: number,
  ) {}

  /** Whether a read asked for now would be refused: every slot busy and the line full. */
  get full(): boolean {
    return this.running >= this.slots && this.waiting.size >= this.maxWaiting;
  }

  /** Whether no read is running or waiting. */
  get idle(): boolean {
    return this.running === 0 && this.waiting.size === 0;
  }

  /**
   * Resolves with the function that gives the slot back (call it exactly once, when the read is
   * over). Rejects at once when the line is full, and when `signal` aborts while waiting.
   */
  enter(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (this.running < this.slots) return Promise.resolve(this.take());
    if (this.waiting.size >= this.maxWaiting)
      return Promise.reject(
        new ReadRefused('busy', `${this.slots} reads running and ${this.maxWaiting} waiting`),
      );
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        admit: () => {
          signal.removeEventListener('abort', onAbort);
          resolve(this.take());
        },
      };
      const onAbort = () => {
        this.waiting.delete(waiter);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.add(waiter);
    });
  }

  private take(): () => void {
    this.running++;
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.running--;
      const next = this.waiting.values().next();
      if (!next.done) {
        this.waiting.delete(next.value);
        next.value.admit();
      }
    };
  }
}
