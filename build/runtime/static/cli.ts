import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { cacheRoot } from '../../cache.ts';
import { ALLOCATORS, type Allocator } from './context.ts';
import { initialContext, runPipeline } from './pipeline.ts';
import { StageError } from './stage.ts';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '2' },
    allocator: { type: 'string', default: 'jemalloc' },
    until: { type: 'string' },
  },
});

const allocator = values.allocator as Allocator;
if (!ALLOCATORS.includes(allocator)) {
  console.error(`--allocator must be one of ${ALLOCATORS.join(', ')}`);
  process.exit(2);
}
const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  broker: { nodeVersion: string };
};
const ctx = initialContext(
  {
    cacheDir: cacheRoot(),
    jobs: Number(values.jobs),
    allocator,
    until: values.until,
    report: (line) => console.error(line),
  },
  pkg.broker.nodeVersion,
);

try {
  const done = await runPipeline(ctx);
  if (done.runtimePath) console.log(done.runtimePath);
} catch (err) {
  console.error(err instanceof StageError ? err.message : err);
  process.exit(1);
}
