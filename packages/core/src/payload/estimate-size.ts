const NODE_BUDGET = 512;
const PER_VALUE = 8;

/**
 * A cheap estimate of the bytes an emitted value will hold in the queue, used to enforce
 * `maxQueueBytes` without serialising on the request path. It visits at most a few hundred
 * values; strings count by length (an O(1) read), so one huge string is counted exactly.
 * When the budget runs out the rest is assumed to be `fallbackBytes` (the event will be cut
 * to `maxEventBytes` anyway before it is sent).
 */
export function estimateSize(value: unknown, fallbackBytes: number): number {
  let budget = NODE_BUDGET;
  let total = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (--budget < 0) return total + fallbackBytes;
    if (typeof item === 'string') {
      total += item.length + 2;
    } else if (item !== null && typeof item === 'object') {
      total += PER_VALUE;
      if (ArrayBuffer.isView(item)) continue;
      try {
        // Array.isArray throws on a revoked Proxy, so it is inside the try as well.
        if (Array.isArray(item)) {
          for (let i = 0; i < item.length && i < NODE_BUDGET; i++) stack.push(item[i]);
        } else {
          for (const key in item) {
            total += key.length + 4;
            stack.push((item as Record<string, unknown>)[key]);
            if (stack.length > NODE_BUDGET) break;
          }
        }
      } catch {
        // A Proxy or a throwing getter: it will be marked when sanitised; count the fallback.
        total += fallbackBytes;
      }
    } else {
      total += PER_VALUE;
    }
  }
  return total;
}
