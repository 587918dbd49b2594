/**
 * A JSON value as a tree whose nodes know their size in UTF-8 bytes once serialised, so that
 * an event can be cut to fit `maxEventBytes` by arithmetic, without serialising it again after
 * every cut. Only for plain JSON data (what the sanitiser makes).
 */
export interface StringNode {
  kind: 'string';
  text: string;
  bytes: number;
  parent: ContainerNode | undefined;
}

export interface LiteralNode {
  kind: 'literal';
  json: string;
  bytes: number;
  parent: ContainerNode | undefined;
}

export interface Entry {
  key: StringNode;
  value: JsonNode;
}

export interface ObjectNode {
  kind: 'object';
  entries: Entry[];
  /** The size when last measured; see {@link measure} for the current one. */
  bytes: number;
  parent: ContainerNode | undefined;
}

export interface ArrayNode {
  kind: 'array';
  items: JsonNode[];
  bytes: number;
  parent: ContainerNode | undefined;
}

export type ContainerNode = ObjectNode | ArrayNode;
export type JsonNode = StringNode | LiteralNode | ContainerNode;

/** Bytes of `text` as a JSON string literal, quotes and escapes included. */
export function jsonStringBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text));
}

export function stringNode(text: string, parent: ContainerNode | undefined): StringNode {
  return { kind: 'string', text, bytes: jsonStringBytes(text), parent };
}

function literal(json: string, parent: ContainerNode | undefined): LiteralNode {
  return { kind: 'literal', json, bytes: json.length, parent };
}

/** The tree of a JSON-safe value; values JSON drops (undefined, functions) are dropped here too. */
export function toTree(value: unknown, parent?: ContainerNode): JsonNode | undefined {
  switch (typeof value) {
    case 'string':
      return stringNode(value, parent);
    case 'number':
      return literal(Number.isFinite(value) ? String(value) : 'null', parent);
    case 'boolean':
      return literal(String(value), parent);
    case 'bigint':
      return stringNode(value.toString(), parent);
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return literal('null', parent);
  if (Array.isArray(value)) {
    const node: ArrayNode = { kind: 'array', items: [], bytes: 0, parent };
    for (const item of value) node.items.push(toTree(item, node) ?? literal('null', node));
    node.bytes = measure(node, false);
    return node;
  }
  const node: ObjectNode = { kind: 'object', entries: [], bytes: 0, parent };
  for (const key of Object.keys(value as object)) {
    const item = toTree((value as Record<string, unknown>)[key], node);
    if (item !== undefined) node.entries.push({ key: stringNode(key, node), value: item });
  }
  node.bytes = measure(node, false);
  return node;
}

/**
 * The node's serialised size: from its children's recorded sizes while the tree is built
 * (`deep` false), or walking down again after strings below it were cut (`deep` true).
 */
export function measure(node: JsonNode, deep = true): number {
  const sizeOf = (child: JsonNode) =>
    deep && child.kind !== 'string' && child.kind !== 'literal' ? measure(child) : child.bytes;
  if (node.kind === 'array') {
    let bytes = 2 + Math.max(0, node.items.length - 1);
    for (const item of node.items) bytes += sizeOf(item);
    return bytes;
  }
  if (node.kind === 'object') {
    let bytes = 2 + Math.max(0, node.entries.length - 1);
    for (const entry of node.entries) bytes += entry.key.bytes + 1 + sizeOf(entry.value);
    return bytes;
  }
  return node.bytes;
}

/** The JSON text of the tree. */
export function render(node: JsonNode): string {
  switch (node.kind) {
    case 'string':
      return JSON.stringify(node.text);
    case 'literal':
      return node.json;
    case 'array':
      return `[${node.items.map(render).join(',')}]`;
    case 'object':
      return `{${node.entries.map((entry) => `${JSON.stringify(entry.key.text)}:${render(entry.value)}`).join(',')}}`;
  }
}
