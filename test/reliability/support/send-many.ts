/**
 * Sends `count` GET requests to `url + path(i)`, `concurrency` at a time on keep-alive
 * connections, and resolves with the statuses in order. A request that fails counts as 0.
 */
export async function sendMany(
  url: string,
  count: number,
  path: (i: number) => string,
  concurrency = 32,
): Promise<number[]> {
  const statuses: number[] = new Array(count).fill(0);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      try {
        const response = await fetch(`${url}${path(i)}`);
        await response.arrayBuffer();
        statuses[i] = response.status;
      } catch {
        statuses[i] = 0;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return statuses;
}
