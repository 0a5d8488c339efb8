// Errors meant for the user and the process exit codes every command shares. A UserError is printed
// without a stack trace unless --debug is given; anything else is an internal error (exit 70).

/** Exit codes shared by all commands; a command may add its own above 2 (documented in its help). */
export const EXIT = {
  ok: 0,
  /** The command ran and its check failed (a gate, a drop, request errors, a target never met). */
  failed: 1,
  /** Bad usage or bad input: unknown flag, malformed file, missing data. */
  usage: 2,
  /** A bug: an error that is not a UserError. */
  internal: 70,
} as const;

export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** A benchmark's data file is not in the data directory (so `gate --allow-missing` can skip that benchmark). */
export class MissingDataError extends UserError {
  constructor(
    message: string,
    readonly file: string,
    readonly benchmark: string,
  ) {
    super(message);
    this.name = 'MissingDataError';
  }
}

/**
 * Whether an error is a UserError. By name as well as class: under mocha's CJS+ESM loading a module
 * can see a second copy of a class.
 */
export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError || (err instanceof Error && (err.name === 'UserError' || err.name === 'MissingDataError'));
}

export function isMissingDataError(err: unknown): err is MissingDataError {
  return err instanceof MissingDataError || (err instanceof Error && err.name === 'MissingDataError');
}
