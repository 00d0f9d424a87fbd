/** `npm run eval:understanding`: prints recall, precision and the misses; exits 1 on a crisis miss or needs below 95%. */
import { evaluateProject, projectRoot, report } from './understanding-eval';

const evaluation = evaluateProject(projectRoot(__dirname));
process.stdout.write(`${report(evaluation)}\n`);
const failed = evaluation.crisis.misses.length > 0 || evaluation.needs.accuracy < 0.95;
if (failed) process.stdout.write('FAILED: a crisis phrasing was missed, or needs accuracy is below 95%.\n');
process.exitCode = failed ? 1 : 0;
