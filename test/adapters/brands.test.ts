import type { FakeBrand } from '@authentik-events/testing';
import { describe, expect, it } from 'vitest';
import { requestHeader } from './harness/request-access.js';
import { requestEvent, sendExpecting, settled, startScenario } from './harness/scenario.js';
import { FRAMEWORKS } from './harness/types.js';

const BRANDS: FakeBrand[] = [
  {
    brand_uuid: '1b2c3d4e-0000-4000-8000-000000000001',
    domain: 'authentik-default',
    default: true,
  },
  { brand_uuid: '1b2c3d4e-0000-4000-8000-000000000002', domain: 'example.com' },
  { brand_uuid: '1b2c3d4e-0000-4000-8000-000000000003', domain: 'shop.example.com' },
];

const brand = (pk: string, name: string) => ({
  pk,
  app: 'authentik_brands',
  model_name: 'brand',
  name,
});

describe.each(FRAMEWORKS)('%s: the brand of an event', (framework) => {
  it('uses a static brand as given', async () => {
    const scenario = await startScenario(framework, {
      events: { brand: brand('abc123', 'Shop brand') },
    });
    await sendExpecting(scenario.app, 200, { path: '/hello' });

    expect(requestEvent(await settled(scenario, 1)).brand).toEqual(brand('abc123', 'Shop brand'));
  });

  it('asks a brand function, per request', async () => {
    const scenario = await startScenario(framework, {
      events: {
        brand: (request) => brand('f00d', `Brand for ${requestHeader(request, 'host')}`),
      },
    });
    await sendExpecting(scenario.app, 200, {
      path: '/hello',
      headers: { host: 'tenant-a.example.org' },
    });

    expect(requestEvent(await settled(scenario, 1)).brand).toEqual(
      brand('f00d', 'Brand for tenant-a.example.org'),
    );
  });

  it("with 'lookup' matches the host the way authentik does, reading the brands once", async () => {
    const scenario = await startScenario(framework, {
      fake: { brands: BRANDS },
      events: { brand: 'lookup' },
    });
    const hosts = [
      'api.shop.example.com',
      'www.example.com:8443',
      'unrelated.org',
      'SHOP.EXAMPLE.COM',
    ];
    for (const host of hosts) {
      await sendExpecting(scenario.app, 200, { path: `/hello?host=${host}`, headers: { host } });
    }

    const events = await settled(scenario, hosts.length);
    const byHost = Object.fromEntries(
      events.map((event) => [
        (event.context.http_request as { args: { host: string } }).args.host,
        event.brand,
      ]),
    );
    expect(byHost).toEqual({
      // The longest matching domain wins over its parent domain.
      'api.shop.example.com': brand('1b2c3d4e000040008000000000000003', 'Brand shop.example.com'),
      'www.example.com:8443': brand('1b2c3d4e000040008000000000000002', 'Brand example.com'),
      'unrelated.org': brand('1b2c3d4e000040008000000000000001', 'Default brand'),
      'SHOP.EXAMPLE.COM': brand('1b2c3d4e000040008000000000000003', 'Brand shop.example.com'),
    });
    expect(
      scenario.fake.requests
        .filter((request) => request.path.startsWith('/api/v3/core/brands/'))
        .map((request) => request.method),
    ).toEqual(['GET']);
  });
});
