import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The q1forge package directory (works from src/ under ts-node and from dist/ after the build). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "q1forge") return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error("cannot locate the q1forge package directory");
    dir = up;
  }
}
