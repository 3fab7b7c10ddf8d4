package dev.tabstream.peer;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/** The store's value serde: a TabState as its compact bytes. */
final class TabStateSerde implements Serde<TabState> {
  @Override
  public Serializer<TabState> serializer() {
    return (topic, state) -> state == null ? null : state.serialize();
  }

  @Override
  public Deserializer<TabState> deserializer() {
    return (topic, bytes) -> bytes == null ? null : TabState.deserialize(bytes);
  }
}
