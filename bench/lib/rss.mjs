import { readFileSync } from 'node:fs';

function readRss(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples another process's resident memory from /proc (Linux) until `stop()`. */
export function sampleRss(pid, intervalMs = 250) {
  const samples = [];
  const startedAt = Date.now();
  const take = () => {
    const rss = readRss(pid);
    if (rss !== undefined) samples.push({ atMs: Date.now() - startedAt, rss });
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return samples;
    },
  };
}
