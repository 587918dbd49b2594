/**
 * A cap on events per second that throttles instead of refusing: a request beyond the current
 * window's budget is held until a later window has room, like a server that is simply slow
 * under load. A window starts when the first request after an idle window arrives; once it is
 * full the next one is booked, so a burst of N×limit requests is spread over N seconds.
 * Rates below 1 become one request per 1/rate seconds.
 */
export class RateLimiter {
  private readonly windowMs: number;
  private readonly budget: number;
  private windowStart = Number.NEGATIVE_INFINITY;
  private used = 0;

  constructor(perSecond: number) {
    this.windowMs = perSecond >= 1 ? 1000 : 1000 / perSecond;
    this.budget = Math.max(1, Math.floor(perSecond));
  }

  /** Books one request and returns how long it must wait, in ms (0 for now). */
  take(now: number): number {
    if (now >= this.windowStart + this.windowMs) {
      this.windowStart = now;
      this.used = 0;
    }
    if (this.used >= this.budget) {
      this.windowStart += this.windowMs;
      this.used = 0;
    }
    this.used++;
    return Math.max(0, this.windowStart - now);
  }
}
