/** A client's part at the end of the process. */
export interface ExitParticipant {
  /** The event loop ran empty: deliver what is still queued (keeps the loop alive while it works). */
  beforeExit(): void;
  /** The process is exiting now (synchronous): say what is left undelivered. */
  exit(): void;
}

// Weak: a client the app let go of (without close) is not kept alive by this list. The client
// holds its participant strongly, so the participant lives exactly as long as the client does.
const participants = new Set<WeakRef<ExitParticipant>>();
let installed = false;

/**
 * One pair of process listeners for every client (one per client would trip Node's
 * MaxListenersExceededWarning in an app that makes many). `beforeExit` is emitted when the event
 * loop is empty and not on `process.exit()` or a signal: the moment a script that forgot
 * `close()` can still deliver, as the Sentry SDK does.
 */
export function registerForExit(participant: ExitParticipant): () => void {
  if (!installed) {
    installed = true;
    process.on('beforeExit', () => {
      for (const each of live()) each.beforeExit();
    });
    process.on('exit', () => {
      for (const each of live()) each.exit();
    });
  }
  const ref = new WeakRef(participant);
  participants.add(ref);
  return () => participants.delete(ref);
}

function live(): ExitParticipant[] {
  const found: ExitParticipant[] = [];
  for (const ref of participants) {
    const participant = ref.deref();
    if (participant) found.push(participant);
    else participants.delete(ref);
  }
  return found;
}

/**
 * How long, in all, a process that ends without `close()` is kept alive to deliver what is
 * still queued: enough for a healthy authentik, short enough that a script whose authentik is
 * down still ends promptly.
 */
const EXIT_FLUSH_BUDGET_MS = 5000;

/** What a client's exit participant needs of it. */
export interface ExitFlushParts {
  readonly closed: boolean;
  /** Events queued (held ones included) and in flight. */
  pending(): { queued: number; inFlight: number };
  /** Events settled so far: the sign that an exit flush makes progress. */
  settled(): number;
  flush(timeoutMs: number): void;
  /** Drops (as `closed`) and reports what is still queued, held events included. */
  dropLeft(): void;
}

/**
 * A script that emits and ends without `close()`: delivers what is left when its event loop
 * runs empty, within a small budget and only while deliveries make progress (an unreachable
 * authentik must not keep the process alive), and says on stderr what could not be delivered.
 */
export function exitFlushFor(client: ExitFlushParts): ExitParticipant {
  let startedAt: number | undefined;
  let settledAtLastFlush = -1;
  return {
    beforeExit() {
      const { queued, inFlight } = client.pending();
      const settled = client.settled();
      if (client.closed || queued + inFlight === 0 || settled === settledAtLastFlush) return;
      settledAtLastFlush = settled;
      startedAt ??= Date.now();
      const left = EXIT_FLUSH_BUDGET_MS - (Date.now() - startedAt);
      if (left > 0) client.flush(left);
    },
    exit() {
      const { queued, inFlight } = client.pending();
      if (client.closed || queued + inFlight === 0) return;
      client.dropLeft();
      process.stderr.write(
        `@authentik-events: the process exited with ${queued + inFlight} events not delivered to authentik (${queued} queued, ${inFlight} in flight); call close() before the process ends\n`,
      );
    },
  };
}
