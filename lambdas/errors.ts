/** Errors a user can act on: the CLI prints `message` in one line, without a stack trace. */
export class UserError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UserError';
  }
}

/** Input that is not what it claims to be (damaged archive, unreadable file). */
export class InputError extends UserError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InputError';
  }
}

/** Configuration that fails validation; names the setting and the fix. */
export class ConfigError extends UserError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/** An archive whose bytes end early or are corrupt part-way (truncated download, damaged gzip). */
export class ArchiveDamagedError extends InputError {
  constructor(message: string, readonly offset: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ArchiveDamagedError';
  }
}
