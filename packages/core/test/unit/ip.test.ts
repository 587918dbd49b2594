import { describe, expect, it } from 'vitest';
import { normalizeIp } from '../../src/payload/ip.js';

describe('normalizeIp', () => {
  it.each([
    ['1.2.3.4', '1.2.3.4'],
    ['203.0.113.7', '203.0.113.7'],
    ['0.0.0.0', '0.0.0.0'],
    ['255.255.255.255', '255.255.255.255'],
    ['::1', '::1'],
    ['2001:db8::1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:ff00:0042:8329', '2001:0db8:0000:0000:0000:ff00:0042:8329'],
    ['fe80::1', 'fe80::1'],
  ])('keeps the plain address %s', (input, expected) => {
    expect(normalizeIp(input)).toBe(expected);
  });

  it.each([
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::FFFF:203.0.113.7', '203.0.113.7'],
  ])('strips the IPv4-mapped prefix of %s', (input, expected) => {
    expect(normalizeIp(input)).toBe(expected);
  });

  it('removes an IPv6 zone', () => {
    expect(normalizeIp('fe80::1%eth0')).toBe('fe80::1');
    expect(normalizeIp('fe80::abcd%25')).toBe('fe80::abcd');
  });

  it('trims surrounding whitespace', () => {
    expect(normalizeIp(' 1.2.3.4 ')).toBe('1.2.3.4');
  });

  it.each([
    ['1.2.3.4:80'],
    ['[::1]'],
    ['[::1]:443'],
    ['999.1.1.1'],
    ['1.2.3'],
    ['1.2.3.4.5'],
    [''],
    ['   '],
    ['%eth0'],
    ['localhost'],
    ['unknown'],
    ['1.2.3.4, 5.6.7.8'],
    ['::ffff:999.1.1.1'],
    ['a'.repeat(1000)],
  ])('turns %j into null', (input) => {
    expect(normalizeIp(input)).toBeNull();
  });

  it.each([[undefined], [null], [1234], [true], [{}], [['1.2.3.4']], [Symbol('ip')]])(
    'turns the non-string %s into null',
    (input) => {
      expect(normalizeIp(input)).toBeNull();
    },
  );
});
