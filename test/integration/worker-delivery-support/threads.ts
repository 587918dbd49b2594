import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';

/** The nice value the `background` delivery worker gives its own thread. */
export const LOWEST_PRIORITY = 19;

/**
 * Thread nice values can only be read on Linux, and only tell the worker apart from the app's
 * threads when the test process itself is not already at the lowest priority.
 */
export const canSeeThreadPriorities =
  process.platform === 'linux' && getPriority() !== LOWEST_PRIORITY;

/** The nice value of each thread of this process, by thread id (Linux only). */
export function threadNices(): Map<string, number> {
  const nices = new Map<string, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended between the listing and the read
    }
    // Field 19 (nice), counting from 1; the comm field (2) may hold spaces, so count after its ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    nices.set(tid, Number(fields[16]));
  }
  return nices;
}

/** Ids of this process's threads running at the lowest priority. */
export function lowPriorityThreads(): string[] {
  return [...threadNices()].filter(([, nice]) => nice === LOWEST_PRIORITY).map(([tid]) => tid);
}

/** Polls until no thread of this process runs at the lowest priority; false after `timeoutMs`. */
export async function lowPriorityThreadsGone(timeoutMs = 2000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (lowPriorityThreads().length > 0) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}
