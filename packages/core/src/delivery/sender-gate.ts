import { fullJitterDelay } from './backoff.js';
import { sleep } from './sleep.js';

export interface SenderGateOptions {
  /** Consecutive failed attempts (any event) after which only one probe at a time goes out. */
  failureThreshold: number;
  minDelayMs: number;
  maxDelayMs: number;
  random?: () => number;
}

export interface GateState {
  /** A `Retry-After` pause holds every attempt until then (ms since the epoch; past: none). */
  pausedUntil: number;
  open: boolean;
  consecutiveFailures: number;
  /** The open circuit's one probe is out. */
  probing: boolean;
  /** The open circuit lets the next probe out at this time. */
  nextProbeAt: number;
}

/**
 * Shared by every attempt of the sender, so that the whole sender (not one event) reacts to
 * the server's state: a `Retry-After` pauses everything; repeated consecutive failures open a
 * circuit in which one probe at a time is let through, with a growing delay, until one
 * succeeds. Attempts made while paused or probing do not use up an event's retries.
 */
export class SenderGate {
  private pausedUntil = 0;
  private consecutiveFailures = 0;
  private openFailures = 0;
  private nextProbeAt = 0;
  private probing = false;
  private wake: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(private readonly options: SenderGateOptions) {}

  get isOpen(): boolean {
    return this.consecutiveFailures >= this.options.failureThreshold;
  }

  get isPaused(): boolean {
    return Date.now() < this.pausedUntil;
  }

  /** What the gate holds attempts back for, for a stall report. */
  get state(): GateState {
    return {
      pausedUntil: this.pausedUntil,
      open: this.isOpen,
      consecutiveFailures: this.consecutiveFailures,
      probing: this.probing,
      nextProbeAt: this.nextProbeAt,
    };
  }

  /** Waits until an attempt may start; returns `true` when it is the circuit's probe. */
  async acquire(signal: AbortSignal): Promise<boolean> {
    for (;;) {
      signal.throwIfAborted();
      const now = Date.now();
      if (now < this.pausedUntil) {
        await sleep(this.pausedUntil - now, signal);
        continue;
      }
      if (!this.isOpen) return false;
      if (this.probing) {
        await this.changed(signal);
        continue;
      }
      if (now < this.nextProbeAt) {
        await sleep(this.nextProbeAt - now, signal);
        continue;
      }
      this.probing = true;
      return true;
    }
  }

  /** The attempt got an answer that is not an overload or network failure. */
  succeeded(probe: boolean): void {
    if (probe) this.probing = false;
    this.consecutiveFailures = 0;
    this.openFailures = 0;
    this.notify();
  }

  /**
   * The attempt failed in a retryable way. A `permanent` failure (an unknown host, a certificate
   * not trusted) opens the circuit at once: more attempts cannot help until someone fixes it.
   */
  failed(probe: boolean, permanent = false): void {
    if (probe) this.probing = false;
    this.consecutiveFailures++;
    if (permanent)
      this.consecutiveFailures = Math.max(this.consecutiveFailures, this.options.failureThreshold);
    if (this.isOpen) {
      const ceiling = fullJitterDelay(
        this.openFailures++,
        this.options.minDelayMs,
        this.options.maxDelayMs,
        () => 1,
      );
      // Half-jitter for probes: never hammer, never wait the full ceiling in lockstep.
      const random = this.options.random ?? Math.random;
      this.nextProbeAt = Date.now() + Math.floor(ceiling / 2 + (random() * ceiling) / 2);
    }
    this.notify();
  }

  /** The attempt ended without an answer (aborted): release the probe slot. */
  released(probe: boolean): void {
    if (probe) {
      this.probing = false;
      this.notify();
    }
  }

  /** The server asked for a pause (`Retry-After`): no attempt starts before it ends. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
  }

  private changed(signal: AbortSignal): Promise<void> {
    if (!this.wake) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => {
        resolve = r;
      });
      this.wake = { promise, resolve };
    }
    const { promise } = this.wake;
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      promise.then(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.resolve();
  }
}
