/** The q1forge version (package.json), recorded as the compiler version in every job's provenance. */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function readVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      const j = JSON.parse(readFileSync(pkg, "utf8")) as { name?: string; version?: string };
      if (j.name === "q1forge") return j.version ?? "0.0.0";
    }
    const up = dirname(dir);
    if (up === dir) return "0.0.0";
    dir = up;
  }
}

export const SERVICE_VERSION = readVersion();
