/** Entry of `npm run bench` (through scripts/start.mjs, which compiles first when needed). */
import { main } from './run';

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exit(1);
  },
);
