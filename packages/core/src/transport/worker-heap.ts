import { getHeapStatistics } from 'node:v8';
import { ConfigError } from '../errors.js';
import { MAX_RESPONSE_BYTES } from './undici-transport.js';

const MIB = 2 ** 20;
/** The worker's own code, undici and its connections, idle: measured at about 10 MiB; room kept. */
const BASE_HEAP_MB = 48;
/** The fixed heap this replaces: never less, so a small configuration keeps what it had. */
const MIN_HEAP_MB = 64;
/** A heap held near full spends its time collecting: half again as much as can be live. */
const HEADROOM = 1.5;

/**
 * What one request in flight can hold on the heap at once: its body, a string of up to
 * maxEventBytes UTF-8 bytes that V8 keeps in 2 bytes per character as soon as one character
 * needs it, and the start of the answer, read as bytes and decoded to a string.
 */
function bytesPerRequest(maxEventBytes: number): number {
  return 2 * maxEventBytes + 2 * MAX_RESPONSE_BYTES;
}

/**
 * The delivery worker's heap for a configuration: `concurrency` (a fixed limit, or the adaptive
 * limit's ceiling `maxConcurrency`) requests of the largest event can be in flight at once, and a heap too small for them dies with all of them (issue 9: 48
 * requests of 1.5 MB events killed a fixed 64 MiB heap again and again).
 */
export function workerHeapMb(concurrency: number, maxEventBytes: number): number {
  const inFlight = concurrency * bytesPerRequest(maxEventBytes) * HEADROOM;
  return Math.max(MIN_HEAP_MB, Math.ceil(BASE_HEAP_MB + inFlight / MIB));
}

/**
 * Refuses a configuration whose requests in flight could not fit in this process's heap, in a
 * worker or on the app's thread alike: it would fail at the first burst of large events, not
 * at start-up where it can be fixed.
 */
export function checkInFlightMemory(
  concurrency: number,
  maxEventBytes: number,
  option: 'concurrency' | 'maxConcurrency' = 'concurrency',
): void {
  const neededMb = workerHeapMb(concurrency, maxEventBytes);
  const limitMb = Math.floor(getHeapStatistics().heap_size_limit / MIB);
  if (neededMb > limitMb) {
    throw new ConfigError(
      'maxEventBytes',
      `is too large for ${option} ${concurrency}: ${concurrency} requests of events up to ${maxEventBytes} bytes need up to ${neededMb} MiB of heap, more than this process may use (${limitMb} MiB); lower maxEventBytes or ${option}`,
    );
  }
}
