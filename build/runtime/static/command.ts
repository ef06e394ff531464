import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

export interface LoggedCommand {
  cwd: string;
  log: string;
  env?: Record<string, string>;
  /** Run under `nice -n 10`: the lead shares these two cores. */
  nice?: boolean;
  /** Called with each chunk of output (progress parsing); the output still goes to the log. */
  onOutput?: (chunk: string) => void;
}

/** Last lines of a log, for error messages that make sense without opening the file. */
export function logTail(log: string, lines = 15): string {
  try {
    return readFileSync(log, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Run a command with its output appended to the stage log; rejects with the log's tail. */
export function runLogged(cmd: string, args: string[], opts: LoggedCommand): Promise<void> {
  const fd = openSync(opts.log, 'a');
  writeSync(fd, `\n$ (cd ${opts.cwd} && ${[cmd, ...args].join(' ')})\n`);
  const [file, argv] = opts.nice ? ['nice', ['-n', '10', cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', opts.onOutput ? 'pipe' : fd, opts.onOutput ? 'pipe' : fd],
    });
    const forward = (buf: Buffer) => {
      writeSync(fd, buf);
      opts.onOutput?.(buf.toString('utf8'));
    };
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    child.on('error', (err) => {
      closeSync(fd);
      reject(err);
    });
    child.on('close', (code, signal) => {
      closeSync(fd);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.slice(0, 3).join(' ')}… exited with ${code ?? signal}\n${logTail(opts.log)}`));
    });
  });
}

/** A shell snippet, for build systems whose recipes are easiest written as shell (configure && make). */
export function runShell(script: string, opts: LoggedCommand): Promise<void> {
  return runLogged('bash', ['-euo', 'pipefail', '-c', script], opts);
}
