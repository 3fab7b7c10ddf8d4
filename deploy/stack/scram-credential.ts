// A SCRAM-SHA-512 credential as Kafka stores it in ZooKeeper
// (/config/users/<name>): salt, stored key, server key, iterations (RFC 5802,
// as org.apache.kafka.common.security.scram.internals.ScramFormatter makes
// it). Computed here so a password never goes on a command line (Kafka's
// ConfigCommand takes it as an argument).
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

export const SCRAM_ITERATIONS = 4096;

/** The `SCRAM-SHA-512` value of a user's config znode. */
export function scramSha512Credential(password: string, salt: Buffer = randomBytes(32), iterations = SCRAM_ITERATIONS): string {
  const salted = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 64, 'sha512');
  const clientKey = createHmac('sha512', salted).update('Client Key').digest();
  const storedKey = createHash('sha512').update(clientKey).digest();
  const serverKey = createHmac('sha512', salted).update('Server Key').digest();
  return `salt=${salt.toString('base64')},stored_key=${storedKey.toString('base64')},server_key=${serverKey.toString('base64')},iterations=${iterations}`;
}

/** The JSON of `/config/users/<name>` holding that credential. */
export function scramUserZnode(password: string): string {
  return JSON.stringify({ version: 1, config: { 'SCRAM-SHA-512': scramSha512Credential(password) } });
}
