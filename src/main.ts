import { runCli } from './cli.ts';

const io = {
  out: (line: string) => process.stdout.write(`${line}\n`),
  err: (line: string) => process.stderr.write(`${line}\n`),
};

runCli(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`broker: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
