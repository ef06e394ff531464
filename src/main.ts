import type { Cluster } from 'node:cluster';
import { buildInfo } from './build-info.ts';
import { runCli } from './cli.ts';
import { errLine, errText, outLine, writesPending } from './output.ts';
import type { ProgressSink } from './progress.ts';

/** Progress lines go to stderr when it is a terminal (and stdout is not, for a command that streams its output). */
const stderrSink: ProgressSink = {
  visible: (streaming) => {
    const { isatty } = process.getBuiltinModule('node:tty');
    return isatty(2) && !(streaming && isatty(1));
  },
  write: errText,
};

/** One start of the program: everything here touches the process (handles, argv, env), so none of it may run while a snapshot is made. */
function main(): void {
  // A failed write on stdout is one line and exit 1; a reader that stops early (EPIPE) is exit 0 (output.ts).
  const io = { out: outLine, err: errLine, progress: stderrSink };

  // cluster.isWorker without loading node:cluster (and with it child_process, net's server side, dgram) into
  // every start: a cluster worker has an IPC channel, and Node has loaded node:cluster in it before main runs.
  const clusterWorker = process.send !== undefined && (process.getBuiltinModule('node:cluster') as unknown as Cluster).isWorker;

  // A SEA sees argv = [exe, exe, ...args]. cluster.fork re-executes exe with `exec` — set to the absolute
  // executable path in cluster.ts — as the first argument, so a SEA cluster worker finds it in front of the
  // command: drop it.
  const argv = process.argv.slice(2);
  if (clusterWorker && argv[0] === process.execPath && process.getBuiltinModule('node:sea').isSea()) argv.shift();

  /**
   * The command is done. Node's own exit would first take the isolate apart (~0.5 ms of a 16 ms `--version`:
   * docs/benchmarks.md, "Start-up: the exit"); process.exit skips that, unless a stream still holds output
   * (output.ts). A cluster worker lets go of its IPC channel instead, and its primary decides.
   */
  const finish = (code: number) => {
    process.exitCode = code;
    if (clusterWorker) {
      if (process.connected) process.disconnect();
    } else if (!writesPending()) process.exit(code);
  };
  runCli(argv, io).then(finish, (err: unknown) => {
    errLine(`broker: ${err instanceof Error ? err.message : String(err)}`);
    finish(1);
  });
}

// Built with seal.startup "snapshot" this top level runs once, at build time, and each start runs main from the
// snapshot. Asked through the build facts, so other starts never load node:v8 to find out.
if (buildInfo.startup === 'snapshot') process.getBuiltinModule('node:v8').startupSnapshot.setDeserializeMainFunction(main);
else main();
