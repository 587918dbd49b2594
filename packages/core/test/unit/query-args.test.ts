import { describe, expect, it } from 'vitest';
import { queryArgs } from '../../src/request/query-args.js';

describe('hostile query strings: keys named like Object.prototype members are recorded as sent', () => {
  it('constructor, toString, hasOwnProperty and valueOf are plain keys', () => {
    const args = queryArgs('/q?constructor=a&toString=b&hasOwnProperty=c&valueOf=d');
    expect(JSON.parse(JSON.stringify(args))).toEqual({
      constructor: 'a',
      toString: 'b',
      hasOwnProperty: 'c',
      valueOf: 'd',
    });
  });

  it('a repeated key becomes a list; __proto__ cannot change the object', () => {
    const args = queryArgs('/q?x=1&x=2&constructor=a&constructor=b&__proto__=p');
    expect(JSON.parse(JSON.stringify(args))).toEqual({ x: ['1', '2'], constructor: ['a', 'b'] });
    expect(Object.getPrototypeOf(args)).toBe(Object.prototype);
  });
});
