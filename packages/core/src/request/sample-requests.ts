import { CallbackError, describeError } from '../errors.js';
import { absorbThenable } from '../hook-result.js';

/** `autoLog.sample`: the share of request logs recorded, or a function that says per request. */
export type RequestSample<R> = number | ((request: R) => number | boolean);

/** Whether to record this request's log. */
export type Sampler<R> = (request: R) => boolean;

/**
 * Compiles `autoLog.sample` once; `undefined` when every request is recorded. The decision is
 * made before anything of the request's event is built. A function that throws or returns
 * anything but a boolean or a number from 0 to 1 is reported once (through `report`) and the
 * request is recorded: a broken sampler must not make the audit trail silently thinner.
 */
export function compileSampler<R>(
  sample: RequestSample<R> | undefined,
  report: (error: CallbackError) => void,
): Sampler<R> | undefined {
  if (sample === undefined || sample === 1) return undefined;
  if (typeof sample === 'number') return () => Math.random() < sample;
  let reported = false;
  const recordAnyway = (message: string, cause?: unknown): true => {
    if (!reported) {
      reported = true;
      report(
        new CallbackError(
          'autoLog.sample',
          `${message}; the request is recorded (this is reported once)`,
          cause,
        ),
      );
    }
    return true;
  };
  return function sampled(request) {
    let decision: unknown;
    try {
      decision = sample(request);
      // An async function: its rejection must not end the process, and it decides too late.
      if (absorbThenable(decision, () => undefined))
        return recordAnyway('returned a Promise; it must decide synchronously');
    } catch (error) {
      return recordAnyway(`threw: ${describeError(error)}`, error);
    }
    if (typeof decision === 'boolean') return decision;
    if (typeof decision === 'number' && decision >= 0 && decision <= 1)
      return decision === 1 || Math.random() < decision;
    return recordAnyway(
      `returned ${typeof decision === 'number' ? decision : typeof decision}, expected true, false or a number from 0 to 1`,
    );
  };
}
