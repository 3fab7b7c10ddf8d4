import { createHash } from 'node:crypto';
import { inspect } from 'node:util';

/**
 * How a ZkClient authenticates (`addAuthInfo`) and whom the znodes it
 * creates belong to. `ZkDigestAuth` is the one Tabstream configures
 * (`zkAuth`); the interface lets a test present a scheme the server refuses.
 */
export interface ZkAuth {
  readonly scheme: string;
  /** The bytes `addAuthInfo` sends. */
  authData(): Buffer;
  /** The identity given full rights on every znode the client creates: `{ scheme: 'digest', id: 'user:<hash>' }`. */
  readonly owner: { scheme: string; id: string };
  /** The user, for messages (never the secret). */
  readonly user: string;
}

/**
 * Digest credentials, `user:password`. The password lives in a private
 * field: JSON, `util.inspect` (so pino and console.log) and string
 * conversion show the user and `<redacted>`, never the secret.
 *
 * `owner` is the id ZooKeeper's DigestAuthenticationProvider derives from
 * the same credentials, `user:base64(sha1("user:password"))`: the ACLs name
 * it explicitly rather than with the `auth` scheme, so a znode gets exactly
 * this identity whatever else the session authenticated as, and `topology
 * zk secure` grants it even when run under another identity.
 */
export class ZkDigestAuth implements ZkAuth {
  readonly scheme = 'digest';
  readonly user: string;
  readonly #credentials: string;

  /** `source` names where the credentials came from, for errors (which never show them). */
  constructor(credentials: string, source: string) {
    const colon = credentials.indexOf(':');
    if (colon <= 0 || colon === credentials.length - 1) {
      throw new Error(`zkAuth credentials from ${source} must be user:password (a non-empty user without ':', a non-empty password)`);
    }
    if (/[\r\n]/.test(credentials)) throw new Error(`zkAuth credentials from ${source} must be one line, user:password`);
    this.user = credentials.slice(0, colon);
    this.#credentials = credentials;
  }

  authData(): Buffer {
    return Buffer.from(this.#credentials, 'utf8');
  }

  get owner(): { scheme: string; id: string } {
    return { scheme: 'digest', id: `${this.user}:${createHash('sha1').update(this.#credentials, 'utf8').digest('base64')}` };
  }

  toJSON(): { scheme: string; user: string; credentials: string } {
    return { scheme: this.scheme, user: this.user, credentials: '<redacted>' };
  }

  toString(): string {
    return `digest:${this.user}:<redacted>`;
  }

  [inspect.custom](): string {
    return `ZkDigestAuth(${this.toString()})`;
  }
}
