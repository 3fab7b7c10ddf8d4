package dev.tabstream.peer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The Kafka Streams peer: folds the topic's events into per-(Tab, client) windowed states in
 * stores (RocksDB, or in memory) backed by changelog topics, committing every second (Tabstream's flush
 * interval). When its committed offsets reach the topic's end it writes the all-time count and
 * total of every Tab as JSON (so the benchmark can check them) and exits.
 *
 * Usage: --brokers B --topic T --app-id A --state-dir D --out F [--threads N] [--guarantee exactly_once_v2|at_least_once]
 * [--store rocksdb|memory] [--decoder jackson|fast] [--changelog-batching none|lz4] [--gate on]
 *
 * The bench's tuned variants (bench/peer-variants.ts) choose the store (RocksDB, or in-memory
 * with the same changelog), the decoder (Jackson as a user writes it, or with its fast double
 * parser and no new String for a repeated Tab, client or type) and the changelog producer's
 * batching. With --gate on, several instances of one application can start together: it prints
 * `ready` once built and starts on a line from stdin; once it has written its dump (its own
 * tasks' states only) it prints `dumped` and leaves the group only when stdin closes, so no
 * instance's tasks move to another before every instance has dumped.
 */
public final class TabAggregationApp {
  public static void main(String[] argv) throws Exception {
    Map<String, String> args = new HashMap<>();
    for (int i = 0; i + 1 < argv.length; i += 2) args.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
    String brokers = args.get("brokers"), topic = args.get("topic"), appId = args.get("app-id");
    boolean inMemory = args.getOrDefault("store", "rocksdb").equals("memory");
    boolean fastDecoder = args.getOrDefault("decoder", "jackson").equals("fast");
    boolean gate = args.getOrDefault("gate", "off").equals("on");

    Topology topology = new Topology();
    topology.addSource("events", Serdes.ByteArray().deserializer(), Serdes.ByteArray().deserializer(), topic);
    topology.addProcessor("fold", () -> new FoldProcessor(fastDecoder), "events");
    // Both stores keep their changelog (logging is on by default): in memory or not, a task's
    // state is restored from it, as Tabstream's is from Redis.
    topology.addStateStore(
        Stores.keyValueStoreBuilder(store(FoldProcessor.STATES, inMemory), Serdes.String(), new TabStateSerde()).withCachingEnabled(),
        "fold");
    topology.addStateStore(
        Stores.keyValueStoreBuilder(store(FoldProcessor.TYPES, inMemory), Serdes.String(), Serdes.Integer()).withCachingEnabled(),
        "fold");

    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
    props.put(StreamsConfig.STATE_DIR_CONFIG, args.get("state-dir"));
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, args.getOrDefault("threads", "1"));
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, args.getOrDefault("guarantee", StreamsConfig.EXACTLY_ONCE_V2));
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "1000");
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, String.valueOf(512L * 1024 * 1024));
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, "1");
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), "5000");
    if (args.getOrDefault("changelog-batching", "none").equals("lz4")) {
      // A commit flushes every dirty state of the cache to the changelog at once: larger batches,
      // compressed, take fewer requests and fewer bytes through the broker.
      props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), "100");
      props.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), String.valueOf(512 * 1024));
      props.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
    }

    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers))) {
      Map<TopicPartition, Long> end = endOffsets(admin, topic);
      KafkaStreams streams = new KafkaStreams(topology, props);
      // The bench reads these to tell whether a rebalance fell inside the measured run.
      streams.setStateListener((now, before) -> System.err.println("peer-state " + before + " " + now + " " + System.currentTimeMillis()));
      BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      if (gate) {
        System.out.println("ready");
        System.out.flush();
        stdin.readLine();
      }
      streams.start();
      while (!caughtUp(admin, appId, end)) Thread.sleep(100);
      dump(streams, Path.of(args.get("out")));
      if (gate) {
        System.out.println("dumped");
        System.out.flush();
        while (stdin.readLine() != null) {
          // wait for every instance to have dumped
        }
      }
      streams.close();
    }
    System.exit(0);
  }

  private static KeyValueBytesStoreSupplier store(String name, boolean inMemory) {
    return inMemory ? Stores.inMemoryKeyValueStore(name) : Stores.persistentKeyValueStore(name);
  }

  private static Map<TopicPartition, Long> endOffsets(Admin admin, String topic) throws Exception {
    var partitions = admin.describeTopics(java.util.List.of(topic)).allTopicNames().get().get(topic).partitions();
    Map<TopicPartition, OffsetSpec> request = partitions.stream()
        .collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
    return admin.listOffsets(request).all().get().entrySet().stream()
        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
  }

  private static boolean caughtUp(Admin admin, String group, Map<TopicPartition, Long> end) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    for (var e : end.entrySet()) {
      OffsetAndMetadata c = committed.get(e.getKey());
      if (e.getValue() > 0 && (c == null || c.offset() < e.getValue())) return false;
    }
    return true;
  }

  /** Every Tab's type, all-time count and total, merged over its clients, and how many states. */
  private static void dump(KafkaStreams streams, Path out) throws IOException, InterruptedException {
    ReadOnlyKeyValueStore<String, TabState> store = null;
    while (store == null) {
      try {
        store = streams.store(StoreQueryParameters.fromNameAndType(FoldProcessor.STATES, QueryableStoreTypes.keyValueStore()));
      } catch (RuntimeException notReadyYet) {
        Thread.sleep(100);
      }
    }
    Map<String, Object[]> tabs = new TreeMap<>();
    long states = 0;
    try (KeyValueIterator<String, TabState> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<String, TabState> kv = it.next();
        states++;
        String tab = kv.key.substring(0, kv.key.indexOf('\u0000'));
        Object[] agg = tabs.computeIfAbsent(tab, t -> new Object[] {TabState.typeName(kv.value.type()), 0L, 0.0});
        agg[1] = (Long) agg[1] + kv.value.count();
        agg[2] = (Double) agg[2] + kv.value.total();
      }
    }
    StringBuilder json = new StringBuilder("{\"states\":").append(states).append(",\"tabs\":{");
    boolean first = true;
    for (var e : tabs.entrySet()) {
      if (!first) json.append(',');
      first = false;
      Object[] a = e.getValue();
      json.append('"').append(e.getKey()).append("\":[\"").append(a[0]).append("\",").append(a[1]).append(',').append(a[2]).append(']');
    }
    json.append("}}\n");
    Files.writeString(out, json, StandardCharsets.UTF_8);
  }
}
