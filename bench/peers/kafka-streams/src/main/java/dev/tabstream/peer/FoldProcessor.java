package dev.tabstream.peer;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Folds each message's events into per-(Tab, client) states in a Kafka Streams store. The
 * input is keyed by Tab, so every state of a Tab lives in the task of its partition: no
 * repartition. A message's run of events for one state costs one get and one put. A Tab's
 * first type wins, as in Tabstream.
 */
final class FoldProcessor implements Processor<byte[], byte[], Void, Void> {
  static final String STATES = "states";
  static final String TYPES = "types";

  private KeyValueStore<String, TabState> states;
  private KeyValueStore<String, Integer> types;
  private final WireEvents decoder;
  /** Fast decoder (a tuned variant): a run's key is built once, when its Tab or client changes, not per event. */
  private final boolean fast;

  FoldProcessor(boolean fast) {
    this.fast = fast;
    this.decoder = new WireEvents(fast);
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    states = context.getStateStore(STATES);
    types = context.getStateStore(TYPES);
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    decoder.decode(record.value());
    String currentKey = null, currentTab = null, currentClient = null;
    TabState current = null;
    String knownTab = null;
    int knownType = -1;
    for (WireEvents.Event e : decoder.events) {
      int type = TabState.typeOf(e.type);
      if (!e.tab.equals(knownTab)) {
        Integer stored = types.get(e.tab);
        if (stored == null) types.put(e.tab, type);
        knownTab = e.tab;
        knownType = stored == null ? type : stored;
      }
      if (type != knownType) continue; // type mismatch: Tabstream dead-letters it
      if (fast && current != null && e.tab.equals(currentTab) && e.client.equals(currentClient)) {
        // the same state as the event before: no key to build
      } else {
        String key = e.tab + '\u0000' + e.client;
        if (!key.equals(currentKey)) {
          if (current != null) states.put(currentKey, current);
          currentKey = key;
          current = states.get(key);
          if (current == null) current = TabState.create(type);
        }
        currentTab = e.tab;
        currentClient = e.client;
      }
      if (type == TabState.UNIQUE) current.foldString(e.time, e.stringValue);
      else current.foldNumber(e.time, e.value);
    }
    if (current != null) states.put(currentKey, current);
  }
}
