import { cutString, SHORTEST_CUT, TRUNCATION_MARKER, uniqueCutKey } from './cut-string.js';
import {
  type ContainerNode,
  type Entry,
  type JsonNode,
  jsonStringBytes,
  measure,
  type ObjectNode,
  render,
  type StringNode,
  stringNode,
  toTree,
} from './json-tree.js';

export { TRUNCATION_MARKER } from './cut-string.js';

/** The records of a wire event that carry what the app (and whoever feeds it) put there. */
const RECORDS = ['context', 'user', 'brand'] as const;
/**
 * What a record keeps when everything else in it must go: the id that recognises a duplicate,
 * the custom action's name, and the fields authentik shows for a user and a brand.
 */
const KEPT: Record<(typeof RECORDS)[number], readonly string[]> = {
  context: ['event_id', 'custom_action'],
  user: ['pk', 'username', 'email', 'is_anonymous'],
  brand: ['pk', 'app', 'model_name', 'name'],
};
const MARKER_BYTES = Buffer.byteLength(TRUNCATION_MARKER);

/** A string that may be cut: a value, or a key of `owner`. */
interface Slot {
  node: StringNode;
  owner?: ObjectNode;
}

class Fitter {
  private readonly root: ObjectNode;
  private total: number;

  constructor(
    event: object,
    private readonly maxBytes: number,
  ) {
    this.root = toTree(event) as ObjectNode;
    this.total = this.root.bytes;
  }

  fits(): boolean {
    return this.total <= this.maxBytes;
  }

  json(): string {
    return render(this.root);
  }

  /** Cuts the longest strings (values and keys) first, none below `floor` characters. */
  cutStrings(slots: Slot[], floor: number): void {
    slots.sort((a, b) => b.node.bytes - a.node.bytes);
    for (const slot of slots) {
      if (this.fits()) return;
      const { text } = slot.node;
      // Cutting a character saves at least one byte; the marker costs MARKER_BYTES.
      const keep = Math.max(floor, text.length - (this.total - this.maxBytes) - MARKER_BYTES);
      if (keep >= text.length) continue;
      const cut = slot.owner
        ? uniqueCutKey(
            text,
            keep,
            (key) => slot.owner?.entries.some((e) => e.key.text === key) === true,
          )
        : cutString(text, keep);
      const bytes = jsonStringBytes(cut);
      if (bytes >= slot.node.bytes) continue;
      this.total -= slot.node.bytes - bytes;
      slot.node.text = cut;
      slot.node.bytes = bytes;
    }
  }

  /** Replaces the largest objects and arrays inside the records by a marker with their size. */
  replaceContainers(): void {
    const containers: { node: ContainerNode; bytes: number }[] = [];
    for (const record of this.records()) {
      forEachContainerBelow(record, (node) => containers.push({ node, bytes: measure(node) }));
    }
    // An ancestor is larger than anything below it, so it comes first.
    containers.sort((a, b) => b.bytes - a.bytes);
    for (const { node, bytes } of containers) {
      if (this.fits()) return;
      if (hasReplacedAncestor(node)) continue;
      const marker = stringNode(`[Truncated: ${bytes} bytes]`, node.parent);
      if (marker.bytes >= bytes) continue;
      swap(node, marker);
      node.replaced = true;
      this.total -= bytes - marker.bytes;
    }
  }

  /** Empties the largest records first, down to the fields each keeps, with a marker. */
  emptyRecords(): void {
    const records = RECORDS.flatMap((name) => {
      const node = this.record(name);
      return node ? [{ name, node, bytes: measure(node) }] : [];
    });
    records.sort((a, b) => b.bytes - a.bytes);
    for (const { name, node, bytes } of records) {
      if (this.fits()) return;
      const kept = node.entries.filter((entry) => KEPT[name].includes(entry.key.text));
      node.entries = kept;
      const removed = bytes - measure(node);
      node.entries.push({
        key: stringNode('…', node),
        value: stringNode(`[Truncated: ${removed} bytes]`, node),
      });
      this.total -= bytes - measure(node);
    }
  }

  /** Every string that may be cut: values and keys in the records, and the event's `app`. */
  slots(withKeys: boolean): Slot[] {
    const slots: Slot[] = [];
    const app = this.root.entries.find((entry) => entry.key.text === 'app');
    if (app?.value.kind === 'string') slots.push({ node: app.value });
    for (const record of this.records()) {
      collectSlots(record, withKeys, slots, record === this.record('context'));
    }
    return slots;
  }

  private record(name: string): ObjectNode | undefined {
    const entry = this.root.entries.find((e) => e.key.text === name);
    return entry?.value.kind === 'object' ? entry.value : undefined;
  }

  private records(): ObjectNode[] {
    return RECORDS.flatMap((name) => this.record(name) ?? []);
  }
}

function collectSlots(node: JsonNode, withKeys: boolean, slots: Slot[], isContext = false): void {
  if (node.kind === 'string') slots.push({ node });
  else if (node.kind === 'array')
    for (const item of node.items) collectSlots(item, withKeys, slots);
  else if (node.kind === 'object') {
    for (const entry of node.entries) {
      // The event id recognises a retried duplicate: it is never cut.
      if (isContext && entry.key.text === 'event_id') continue;
      if (withKeys) slots.push({ node: entry.key, owner: node });
      collectSlots(entry.value, withKeys, slots);
    }
  }
}

function forEachContainerBelow(node: ContainerNode, visit: (node: ContainerNode) => void): void {
  const children: JsonNode[] =
    node.kind === 'array' ? node.items : node.entries.map((entry: Entry) => entry.value);
  for (const child of children) {
    if (child.kind === 'array' || child.kind === 'object') {
      visit(child);
      forEachContainerBelow(child, visit);
    }
  }
}

function hasReplacedAncestor(node: ContainerNode): boolean {
  for (let up = node.parent; up; up = up.parent) if (up.replaced) return true;
  return false;
}

function swap(node: ContainerNode, replacement: JsonNode): void {
  const parent = node.parent;
  if (parent?.kind === 'array') parent.items[parent.items.indexOf(node)] = replacement;
  else if (parent?.kind === 'object') {
    const entry = parent.entries.find((e) => e.value === node);
    if (entry) entry.value = replacement;
  }
}

/**
 * Serialises `event` within `maxBytes` (UTF-8). When it is too large, in this order until it
 * fits: the longest strings are cut first, values and keys alike, in `context`, `user`, `brand`
 * and `app`, none below 64 characters, each ending in a marker (keys stay unique); then the
 * largest objects and arrays inside them are replaced by a marker with their size; then the
 * records are emptied down to the fields that identify the event (`context.event_id` and
 * `custom_action`, the user's `pk`, `username`, `email`, the brand's `pk` and `name`…); then
 * every remaining string is cut to its marker. So an event is never lost because one field is
 * large: whoever controls a field can make it shorter, not make the event vanish. Returns
 * `undefined` only when even that does not fit (or the event cannot be read). The event must be
 * JSON-safe and bounded (sanitised); it is not modified. Never throws.
 */
export function serializeWithin(event: object, maxBytes: number): string | undefined {
  try {
    const json = JSON.stringify(event);
    // A JSON string is at most 3 bytes per UTF-16 unit in UTF-8; a fast path for the common case.
    if (json.length * 3 <= maxBytes || Buffer.byteLength(json) <= maxBytes) return json;
    const fitter = new Fitter(event, maxBytes);
    fitter.cutStrings(fitter.slots(true), SHORTEST_CUT);
    if (!fitter.fits()) fitter.replaceContainers();
    if (!fitter.fits()) fitter.emptyRecords();
    if (!fitter.fits()) fitter.cutStrings(fitter.slots(false), 0);
    if (!fitter.fits()) return undefined;
    const fitted = fitter.json();
    return Buffer.byteLength(fitted) <= maxBytes ? fitted : undefined;
  } catch {
    return undefined;
  }
}
