// npm run recompute: rebuild every summary from the raw tables and report any disagreement with
// the incrementally maintained state (which should be none beyond floating-point drift).
import { loadConfig } from '../server/src/config.js';
import { prepareDatabase } from '../server/src/bootstrap.js';
import { TOLERANCE_RULE, recomputeAndCompare } from '../server/src/area/area.service.js';

const db = await prepareDatabase(loadConfig(), { demo: false });
try {
  const report = await recomputeAndCompare(db);
  console.log(`recomputed in ${report.ms.toFixed(0)} ms; ${report.rows} summary rows (areas and hazard counts)`);
  console.log(`tolerance: ${TOLERANCE_RULE}`);
  console.log(
    `within tolerance: ${report.drift.count} figures (largest ${report.drift.largestM2.toFixed(3)} m², ` +
      `${report.drift.largestRelative.toExponential(1)} relative)`,
  );
  console.log(`beyond tolerance: ${report.differences.length} differences`);
  for (const d of report.differences.slice(0, 50)) console.log(`  ${d}`);
  process.exitCode = report.differences.length === 0 ? 0 : 1;
} finally {
  await db.destroy();
}
