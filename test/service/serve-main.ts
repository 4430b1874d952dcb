/** Child-process entry for the service tests: `node --loader ts-node/esm serve-main.ts serve …` runs the real CLI. */
import { main } from "../../src/cli/main.js";

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
