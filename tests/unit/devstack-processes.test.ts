/**
 * The launcher's child processes log stdout and stderr into one file. A CI run failed with an
 * uncaught "write after end" when a child's stdout closed before its stderr: the file was ended
 * with the first stream, and the other's last lines were lost and threw.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startProcess } from '../../scripts/devstack/processes';

let dir: string;
const uncaught: Error[] = [];
const record = (error: Error) => uncaught.push(error);
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'holdfast-processes-'));
  process.on('uncaughtException', record);
});
afterAll(() => {
  process.off('uncaughtException', record);
  rmSync(dir, { recursive: true, force: true });
});

describe('a child process logged to a file', () => {
  it('when its stdout closes first and it keeps writing to stderr, then every stderr line is in the log and nothing throws', async () => {
    const output = join(dir, 'stdout-first.log');
    const child = startProcess({ name: 'closes-stdout', command: 'bash', args: ['-c', 'echo out; exec 1>&-; for i in $(seq 1 2000); do echo err$i >&2; done'], output });
    expect(await child.exited).toBe(0);
    await child.stop();
    // The file ends on the child's 'close' and flushes after it: read until it holds the last line (10 s at most).
    const read = () => readFileSync(output, 'utf8').split('\n').filter(Boolean);
    for (const deadline = Date.now() + 10_000; read().at(-1) !== 'err2000' && Date.now() < deadline;) await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = read();
    expect(lines).toHaveLength(2001);
    expect(lines[0]).toBe('out');
    expect(lines.at(-1)).toBe('err2000');
    expect(uncaught).toEqual([]);
  });
});
