import type { TransportObservations } from './observed-transport.js';
import type { GateState } from './sender-gate.js';

export interface SenderWaitState {
  gate: GateState;
  transport: TransportObservations;
  /** Events in the store. */
  queued: number;
  /** Events the sender's lanes have taken and not settled. */
  holding: number;
  /** The sender's lanes running (each sees one event at a time through to its end). */
  lanes: number;
}

const at = (ms: number) => new Date(ms).toISOString();

/**
 * What a stalled sender is waiting for, in words an operator can act on: a `Retry-After`
 * pause, the open circuit's next probe, requests that the transport (or its worker) has not
 * answered, or nothing at all (queued events and no lane to take them). Then what authentik
 * last did, since the sender can only know that from its own requests.
 */
export function describeWait(now: number, state: SenderWaitState): string {
  const { gate, transport } = state;
  const waits: string[] = [];
  if (gate.pausedUntil > now) waits.push(`a Retry-After pause until ${at(gate.pausedUntil)}`);
  if (gate.open) {
    waits.push(
      gate.probing
        ? `the open circuit's probe, which is out (${gate.consecutiveFailures} failed attempts in a row)`
        : `the open circuit's next probe at ${at(Math.max(now, gate.nextProbeAt))} (${gate.consecutiveFailures} failed attempts in a row)`,
    );
  }
  if (transport.outstanding > 0) {
    const where = transport.inWorker ? 'the delivery worker' : 'the transport';
    const since =
      transport.oldestSentAt === undefined
        ? ''
        : ` (the oldest since ${at(transport.oldestSentAt)})`;
    waits.push(`${transport.outstanding} requests outstanding in ${where}${since}`);
  }
  if (state.lanes === 0 && state.queued > 0) {
    waits.push(`nothing: ${state.queued} events are queued and no sender lane runs`);
  }
  const held = state.holding - transport.outstanding;
  if (waits.length === 0 && held > 0) waits.push(`${held} events in their retry backoff`);
  if (waits.length === 0) waits.push('nothing it can name');
  const answer = transport.lastAnswer
    ? `authentik last answered at ${at(transport.lastAnswer.at)} (HTTP ${transport.lastAnswer.status})`
    : 'authentik has not answered yet';
  const failure = transport.lastFailure
    ? `; the last request without an answer ended at ${at(transport.lastFailure.at)}: ${transport.lastFailure.message}`
    : '';
  return `the sender is waiting for ${waits.join(', and ')}; ${answer}${failure}`;
}
