/** Sum of the drop counters. */
export function totalDropped(stats) {
  return Object.values(stats.dropped).reduce((sum, count) => sum + count, 0);
}

/** The client's counters on one line; drop reasons are named only when there are drops. */
export function formatStats(stats) {
  const dropped = totalDropped(stats);
  const reasons = Object.entries(stats.dropped)
    .filter(([, count]) => count > 0)
    .map(([reason, count]) => `${reason} ${count}`);
  const detail = reasons.length > 0 ? ` (${reasons.join(', ')})` : '';
  return `client stats: emitted ${stats.emitted}, queued ${stats.queued}, in flight ${stats.inFlight}, delivered ${stats.delivered}, retried ${stats.retried}, dropped ${dropped}${detail}`;
}

/** Whether `emitted = queued + inFlight + delivered + sum(dropped)`, and the sum written out. */
export function checkIdentity(stats) {
  const dropped = totalDropped(stats);
  const holds = stats.emitted === stats.queued + stats.inFlight + stats.delivered + dropped;
  const sum = `emitted ${stats.emitted} = queued ${stats.queued} + in flight ${stats.inFlight} + delivered ${stats.delivered} + dropped ${dropped}`;
  return { holds, text: `accounting: ${sum}: ${holds ? 'holds' : 'DOES NOT HOLD'}` };
}
