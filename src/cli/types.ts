export interface CliIo {
  stdout(s: string): void;
  stderr(s: string): void;
  readStdin(): Promise<string>;
  /** true when stderr is a terminal (progress bars only then) */
  isTTY: boolean;
}

export interface CliCommand {
  name: string;
  summary: string;
  /** returns the process exit code; throw UsageError for exit 2, other Q1ForgeErrors for exit 1 */
  run(args: string[], io: CliIo): Promise<number>;
}
