// Reads a flapping soak's timeline: the fake's down/up switches and the app's stats() samples.

/** The up-windows between `from` and `to`, given the switches (the server starts up). */
export function upWindows(switches, from, to) {
  const windows = [];
  let upSince = from;
  for (const { at, state } of switches) {
    if (at < from || at > to) continue;
    if (state === 'down' && upSince !== undefined) {
      windows.push({ from: upSince, to: at });
      upSince = undefined;
    } else if (state === 'up') {
      upSince = at;
    }
  }
  if (upSince !== undefined) windows.push({ from: upSince, to });
  return windows;
}

const waiting = (sample) => sample.queued + sample.inFlight > 0;

/** How much of [from, to] the server was up. */
function upTime(windows, from, to) {
  let total = 0;
  for (const window of windows) {
    total += Math.max(0, Math.min(to, window.to) - Math.max(from, window.from));
  }
  return total;
}

/**
 * The stall figures of one run:
 * - `silentWindows`: up-windows (at least `minWindowMs` between their first and last sample) in
 *   which `delivered` did not move although events were waiting at their start;
 * - `longestUpWithoutDeliveryMs`: the longest stretch of up-time (summed over the windows it
 *   spans) in which events were waiting and `delivered` did not move.
 */
export function stallFigures(samples, windows, { minWindowMs = 3000 } = {}) {
  const silentWindows = [];
  for (const window of windows) {
    const inside = samples.filter((sample) => sample.at >= window.from && sample.at <= window.to);
    if (inside.length < 2) continue;
    const first = inside[0];
    const last = inside.at(-1);
    if (last.at - first.at < minWindowMs) continue;
    if (waiting(first) && last.delivered === first.delivered) {
      silentWindows.push({
        from: window.from,
        to: window.to,
        delivered: first.delivered,
        queued: first.queued,
        inFlight: first.inFlight,
      });
    }
  }
  let longest = 0;
  let longestAt;
  let streak = 0;
  let streakFrom;
  for (let index = 1; index < samples.length; index++) {
    const before = samples[index - 1];
    const after = samples[index];
    if (after.delivered !== before.delivered || !waiting(before)) {
      streak = 0;
      streakFrom = undefined;
      continue;
    }
    streakFrom ??= before.at;
    streak += upTime(windows, before.at, after.at);
    if (streak > longest) {
      longest = streak;
      longestAt = { from: streakFrom, to: after.at };
    }
  }
  return { silentWindows, longestUpWithoutDeliveryMs: longest, longestAt };
}
