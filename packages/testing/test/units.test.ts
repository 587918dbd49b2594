import { describe, expect, it } from 'vitest';
import { formatDateTime, parseDateTime } from '../src/datetime.js';
import { cleanIpAddress } from '../src/ip-address.js';
import { RateLimiter } from '../src/rate-limiter.js';
import { RequestLog } from '../src/request-log.js';
import type { RecordedRequest } from '../src/types.js';

describe('cleanIpAddress (Django clean_ipv6_address with unpack_ipv4)', () => {
  it.each([
    ['1.2.3.4', '1.2.3.4'],
    [' 1.2.3.4 ', '1.2.3.4'],
    ['::1', '::1'],
    ['::FFFF:10.0.0.1', '10.0.0.1'],
    ['::ffff:a00:1', '10.0.0.1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['fe80::1%eth0', 'fe80::1'],
    ['::1.2.3.4', '::102:304'],
  ])('%s -> %s', (input, output) => {
    expect(cleanIpAddress(input)).toBe(output);
  });

  it.each(['1.2.3.4:80', '::1]/x', '1:2:3:4:5:6:7:8:9', 'fe80::1%', '1.2.3.04', 'a.b.c.d'])(
    'refuses %s',
    (input) => {
      expect(cleanIpAddress(input)).toBeUndefined();
    },
  );
});

describe('parseDateTime / formatDateTime (DRF DateTimeField, UTC)', () => {
  const roundTrip = (s: string) => {
    const parsed = parseDateTime(s);
    return parsed && formatDateTime(parsed);
  };

  it('reads the forms Django reads', () => {
    expect(roundTrip('2030-01-02T03:04:05Z')).toBe('2030-01-02T03:04:05Z');
    expect(roundTrip('2030-1-2T3:4')).toBe('2030-01-02T03:04:00Z');
    expect(roundTrip('2030-01-02T03:04:05,25+0100')).toBe('2030-01-02T02:04:05.250000Z');
    expect(roundTrip('2030-01-02T03:04:05.1234567Z')).toBe('2030-01-02T03:04:05.123456Z');
    expect(roundTrip('2024-02-29T00:00Z')).toBe('2024-02-29T00:00:00Z');
    expect(roundTrip('0099-01-01T00:00Z')).toBe('0099-01-01T00:00:00Z');
  });

  it('refuses invalid dates and times', () => {
    for (const s of [
      '2023-02-29',
      '2030-01-01T00:60',
      '2030-01-01T00:00:60',
      '0000-01-01',
      '2030-01-01Z',
    ]) {
      expect(parseDateTime(s), s).toBeUndefined();
    }
    expect(parseDateTime(20300101)).toBeUndefined();
  });
});

describe('RateLimiter', () => {
  it('books whole windows once the current one is full', () => {
    const limiter = new RateLimiter(2);
    expect([limiter.take(0), limiter.take(10), limiter.take(20), limiter.take(30)]).toEqual([
      0, 0, 980, 970,
    ]);
    expect(limiter.take(40)).toBe(1960);
    // After an idle spell the budget is fresh.
    expect(limiter.take(10_000)).toBe(0);
  });

  it('spaces rates below one per second', () => {
    const limiter = new RateLimiter(0.5);
    expect([limiter.take(0), limiter.take(0)]).toEqual([0, 2000]);
  });
});

describe('RequestLog', () => {
  it('trims in batches and keeps the newest', () => {
    const log = new RequestLog(100);
    for (let i = 0; i < 1000; i++) log.add({ path: String(i) } as RecordedRequest);
    expect(log.count).toBe(1000);
    expect(log.items.length).toBeLessThanOrEqual(110);
    expect(log.items.at(-1)?.path).toBe('999');
  });
});
