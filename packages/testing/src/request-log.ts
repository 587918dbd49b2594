import type { RecordedRequest } from './types.js';

/**
 * The recent requests, bounded so a long benchmark does not grow memory without limit. The
 * oldest are dropped in batches of a tenth of the cap (one splice instead of a shift per
 * request), so the array holds between `cap` and 1.1 × `cap` entries once full.
 */
export class RequestLog {
  readonly items: RecordedRequest[] = [];
  count = 0;
  private readonly slack: number;

  constructor(private readonly cap: number) {
    this.slack = Math.max(1, Math.floor(cap / 10));
  }

  add(record: RecordedRequest): void {
    this.count++;
    if (this.cap <= 0) return;
    this.items.push(record);
    if (this.items.length > this.cap + this.slack) {
      this.items.splice(0, this.items.length - this.cap);
    }
  }

  clear(): void {
    this.items.length = 0;
    this.count = 0;
  }
}
