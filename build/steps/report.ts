import { inspectFile } from '../../shared/elf/file.ts';
import { need, type BuildContext } from '../context.ts';
import { formatReport } from '../inspect.ts';

/** Ends the build with the inspector's view of the artifact: what a user's machine will need to run it. */
export async function reportStep(ctx: BuildContext): Promise<string> {
  const artifact = need(ctx, 'artifact', 'report');
  const report = inspectFile(artifact.path);
  ctx.log.info(formatReport(artifact.path, report).replace(/^/gm, '    '));
  return report.verdict;
}
