import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pin } from './children.mjs';

const SCRIPT = fileURLToPath(new URL('./fake-process.mjs', import.meta.url));

/**
 * Starts the local authentik test double in its own process and returns its URL, token and
 * a few IPC controls. `latencyMs`, `rateLimit` and `capacity` are the fake's fault controls.
 */
export async function startFake({ latencyMs = 0, rateLimit = 0, capacity, cpus } = {}) {
  const args = [String(latencyMs), String(rateLimit)];
  if (capacity) args.push(JSON.stringify(capacity));
  const child = fork(SCRIPT, args, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`fake exited with ${code}`)));
  });
  if (cpus) pin(child.pid, cpus);
  let nextId = 1;
  const pending = new Map();
  child.on('message', (message) => {
    const resolve = pending.get(message.id);
    pending.delete(message.id);
    resolve?.(message.result);
  });
  const call = (command, value) =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      child.send({ id, command, value });
    });
  return {
    url: ready.url,
    token: ready.token,
    pid: ready.pid,
    counts: () => call('counts'),
    clear: () => call('clear'),
    rateLimit: (value) => call('rateLimit', value),
    latency: (value) => call('latency', value),
    sample: () => call('sample'),
    classes: () => call('classes'),
    capacity: (value) => call('capacity', value),
    capacityStats: () => call('capacityStats'),
    async close() {
      await call('close');
      await new Promise((resolve) =>
        child.exitCode === null ? child.once('exit', resolve) : resolve(),
      );
    },
  };
}
