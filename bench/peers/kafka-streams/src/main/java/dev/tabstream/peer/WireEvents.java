package dev.tabstream.peer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes a wire-format v1 message (one event object or an array of them) with Jackson's
 * streaming parser, checking each event as Tabstream's decoder does; bad events are counted
 * and skipped, the good ones beside them kept.
 *
 * <p>Fast (a tuned variant of the bench): Jackson's own fast double parser (FastDoubleParser,
 * shipped inside jackson-core), and a Tab, client or type equal to the previous event's is
 * compared in Jackson's buffer and the previous String reused, not allocated again (a type is
 * one of four constants); a name that was valid for the previous event is not checked again.
 * The same events come out, and the same ones are rejected.
 */
final class WireEvents {
  static final class Event {
    String tab, client, type, stringValue, id;
    double value;
    long time;
  }

  private static final JsonFactory JSON = new JsonFactory();
  private static final JsonFactory FAST_JSON = JsonFactory.builder().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build();
  private static final String[] TYPES = {"counter", "gauge", "percentile", "unique"};
  final List<Event> events = new ArrayList<>();
  private final List<Event> pool = new ArrayList<>();
  private final boolean fast;
  private final JsonFactory json;
  /** Fast: the last Tab and client read, and the last ones that were valid names. */
  private String lastTab, lastClient, validTab, validClient;
  long rejected;

  WireEvents(boolean fast) {
    this.fast = fast;
    this.json = fast ? FAST_JSON : JSON;
  }

  /** Decodes `bytes` into {@link #events} (reused between calls). */
  void decode(byte[] bytes) {
    events.clear();
    if (bytes == null) {
      rejected++;
      return;
    }
    try (JsonParser p = json.createParser(bytes)) {
      JsonToken t = p.nextToken();
      if (t == JsonToken.START_ARRAY) {
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) readEvent(p, t);
      } else {
        readEvent(p, t);
      }
    } catch (IOException | RuntimeException e) {
      rejected++;
    }
  }

  private void readEvent(JsonParser p, JsonToken start) throws IOException {
    if (start != JsonToken.START_OBJECT) {
      p.skipChildren();
      rejected++;
      return;
    }
    Event e = events.size() < pool.size() ? pool.get(events.size()) : newPooled();
    e.tab = e.client = e.type = e.stringValue = e.id = null;
    e.time = -1;
    boolean numeric = false, timeOk = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.getCurrentName();
      JsonToken v = p.nextToken();
      switch (field) {
        case "tab": e.tab = v != JsonToken.VALUE_STRING ? null : fast ? (lastTab = reuse(p, lastTab)) : p.getText(); break;
        case "client": e.client = v != JsonToken.VALUE_STRING ? null : fast ? (lastClient = reuse(p, lastClient)) : p.getText(); break;
        case "type": e.type = v != JsonToken.VALUE_STRING ? null : fast ? typeName(p) : p.getText(); break;
        case "id": e.id = v == JsonToken.VALUE_STRING ? p.getText() : null; break;
        case "time":
          timeOk = v == JsonToken.VALUE_NUMBER_INT;
          if (timeOk) e.time = p.getLongValue();
          break;
        case "value":
          numeric = v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT;
          if (numeric) e.value = p.getDoubleValue();
          else if (v == JsonToken.VALUE_STRING) e.stringValue = p.getText();
          break;
        default: p.skipChildren();
      }
    }
    int type = e.type == null ? -1 : TabState.typeOf(e.type);
    boolean valueOk = type == TabState.UNIQUE ? e.stringValue != null : numeric && Double.isFinite(e.value);
    if (!checkedTab(e.tab) || !checkedClient(e.client) || type < 0 || !valueOk || !timeOk || e.time < 0
        || (e.id != null && (e.id.isEmpty() || e.id.length() > 128))) {
      rejected++;
      return;
    }
    events.add(e);
  }

  private boolean checkedTab(String tab) {
    if (fast && tab != null && tab == validTab) return true;
    boolean ok = validName(tab);
    if (ok) validTab = tab;
    return ok;
  }

  private boolean checkedClient(String client) {
    if (fast && client != null && client == validClient) return true;
    boolean ok = validName(client);
    if (ok) validClient = client;
    return ok;
  }

  /** The current string token: `previous` itself when its text is the same, else a new String. */
  private static String reuse(JsonParser p, String previous) throws IOException {
    if (previous != null && sameText(p, previous)) return previous;
    return p.getText();
  }

  /** The current string token as one of the four type names' constants when it is one (else a new String). */
  private static String typeName(JsonParser p) throws IOException {
    for (String t : TYPES) if (sameText(p, t)) return t;
    return p.getText();
  }

  private static boolean sameText(JsonParser p, String s) throws IOException {
    int n = p.getTextLength();
    if (n != s.length()) return false;
    char[] chars = p.getTextCharacters();
    int at = p.getTextOffset();
    for (int i = 0; i < n; i++) if (chars[at + i] != s.charAt(i)) return false;
    return true;
  }

  private Event newPooled() {
    Event e = new Event();
    pool.add(e);
    return e;
  }

  /** 1..200 chars of [A-Za-z0-9_.:/-]. */
  static boolean validName(String s) {
    if (s == null || s.isEmpty() || s.length() > 200) return false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '_' || c == '.' || c == ':' || c == '/' || c == '-';
      if (!ok) return false;
    }
    return true;
  }
}
