/** Entry of `npm run bench` (through scripts/start.mjs, which compiles first when needed). */
import { runCommand } from '../src/cli/command';
import { main } from './run';

// A mistyped option is one line; a failure of the benchmark itself keeps its stack.
runCommand('bench', async ({ args }) => {
  await main(args);
  return 0;
});
