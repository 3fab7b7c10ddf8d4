import { inspect } from 'node:util';

/**
 * A secret read from a config file (a password given inline): JSON,
 * `util.inspect` (so pino and console.log) and string conversion show
 * `<redacted>`; only `reveal()` gives the value, where a connection
 * authenticates.
 */
export class SecretText {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return '<redacted>';
  }

  toString(): string {
    return '<redacted>';
  }

  [inspect.custom](): string {
    return '<redacted>';
  }
}
