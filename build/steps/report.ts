import { inspectFile } from '../../shared/elf/file.ts';
import { type BuildContext, distStep } from '../context.ts';
import { formatReport } from '../inspect.ts';
import type { Ready } from '../pipeline.ts';

/** Ends the build with the inspector's view of the artifact: what a user's machine will need to run it. */
async function reportArtifact(ctx: Ready<BuildContext, 'artifact'>): Promise<string> {
  const { artifact } = ctx;
  const report = inspectFile(artifact.path);
  ctx.log.info(formatReport(artifact.path, report).replace(/^/gm, '    '));
  return report.verdict;
}

export const reportStep = distStep({ name: 'report', needs: ['artifact'], run: reportArtifact });
