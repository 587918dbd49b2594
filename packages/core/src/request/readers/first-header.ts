/** A header as Node parses it (an array for repeated headers such as `set-cookie`): its first value. */
export function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
