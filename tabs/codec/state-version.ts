// Every serialized handler state starts with a format version byte, so a
// newer worker can read older states and an older one refuses newer states
// loudly instead of misreading them.
import { ByteReader } from './byte-reader';
import { ByteWriter } from './byte-writer';
import { slabLedger } from './slab-ledger';

export class UnknownStateVersionError extends Error {
  constructor(
    readonly type: string,
    readonly version: number | undefined,
    readonly supported: readonly number[],
  ) {
    super(
      version === undefined
        ? `${type} state: empty bytes, no format version`
        : `${type} state: unknown format version ${version} (this build reads ${supported.join(', ')})`,
    );
    this.name = 'UnknownStateVersionError';
  }
}

export function versionedWriter(version: number, capacity?: number): ByteWriter {
  return new ByteWriter(capacity).u8(version);
}

/** Opens a state, checking its version byte; returns the reader and the version found. */
export function openVersioned(type: string, bytes: Uint8Array, supported: readonly number[]): { reader: ByteReader; version: number } {
  const version = bytes.length === 0 ? undefined : bytes[0];
  if (version === undefined || !supported.includes(version)) throw new UnknownStateVersionError(type, version, supported);
  const reader = new ByteReader(bytes, `${type} state`);
  reader.u8();
  return { reader, version };
}

/** Serialized states are views on its 64 KiB slabs (ByteWriter.take). */
const sharedWriter = new ByteWriter(64 * 1024, slabLedger);
let sharedWriterBusy = false;

/**
 * serialize/deserialize for a handler whose state is written in format
 * `version`, and read in that one and the older `readable` ones (states
 * stay in Redis in the format they were written in until written again).
 */
export function versionedCodec<S>(
  type: string,
  version: number,
  write: (writer: ByteWriter, state: S) => void,
  read: (reader: ByteReader) => S,
  readable: readonly number[] = [version],
): { serialize(state: S): Uint8Array; deserialize(bytes: Uint8Array): S } {
  return {
    serialize(state) {
      // One writer serves every serialization (a checkpoint makes thousands); a nested call gets its own.
      const writer = sharedWriterBusy ? versionedWriter(version, 256) : sharedWriter.reset().u8(version);
      const shared = writer === sharedWriter;
      sharedWriterBusy = true;
      try {
        write(writer, state);
        return shared ? writer.take() : writer.finish();
      } finally {
        if (shared) sharedWriterBusy = false;
      }
    },
    deserialize(bytes) {
      const { reader } = openVersioned(type, bytes, readable);
      const state = read(reader);
      reader.end();
      return state;
    },
  };
}
