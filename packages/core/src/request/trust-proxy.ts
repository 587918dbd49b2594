import { BlockList, isIP } from 'node:net';
import { normalizeIp } from '../payload/ip.js';

/**
 * Which peers are proxies whose `X-Forwarded-*` headers count, in the forms Express's
 * `trust proxy` and Fastify's `trustProxy` take (both through proxy-addr): `true` (every
 * peer), `false` (none), a hop count (the first `n` hops), addresses and subnets (`'10.0.0.1'`,
 * `'10.0.0.0/8'`, `'loopback'`, `'linklocal'`, `'uniquelocal'`, as an array or a
 * comma-separated string), or a function of an address and its hop number.
 */
export type TrustProxy =
  | boolean
  | number
  | string
  | readonly string[]
  | ((address: string, hop: number) => boolean);

/** A trust setting, compiled: whether the address at hop `hop` (0: the socket's peer) is a trusted proxy. */
export type TrustProxyFn = (address: string, hop: number) => boolean;

/** proxy-addr's named ranges, which Express and Fastify accept. */
const NAMED_RANGES: Record<string, readonly string[]> = {
  loopback: ['127.0.0.1/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

const NOT_A_RANGE =
  'must be an IP address, a subnet (10.0.0.0/8, fd00::/8) or one of loopback, linklocal, uniquelocal';

/** `255.255.0.0` as a prefix length (16), or `undefined` when it is no contiguous netmask. */
function netmaskBits(mask: string): number | undefined {
  let bits = 0;
  let ended = false;
  for (const part of mask.split('.')) {
    for (let bit = 7; bit >= 0; bit--) {
      const set = (Number(part) >> bit) & 1;
      if (set && ended) return undefined;
      if (set) bits++;
      else ended = true;
    }
  }
  return bits;
}

/** One entry as [address, prefix length, family], or the reason it is not one. */
export function parseRange(entry: string): [string, number, 'ipv4' | 'ipv6'] | string {
  const [address = '', prefix, extra] = entry.trim().split('/');
  if (extra !== undefined) return NOT_A_RANGE;
  const family = isIP(address);
  if (family === 0) return NOT_A_RANGE;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const max = family === 4 ? 32 : 128;
  if (prefix === undefined) return [address, max, type];
  if (family === 4 && isIP(prefix) === 4) {
    const bits = netmaskBits(prefix);
    return bits === undefined
      ? `has a netmask that is not contiguous (${prefix})`
      : [address, bits, type];
  }
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max)
    return `has a prefix length that is not 0..${max} (${prefix})`;
  return [address, Number(prefix), type];
}

/** The entries of a list setting, with the named ranges expanded. */
export function rangeEntries(setting: string | readonly string[]): string[] {
  const entries = typeof setting === 'string' ? setting.split(',') : [...setting];
  return entries.flatMap((entry) => NAMED_RANGES[entry.trim()] ?? [entry]);
}

function compileRanges(entries: readonly string[]): TrustProxyFn {
  const ranges = new BlockList();
  for (const entry of entries) {
    const range = parseRange(entry);
    // The schema checked every entry; one that slipped through trusts nobody more.
    if (typeof range === 'string') continue;
    ranges.addSubnet(range[0], range[1], range[2]);
  }
  return (address) => {
    const ip = normalizeIp(address);
    if (ip === null) return false;
    return ranges.check(ip, isIP(ip) === 4 ? 'ipv4' : 'ipv6');
  };
}

/** A checked setting as a function; the app's own function is asked as it is. */
export function compileTrustProxy(setting: TrustProxy | undefined): TrustProxyFn {
  if (setting === undefined || setting === false) return () => false;
  if (setting === true) return () => true;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  if (typeof setting === 'function') return setting;
  return compileRanges(rangeEntries(setting));
}

function trusts(trust: TrustProxyFn, address: string, hop: number): boolean {
  try {
    return trust(address, hop) === true;
  } catch {
    // An app's trust function that throws trusts nobody: a forged header must not count.
    return false;
  }
}

/**
 * The addresses of an `X-Forwarded-For` header, right-most (nearest) first, as the `forwarded`
 * package that proxy-addr uses reads them: split at commas, spaces around them dropped, empty
 * entries skipped.
 */
function forwardedHops(header: string): string[] {
  const hops: string[] = [];
  const parts = header.split(',');
  for (let index = parts.length - 1; index >= 0; index--) {
    const address = (parts[index] as string).replace(/^ +| +$/g, '');
    if (address !== '') hops.push(address);
  }
  return hops;
}

/**
 * The client's address as proxy-addr finds it: from the socket's peer, through
 * `X-Forwarded-For` from right to left, for as long as each address is a trusted proxy; the
 * first one that is not (or the left-most) is the client. A peer that is not trusted leaves
 * the header unread.
 */
export function forwardedAddress(
  peer: string | undefined,
  forwardedFor: string | undefined,
  trust: TrustProxyFn,
): string | undefined {
  if (peer === undefined || !forwardedFor || !trusts(trust, peer, 0)) return peer;
  const hops = forwardedHops(forwardedFor);
  for (let index = 0; index < hops.length; index++) {
    const address = hops[index] as string;
    if (index === hops.length - 1 || !trusts(trust, address, index + 1)) return address;
  }
  return peer;
}
