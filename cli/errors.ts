// Errors a command throws to choose its exit code (cli/main.ts turns them into one).

/** Bad usage: a wrong option value. Exit 2, like invalid configuration. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A command stopped by Ctrl-C / SIGTERM: exit code 130 (128 + SIGINT), like a shell. */
export class Interrupted extends Error {
  readonly exitCode = 130;
  constructor(message: string) {
    super(message);
    this.name = 'Interrupted';
  }
}
