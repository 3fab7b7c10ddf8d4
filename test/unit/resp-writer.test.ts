import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Command } from 'ioredis';
import { RespWriter } from '../../state/resp-writer';
import { checkpointArgs, checkpointArgsSizeHint, writeCheckpointArgs } from '../../state/checkpoint-args';
import type { PartitionCheckpoint } from '../../contracts/partition-checkpoint';

/** What ioredis writes on the socket for the command. */
function ioredisBytes(name: string, args: Array<string | Buffer>): Buffer {
  const writable = new Command(name, args).toWritable({});
  return typeof writable === 'string' ? Buffer.from(writable, 'utf8') : writable;
}

const NAME = fc.stringMatching(/^[A-Za-z0-9_.:/-]{1,40}$/);
const BYTES = fc.uint8Array({ maxLength: 300 });
const SHA = 'a'.repeat(40);

describe('RespWriter', () => {
  it('writes the bytes ioredis writes for the same arguments', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string({ unit: 'binary', maxLength: 80 }).map((s) => ({ kind: 'string' as const, s })),
            fc.integer({ min: -1, max: Number.MAX_SAFE_INTEGER }).map((n) => ({ kind: 'integer' as const, n })),
            fc.tuple(NAME, fc.oneof(NAME, fc.constant('*'))).map(([a, b]) => ({ kind: 'joined' as const, a, b })),
            BYTES.map((b) => ({ kind: 'bytes' as const, b })),
          ),
          { maxLength: 40 },
        ),
        fc.integer({ min: 0, max: 200 }),
        (args, sizeHint) => {
          const writer = new RespWriter(sizeHint);
          const plain: Array<string | Buffer> = [];
          for (const arg of args) {
            if (arg.kind === 'string') (writer.string(arg.s), plain.push(arg.s));
            else if (arg.kind === 'integer') (writer.integer(arg.n), plain.push(String(arg.n)));
            else if (arg.kind === 'joined') (writer.joined(arg.a, arg.b), plain.push(`${arg.a}\u0000${arg.b}`));
            else (writer.bytesArg(arg.b), plain.push(Buffer.from(arg.b)));
          }
          // With or without a Buffer among them (ioredis' buffer mode or its string mode), the same bytes.
          expect(writer.command('evalsha', SHA)).toEqual(ioredisBytes('evalsha', [SHA, ...plain]));
        },
      ),
    );
  });

  it('gives a second command its own bytes: the first stays as it was sent', () => {
    const writer = new RespWriter(16);
    writer.string('k');
    writer.bytesArg(Uint8Array.from([0, 1, 2]));
    const first = writer.command('evalsha', SHA);
    const kept = Buffer.from(first);
    const lua = 'return 1';
    const second = writer.command('eval', lua);
    expect(first).toEqual(kept);
    expect(second).toEqual(ioredisBytes('eval', [lua, 'k', Buffer.from([0, 1, 2])]));
    // A long first argument (a script's source) does not fit the room kept for a header.
    expect(writer.command('eval', 'x'.repeat(500))).toEqual(ioredisBytes('eval', ['x'.repeat(500), 'k', Buffer.from([0, 1, 2])]));
  });

  it('refuses a field name outside ASCII rather than write it wrong', () => {
    expect(() => new RespWriter().joined('tab', 'clé')).toThrow(/ASCII/);
  });
});

describe('checkpoint arguments written by the RespWriter', () => {
  const STATE = fc.record({ tab: fc.constantFrom('a', 'b', 'counter.17'), client: fc.oneof(NAME, fc.constant('*')), bytes: BYTES });
  const CHECKPOINT = fc.record({
    states: fc.array(STATE, { maxLength: 30 }),
    deleted: fc.array(fc.record({ tab: NAME, client: NAME }), { maxLength: 5 }),
    types: fc.array(fc.record({ tab: NAME, type: fc.constantFrom('counter', 'unique') }), { maxLength: 5 }),
    dedupAdded: fc.array(fc.tuple(fc.nat(), fc.array(fc.string({ unit: 'binary', maxLength: 40 }), { maxLength: 4 })), { maxLength: 3 }).map((pairs) => new Map(pairs)),
    sources: fc.dictionary(NAME, fc.nat().map(String), { maxKeys: 3 }),
    clientCounts: fc.option(fc.array(fc.record({ tab: NAME, clients: fc.nat() }), { maxLength: 4 }), { nil: null }),
  });

  it('are the bytes ioredis writes for checkpointArgs (the script reads the same ARGV)', () => {
    fc.assert(
      fc.property(CHECKPOINT, (parts) => {
        const cp: PartitionCheckpoint = {
          topology: 'taba',
          partition: 3,
          token: 4,
          checkpointId: '4:7',
          expectedWatermark: -1,
          watermark: 99,
          flushedAt: 1_000_000,
          eventsDelta: 12,
          dedupExpireBefore: 420_000,
          ...parts,
        };
        const keys = ['ts:{taba:3}:meta', 'ts:{taba:3}:states'];
        const writer = new RespWriter(checkpointArgsSizeHint(cp));
        writer.integer(keys.length);
        for (const key of keys) writer.string(key);
        writeCheckpointArgs(cp, writer);
        expect(writer.command('evalsha', SHA)).toEqual(ioredisBytes('evalsha', [SHA, String(keys.length), ...keys, ...checkpointArgs(cp)]));
      }),
    );
  });

  it('are sized by checkpointArgsSizeHint once: the writer never grows, whatever the names (one state per Tab, long names, ids outside ASCII)', () => {
    const LONG = fc.stringMatching(/^[A-Za-z0-9_.:/-]{1,200}$/);
    // A Tab each, named at length: every state opens a run of its own.
    const LONE = fc.stringMatching(/^[A-Za-z0-9_.:/-]{16,200}$/);
    const ANY = fc.string({ unit: 'binary', maxLength: 60 });
    fc.assert(
      fc.property(
        fc.record({
          states: fc.array(fc.record({ tab: LONE, client: fc.oneof(LONG, fc.constant('*')), bytes: fc.uint8Array({ maxLength: 300 }) }), { minLength: 100, maxLength: 300 }),
          deleted: fc.array(fc.record({ tab: LONG, client: LONG }), { maxLength: 20 }),
          types: fc.array(fc.record({ tab: ANY, type: ANY }), { maxLength: 20 }),
          dedupAdded: fc.array(fc.tuple(fc.nat(), fc.array(ANY, { maxLength: 20 })), { maxLength: 5 }).map((pairs) => new Map(pairs)),
          sources: fc.dictionary(ANY, ANY, { maxKeys: 5 }),
          clientCounts: fc.option(fc.array(fc.record({ tab: ANY, clients: fc.nat() }), { maxLength: 20 }), { nil: null }),
        }),
        fc.stringMatching(/^[a-z0-9-]{1,100}$/),
        (parts, topologyName) => {
          const cp: PartitionCheckpoint = {
            topology: topologyName,
            partition: 3,
            token: Number.MAX_SAFE_INTEGER,
            checkpointId: `${Number.MAX_SAFE_INTEGER}:${Number.MAX_SAFE_INTEGER}`,
            expectedWatermark: Number.MAX_SAFE_INTEGER,
            watermark: Number.MAX_SAFE_INTEGER,
            flushedAt: Number.MAX_SAFE_INTEGER,
            eventsDelta: Number.MAX_SAFE_INTEGER,
            dedupExpireBefore: Number.MAX_SAFE_INTEGER,
            ...parts,
          };
          const keys = ['meta', 'states', 'types', 'dedup', 'clients'].map((k) => `ts:{${topologyName}:3}:${k}`);
          const writer = new RespWriter(checkpointArgsSizeHint(cp, keys));
          writer.integer(keys.length);
          for (const key of keys) writer.string(key);
          writeCheckpointArgs(cp, writer);
          expect(writer.grown).toBe(0);
        },
      ),
    );
  });

  it.each([
    ['a long topology name', 'a'.repeat(100)],
    ['short keys', 't'],
  ])('are sized by checkpointArgsSizeHint once for a checkpoint of nothing but its header and keys (%s)', (_, topologyName) => {
    const max = Number.MAX_SAFE_INTEGER;
    const cp: PartitionCheckpoint = {
      topology: topologyName,
      partition: 3,
      token: max,
      checkpointId: `${max}:${max}`,
      expectedWatermark: max,
      watermark: max,
      flushedAt: max,
      eventsDelta: max,
      dedupExpireBefore: max,
      states: [],
      deleted: [],
      types: [],
      dedupAdded: new Map(),
      sources: {},
      clientCounts: null,
    };
    const keys = topologyName === 't' ? ['k', 'k', 'k', 'k', 'k'] : ['meta', 'states', 'types', 'dedup', 'clients'].map((k) => `ts:{${topologyName}:3}:${k}`);
    const writer = new RespWriter(checkpointArgsSizeHint(cp, keys));
    writer.integer(keys.length);
    for (const key of keys) writer.string(key);
    writeCheckpointArgs(cp, writer);
    expect(writer.grown).toBe(0);
  });
});

