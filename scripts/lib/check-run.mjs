import { expectedRecords } from './demo-session.mjs';

/** The loopback address the demo connects from: the IP every event must carry. */
export const DEMO_CLIENT_IP = '127.0.0.1';

const keyOf = (row) => `${row.action} user=${row.user} path=${row.path} status=${row.status}`;

/** "title: a; b; c; and 2 more", or nothing when `keys` is empty. */
function listed(title, keys) {
  if (keys.length === 0) return [];
  const more = keys.length > 3 ? `; and ${keys.length - 3} more` : '';
  return [`${title}: ${keys.slice(0, 3).join('; ')}${more}`];
}

/**
 * What is wrong with the rows read back from the server: a count that differs from what the
 * client delivered, expected events that are missing, unexpected ones, or a client IP other
 * than the loopback address (the forged X-Forwarded-For must not count).
 */
export function checkRows(rows, delivered) {
  const problems = [];
  if (rows.length !== delivered)
    problems.push(`${delivered} events were delivered but ${rows.length} were read back`);
  const left = rows.map(keyOf);
  const missing = [];
  for (const record of expectedRecords()) {
    const at = left.indexOf(keyOf(record));
    if (at === -1) missing.push(keyOf(record));
    else left.splice(at, 1);
  }
  const wrongIp = rows
    .filter((row) => row.ip !== DEMO_CLIENT_IP)
    .map((row) => `${keyOf(row)} ip=${row.ip}`);
  problems.push(...listed(`${missing.length} expected events not stored`, missing));
  problems.push(...listed(`${left.length} stored events not expected`, left));
  problems.push(
    ...listed(`client IP should be ${DEMO_CLIENT_IP} (X-Forwarded-For is not trusted)`, wrongIp),
  );
  return problems;
}
