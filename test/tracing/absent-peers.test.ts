import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startFake } from '../integration/helpers.js';
import { runModule } from '../integration/worker-delivery-support/run-child.js';

const HIDE = fileURLToPath(new URL('./support/hide-optional-peers.cjs', import.meta.url));

/** A child app without @opentelemetry/api and prom-client, on the ESM or the CommonJS build. */
const child = (build: 'esm' | 'cjs') => `
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url + '/');
const core = ${build === 'cjs' ? "require('@authentik-events/core')" : "await import('@authentik-events/core')"};
let hidden = false;
try { require('@opentelemetry/api'); } catch { hidden = true; }
const client = core.createEventClient({ app: 'no-peers', delivery: 'in-process' });
client.emit({ action: 'login', context: { step: 1 } });
await client.flush();
let prometheus;
try { core.registerPrometheusMetrics(client, { removeSingleMetric() {} }); } catch (error) { prometheus = error.message; }
console.log(JSON.stringify({ hidden, stats: client.stats(), prometheus }));
await client.close();
`;

describe.each(['esm', 'cjs'] as const)(
  'without the optional peers installed (%s build)',
  (build) => {
    it('loads, delivers events without trace ids, and says what to install for metrics', async () => {
      const fake = await startFake();
      const result = await runModule(child(build), {
        AUTHENTIK_URL: fake.url,
        AUTHENTIK_TOKEN: fake.token,
        NODE_OPTIONS: `--require ${HIDE}`,
      });
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const seen = JSON.parse(result.stdout);
      expect(seen.hidden).toBe(true);
      expect(seen.stats).toMatchObject({ emitted: 1, delivered: 1 });
      expect(seen.prometheus).toMatch(/needs prom-client: npm install prom-client/);
      expect(fake.events).toHaveLength(1);
      expect(fake.events[0]?.context).toMatchObject({ step: 1 });
      expect(fake.events[0]?.context).not.toHaveProperty('trace_id');
    });
  },
);
