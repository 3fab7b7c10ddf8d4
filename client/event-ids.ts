// Unique event ids for the dedup window: the client id, a random prefix per
// TabClient instance (so restarts and several instances never collide) and a
// counter. At most 128 characters, as the wire format requires.
import { randomBytes } from 'node:crypto';

const MAX_CLIENT_PART = 100;

export class EventIdGenerator {
  private readonly prefix: string;
  private counter = 0;

  constructor(clientId: string) {
    // 72 random bits in 12 base64url characters.
    this.prefix = `${clientId.slice(0, MAX_CLIENT_PART)}.${randomBytes(9).toString('base64url')}.`;
  }

  next(): string {
    return this.prefix + (this.counter++).toString(36);
  }
}
