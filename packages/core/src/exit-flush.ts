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
