/**
 * One service per SQLite store: a lock file beside the database (`<db>.lock`, created with the `wx`
 * flag, holding the owner's pid). A second service on the same store is refused with STORE_IN_USE
 * while the owner lives; a lock left by a process that died (SIGKILL, power loss) is taken over, so a
 * killed service restarts on its store. Released on close.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { ServiceError } from "../errors.js";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by another user
  }
}

export interface StoreLock {
  readonly path: string;
  release(): void;
}

/** Takes the lock of the SQLite store at `dbPath` (none for an in-memory store). */
export function lockStore(dbPath: string): StoreLock | null {
  if (dbPath === "" || dbPath === ":memory:") return null;
  const path = `${dbPath}.lock`;
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, "wx");
      try {
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      let released = false;
      return {
        path,
        release() {
          if (released) return;
          released = true;
          try {
            if (readFileSync(path, "utf8").trim() === String(process.pid)) unlinkSync(path);
          } catch {
            /* already gone */
          }
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST" || attempt >= 3) {
        throw new ServiceError(
          500,
          "STORE_OPEN_FAILED",
          `cannot create the lock file "${path}": ${(e as Error).message}`,
          {
            path: "--store",
            hint: "give a store in a writable directory, e.g. --store sqlite:./q1forge-jobs.db",
          },
        );
      }
    }
    let text = "";
    try {
      text = readFileSync(path, "utf8").trim();
    } catch {
      continue; // removed meanwhile: try again
    }
    const pid = Number(text);
    if (/^\d+$/.test(text) && pid > 0 && alive(pid)) {
      throw new ServiceError(
        409,
        "STORE_IN_USE",
        `the SQLite store "${dbPath}" is in use by another service (pid ${pid}, lock file "${path}")`,
        {
          path: "--store",
          hint: `stop the other service (pid ${pid}) or use another --store; only one service may run on a store`,
          details: { store: dbPath, pid, lock_file: path },
        },
      );
    }
    // the owner died (or the file is garbage): take the lock over
    try {
      unlinkSync(path);
    } catch {
      /* another process took it over first: the next attempt sees its pid */
    }
  }
}
