package dev.tabstream.peer;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The benchmark's producer: writes the messages it reads on stdin to a topic, each as soon as
 * it arrives, in order per partition (idempotent producer). The Java client spends far less CPU
 * per byte than KafkaJS, so loading and paced latency runs take little from the measured system.
 *
 * Frames on stdin: int32 partition (-1: by key, Kafka's murmur2 partitioner), int32 key length,
 * key bytes, int32 value length, value bytes. At end of input it flushes and prints `sent N`.
 *
 * Usage: --brokers B --topic T
 */
public final class TopicWriter {
  public static void main(String[] argv) throws Exception {
    String brokers = null, topic = null;
    for (int i = 0; i + 1 < argv.length; i += 2) {
      if (argv[i].equals("--brokers")) brokers = argv[i + 1];
      if (argv[i].equals("--topic")) topic = argv[i + 1];
    }
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "1");
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(1 << 20));
    props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(256L << 20));
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(16 << 20));
    AtomicLong sent = new AtomicLong();
    AtomicReference<Exception> failure = new AtomicReference<>();
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
        DataInputStream in = new DataInputStream(new BufferedInputStream(System.in, 1 << 20))) {
      while (failure.get() == null) {
        int partition;
        try {
          partition = in.readInt();
        } catch (EOFException end) {
          break;
        }
        byte[] key = new byte[in.readInt()];
        in.readFully(key);
        byte[] value = new byte[in.readInt()];
        in.readFully(value);
        ProducerRecord<byte[], byte[]> record =
            new ProducerRecord<>(topic, partition < 0 ? null : partition, key.length == 0 ? null : key, value);
        producer.send(record, (meta, err) -> {
          if (err != null) failure.compareAndSet(null, err);
          else sent.incrementAndGet();
        });
      }
      producer.flush();
    }
    if (failure.get() != null) {
      System.err.println("send failed: " + failure.get());
      System.exit(1);
    }
    System.out.println("sent " + sent.get());
  }
}
