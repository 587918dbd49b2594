/**
 * Python's str() of a decoded JSON value, for messages that DRF builds with str(data), such as
 * '"True" is not a valid choice.'. Close enough for scalars; containers use Python's repr style.
 */
export function pythonStr(value: unknown): string {
  if (typeof value === 'string') return value;
  return pythonRepr(value);
}

function pythonRepr(value: unknown): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`).join(', ')}}`;
}

/** Python's type name of a decoded JSON value; `raw` tells int from float as json.loads does. */
export function pythonTypeName(value: unknown, raw: string): string {
  if (value === null) return 'NoneType';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return /^\s*-?\d+\s*$/.test(raw) ? 'int' : 'float';
  return Array.isArray(value) ? 'list' : 'dict';
}
