// The live stats line is for people: it appears only when stderr is a terminal. util-linux `script`
// gives the recorder a pseudo-terminal, as a person's shell would.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { brokerBundle, removeBundle } from './broker-process.ts';
import { post } from './http-client.ts';

afterAll(removeBundle);

let noScript: string | null = null;
try {
  execFileSync('script', ['--version'], { stdio: 'pipe' });
} catch {
  noScript = 'util-linux script is not installed';
}

it.skipIf(noScript !== null)(`on a TTY, record shows a live stats line and clears it before the summary${noScript ? ` (skipped: ${noScript})` : ''}`, async () => {
  const bundle = await brokerBundle();
  const child = spawn('script', ['-qfec', `exec ${process.execPath} ${bundle} record --listen 127.0.0.1:0`, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  child.stdout.on('data', (d) => (screen += d));
  const closed = new Promise<number | null>((r) => child.on('close', r));
  const waitFor = async (re: RegExp) => {
    for (let i = 0; i < 1500 && !re.test(screen); i++) await new Promise((r) => setTimeout(r, 10));
    return re.exec(screen);
  };
  try {
    const m = await waitFor(/listening on 127\.0\.0\.1:(\d+)/);
    expect(m).not.toBeNull();
    const port = Number(m![1]);
    // Keep a little traffic going until the once-a-second line shows up.
    for (let i = 0; i < 300 && !/\r\x1b\[K\d+ req\/s/.test(screen); i++) {
      await post(port, '/tty', 'x');
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(screen).toMatch(/\r\x1b\[K\d+ req\/s +[\d.]+ MiB\/s +requests \d+ +recorded 0 +dropped 0/);
    // script's child is the recorder itself (exec): signal it directly.
    const kid = Number(readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/)[0]);
    process.kill(kid, 'SIGINT');
    await closed;
    expect(screen).toMatch(/\r\x1b\[Kbroker record: \d+ requests in/);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
