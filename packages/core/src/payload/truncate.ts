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
/** At most what `,"…":"[Truncated: N entries, M bytes]"` takes in a record. */
const DROP_MARKER_BYTES = 64;

/**
 * The size in bytes to which the strings above it must be cut so that `excess` bytes are saved:
 * the longest ones come down to a common length. `sizes` is sorted, largest first.
 */
function waterLevel(sizes: readonly number[], excess: number): number {
  let sum = 0;
  for (let k = 0; k < sizes.length; k++) {
    sum += sizes[k] as number;
    const level = Math.floor((sum - excess) / (k + 1));
    const next = sizes[k + 1] ?? 0;
    if (level >= next) return Math.max(0, level);
  }
  return 0;
}

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

  /**
   * Cuts the longest strings (values and keys) first, none below `floor` characters: all the
   * strings above one common length are cut to it, so that of several long fields none is cut
   * more than the others; then what multibyte text left over is cut from the longest on.
   */
  cutStrings(slots: Slot[], floor: number): void {
    const cuttable = slots.filter((slot) => slot.node.text.length > floor);
    cuttable.sort((a, b) => b.node.bytes - a.node.bytes);
    if (this.fits()) return;
    const level = waterLevel(
      cuttable.map((slot) => slot.node.bytes),
      this.total - this.maxBytes,
    );
    for (const slot of cuttable) {
      if (slot.node.bytes <= level) break;
      // Cutting a character saves at least one byte; the marker costs MARKER_BYTES.
      this.cut(slot, slot.node.text.length - (slot.node.bytes - level) - MARKER_BYTES, floor);
    }
    for (const slot of cuttable) {
      if (this.fits()) return;
      const excess = this.total - this.maxBytes;
      this.cut(slot, slot.node.text.length - excess - MARKER_BYTES, floor);
    }
  }

  private cut(slot: Slot, keep: number, floor: number): void {
    const { text } = slot.node;
    const chars = Math.max(floor, keep);
    if (chars >= text.length) return;
    const owner = slot.owner;
    const cut = owner
      ? uniqueCutKey(text, chars, (key) => owner.entries.some((e) => e.key.text === key))
      : cutString(text, chars);
    const bytes = jsonStringBytes(cut);
    if (bytes >= slot.node.bytes) return;
    this.total -= slot.node.bytes - bytes;
    slot.node.text = cut;
    slot.node.bytes = bytes;
  }

  /**
   * Replaces objects and arrays inside the records by a marker with their size, the deepest
   * first (the largest of those first): detail goes before the shape of the record.
   */
  replaceContainers(): void {
    const containers: { node: ContainerNode; depth: number }[] = [];
    for (const record of this.records()) collectContainers(record, 0, containers);
    containers.sort((a, b) => b.depth - a.depth || b.node.bytes - a.node.bytes);
    for (const { node } of containers) {
      if (this.fits()) return;
      const marker = stringNode(`[Truncated: ${node.bytes} bytes]`, node.parent);
      if (marker.bytes >= node.bytes) continue;
      const saved = node.bytes - marker.bytes;
      swap(node, marker);
      // Keeps the recorded size of every container above current, for when its turn comes.
      for (let up = node.parent; up; up = up.parent) up.bytes -= saved;
      this.total -= saved;
    }
  }

  /**
   * Removes the largest entries of the records (all but the fields each keeps) until the event
   * fits, and says in each record how many entries and bytes went.
   */
  dropEntries(): void {
    const candidates: { record: ObjectNode; entry: Entry; bytes: number }[] = [];
    for (const name of RECORDS) {
      const record = this.record(name);
      for (const entry of record?.entries ?? []) {
        if (record && !KEPT[name].includes(entry.key.text)) {
          candidates.push({ record, entry, bytes: entry.key.bytes + 2 + measure(entry.value) });
        }
      }
    }
    candidates.sort((a, b) => b.bytes - a.bytes);
    const dropped = new Map<ObjectNode, { entries: Set<Entry>; bytes: number }>();
    for (const { record, entry, bytes } of candidates) {
      if (this.total + dropped.size * DROP_MARKER_BYTES <= this.maxBytes) break;
      let drop = dropped.get(record);
      if (!drop) {
        drop = { entries: new Set(), bytes: 0 };
        dropped.set(record, drop);
      }
      drop.entries.add(entry);
      drop.bytes += bytes;
      this.total -= bytes;
    }
    for (const [record, drop] of dropped) {
      record.entries = record.entries.filter((entry) => !drop.entries.has(entry));
      record.entries.push({
        key: stringNode('…', record),
        value: stringNode(`[Truncated: ${drop.entries.size} entries, ${drop.bytes} bytes]`, record),
      });
    }
    this.total = measure(this.root);
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

/**
 * Collects the containers below `node` with their depth, and records their current size
 * (strings below them may have been cut since the tree was built).
 */
function collectContainers(
  node: ContainerNode,
  depth: number,
  out: { node: ContainerNode; depth: number }[],
): void {
  const children: JsonNode[] =
    node.kind === 'array' ? node.items : node.entries.map((entry: Entry) => entry.value);
  for (const child of children) {
    if (child.kind === 'array' || child.kind === 'object') {
      collectContainers(child, depth + 1, out);
      out.push({ node: child, depth: depth + 1 });
    }
  }
  node.bytes = measure(node, false);
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
 * and `app`, none below 64 characters, each ending in a marker (keys stay unique); then objects
 * and arrays inside the records are replaced by a marker with their size, deepest first; then
 * the largest entries of the records are removed, except the fields that identify the event
 * (`context.event_id` and `custom_action`, the user's `pk`, `username`, `email`, the brand's
 * `pk` and `name`…), with a marker saying how many went; then every remaining string value is
 * cut to its marker. So an event is never lost because one field is large: whoever controls a
 * field can make it shorter, not make the event vanish. Returns `undefined` only when even that
 * does not fit (or the event cannot be read). The event must be JSON-safe and bounded
 * (sanitised); it is not modified. Never throws.
 */
export function serializeWithin(event: object, maxBytes: number): string | undefined {
  try {
    const json = JSON.stringify(event);
    // A JSON string is at most 3 bytes per UTF-16 unit in UTF-8; a fast path for the common case.
    if (json.length * 3 <= maxBytes || Buffer.byteLength(json) <= maxBytes) return json;
    const fitter = new Fitter(event, maxBytes);
    fitter.cutStrings(fitter.slots(true), SHORTEST_CUT);
    if (!fitter.fits()) fitter.replaceContainers();
    if (!fitter.fits()) fitter.dropEntries();
    if (!fitter.fits()) fitter.cutStrings(fitter.slots(false), 0);
    if (!fitter.fits()) return undefined;
    const fitted = fitter.json();
    return Buffer.byteLength(fitted) <= maxBytes ? fitted : undefined;
  } catch {
    return undefined;
  }
}
