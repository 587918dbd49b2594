import proxyaddr from 'proxy-addr';
import { describe, expect, it } from 'vitest';
import {
  compileTrustProxy,
  forwardedAddress,
  type TrustProxy,
} from '../../src/request/trust-proxy.js';
import { trustProxySchema } from '../../src/request/trust-proxy-schema.js';

/** Express's own compileTrust (express/lib/utils.js): how it turns `trust proxy` into proxy-addr's trust. */
function expressTrust(setting: TrustProxy): (address: string, hop: number) => boolean {
  if (typeof setting === 'function') return setting;
  if (setting === true) return () => true;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  const list =
    typeof setting === 'string' ? setting.split(',').map((each) => each.trim()) : setting;
  return proxyaddr.compile(list || []);
}

/** What Express (and Fastify, through proxy-addr too) finds for the same peer, header and setting. */
function referenceAddress(
  peer: string,
  forwardedFor: string | undefined,
  setting: TrustProxy,
): string {
  const headers = forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor };
  const request = { headers, socket: { remoteAddress: peer }, connection: { remoteAddress: peer } };
  return proxyaddr(request as never, expressTrust(setting));
}

const SETTINGS: Array<[string, TrustProxy]> = [
  ['false', false],
  ['true', true],
  ['hop count 0', 0],
  ['hop count 1', 1],
  ['hop count 2', 2],
  ['loopback', 'loopback'],
  ['an address', '10.0.0.1'],
  ['a subnet', '10.0.0.0/8'],
  ['a netmask', '10.0.0.0/255.0.0.0'],
  ['a comma list', 'loopback, 10.0.0.0/8'],
  ['an array', ['127.0.0.1', '192.168.0.0/16', 'uniquelocal']],
  ['IPv6', ['::1', 'fd00::/8']],
  ['a function', (address: string) => address === '127.0.0.1' || address === '10.0.0.2'],
];

const REQUESTS: Array<[string, string, string | undefined]> = [
  ['no header', '127.0.0.1', undefined],
  ['one hop', '127.0.0.1', '203.0.113.9'],
  ['a chain', '127.0.0.1', '203.0.113.9, 10.0.0.2, 10.0.0.1'],
  ['a chain through private addresses', '10.0.0.1', '198.51.100.4, 192.168.1.1, 10.0.0.2'],
  ['a forged left part', '127.0.0.1', '1.1.1.1, 203.0.113.9'],
  ['from an outside peer', '203.0.113.50', '10.0.0.1'],
  ['mapped IPv4 peer', '::ffff:127.0.0.1', '203.0.113.9'],
  ['IPv6 peer', '::1', '2001:db8::7, fd00::1'],
  ['a garbage entry', '127.0.0.1', 'not-an-ip, 10.0.0.2'],
  ['empty entries', '127.0.0.1', ' , ,203.0.113.9'],
];

describe('trustProxy: the same client address Express and Fastify find (proxy-addr)', () => {
  for (const [settingName, setting] of SETTINGS) {
    it.each(REQUESTS)(`${settingName}: %s`, (_name, peer, forwardedFor) => {
      expect(forwardedAddress(peer, forwardedFor, compileTrustProxy(setting))).toBe(
        referenceAddress(peer, forwardedFor, setting),
      );
    });
  }

  it('a trust function that throws trusts nobody: the peer stays the client', () => {
    const trust = () => {
      throw new Error('bad trust function');
    };
    expect(forwardedAddress('127.0.0.1', '203.0.113.9', trust)).toBe('127.0.0.1');
  });

  it('a trust function that answers something truthy but not true trusts nobody', () => {
    const trust = (() => 'yes') as never;
    expect(forwardedAddress('127.0.0.1', '203.0.113.9', trust)).toBe('127.0.0.1');
  });

  it('without a peer address (a closed socket) there is no address, whatever the header says', () => {
    expect(forwardedAddress(undefined, '203.0.113.9', () => true)).toBeUndefined();
  });

  it('a header of 100,000 hops behind a fully trusted proxy is walked once, to its left end', () => {
    const header = Array.from({ length: 100_000 }, (_, i) => `10.0.${(i >> 8) & 255}.${i & 255}`);
    header[0] = '203.0.113.9';
    expect(forwardedAddress('127.0.0.1', header.join(','), () => true)).toBe('203.0.113.9');
  });
});

describe('trustProxy option: checked once, refused with the reason', () => {
  const problem = (setting: unknown) => {
    const result = trustProxySchema.safeParse(setting);
    return result.success ? undefined : result.error.issues[0];
  };

  it.each([
    ['a negative hop count', -1, /hop count/],
    ['a fractional hop count', 1.5, /hop count/],
    ['NaN', Number.NaN, /hop count/],
    ['a host name', 'localhost', /must be an IP address.*"localhost"/],
    ['a bad subnet prefix', '10.0.0.0/33', /prefix length that is not 0\.\.32/],
    ['an IPv6 prefix past 128', '::1/129', /0\.\.128/],
    ['a netmask with holes', '10.0.0.0/255.0.255.0', /not contiguous/],
    ['two slashes', '10.0.0.0/8/8', /must be an IP address/],
    ['a bad entry in a comma list', 'loopback, lan', /"lan"/],
    ['an object', { trust: true }, /must be true, false, a hop count/],
    ['null', null, /must be true, false, a hop count/],
    ['a class', class Trust {}, /not a class/],
  ])('%s', (_name, setting, message) => {
    const issue = problem(setting);
    expect(issue?.message).toMatch(message);
    expect(issue?.path).toEqual([]);
  });

  it('names the entry of an array that is wrong', () => {
    const issue = problem(['127.0.0.1', 42, 'lan']);
    expect(issue?.path).toEqual([1]);
    expect(issue?.message).toMatch(/must be a string/);
  });

  it.each([
    true,
    false,
    0,
    3,
    'loopback',
    '10.0.0.0/8, 192.168.0.0/16',
    ['::1', 'fd00::/8', 'linklocal'],
    () => true,
  ])('accepts %s', (setting) => {
    expect(problem(setting)).toBeUndefined();
  });
});
