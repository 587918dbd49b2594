/** Cuts a cell to `max` characters, marking the cut. */
function clip(text, max) {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * A plain-text table: a header, a rule and the rows, columns two spaces apart, each as wide as
 * its widest cell up to its `max`, so it stays readable on an 80-column terminal.
 *
 * @param {{ key: string, title: string, max: number }[]} columns
 * @param {Record<string, string>[]} rows
 */
export function formatTable(columns, rows) {
  const cells = rows.map((row) =>
    columns.map((column) => clip(String(row[column.key] ?? ''), column.max)),
  );
  const widths = columns.map((column, i) =>
    Math.max(column.title.length, ...cells.map((row) => row[i].length)),
  );
  const line = (values) =>
    values
      .map((value, i) => value.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [
    line(columns.map((column) => column.title)),
    line(widths.map((width) => '-'.repeat(width))),
    ...cells.map(line),
  ].join('\n');
}
