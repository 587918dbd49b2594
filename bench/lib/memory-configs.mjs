const MiB = 1024 * 1024;

/** The client options of each memory run, by id, with what the run shows. */
export const MEMORY_CONFIGS = {
  control: { label: 'control: maxQueueSize 1 (garbage only)', options: { maxQueueSize: 1 } },
  'count-bound': { label: 'defaults: 10 000 events / 16 MiB', options: {} },
  'bytes-16': {
    label: 'maxQueueSize 1 000 000 / maxQueueBytes 16 MiB',
    options: { maxQueueSize: 1_000_000, maxQueueBytes: 16 * MiB },
  },
  'bytes-4': {
    label: 'maxQueueSize 1 000 000 / maxQueueBytes 4 MiB',
    options: { maxQueueSize: 1_000_000, maxQueueBytes: 4 * MiB },
  },
};

export const DEFAULT_LIMITS = { maxQueueSize: 10_000, maxQueueBytes: 16 * MiB };
