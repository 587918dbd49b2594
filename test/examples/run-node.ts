import { execFile } from 'node:child_process';

export interface NodeRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** What the demo reads from the environment: removed, so a run never picks up the caller's. */
const DEMO_ENV = ['AUTHENTIK_URL', 'AUTHENTIK_TOKEN', 'AUTHENTIK_APP', 'EXAMPLE'];

/** Runs `node <args>` in `cwd` with a clean demo environment plus `env`; resolves whatever the exit code. */
export function runNode(
  cwd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<NodeRun> {
  const base = { ...process.env };
  for (const name of DEMO_ENV) delete base[name];
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      { cwd, env: { ...base, ...env }, timeout: 90_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}

/** The table's data rows: the lines after the rule under the header, up to the blank line. */
export function tableRows(stdout: string): string[][] {
  const lines = stdout.split('\n');
  const rule = lines.findIndex((line) => /^-+( +-+){5}$/.test(line));
  if (rule === -1) return [];
  const rows: string[][] = [];
  for (const line of lines.slice(rule + 1)) {
    if (line.trim() === '') break;
    rows.push(line.split(/ {2,}/));
  }
  return rows;
}
