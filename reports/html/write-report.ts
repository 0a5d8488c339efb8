// writeReport: the HTML report of one or more run directories, written atomically (a reader never
// sees a half-written file), so `eval` and `train` can rewrite it after every run or checkpoint.
import { writeFileAtomic } from '../../core/atomic-write.js';
import { buildReportModel } from './report-model.js';
import { renderReportHtml, type PageOptions } from './page.js';

export async function writeReport(runDirs: string[], outFile: string, opts: PageOptions = {}): Promise<void> {
  const model = await buildReportModel(runDirs);
  const html = await renderReportHtml(model, opts);
  writeFileAtomic(outFile, html);
}
