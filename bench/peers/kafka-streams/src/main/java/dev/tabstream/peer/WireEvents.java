package dev.tabstream.peer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes a wire-format v1 message (one event object or an array of them) with Jackson's
 * streaming parser, checking each event as Tabstream's decoder does; bad events are counted
 * and skipped, the good ones beside them kept.
 */
final class WireEvents {
  static final class Event {
    String tab, client, type, stringValue, id;
    double value;
    long time;
  }

  private static final JsonFactory JSON = new JsonFactory();
  final List<Event> events = new ArrayList<>();
  private final List<Event> pool = new ArrayList<>();
  long rejected;

  /** Decodes `bytes` into {@link #events} (reused between calls). */
  void decode(byte[] bytes) {
    events.clear();
    if (bytes == null) {
      rejected++;
      return;
    }
    try (JsonParser p = JSON.createParser(bytes)) {
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
        case "tab": e.tab = v == JsonToken.VALUE_STRING ? p.getText() : null; break;
        case "client": e.client = v == JsonToken.VALUE_STRING ? p.getText() : null; break;
        case "type": e.type = v == JsonToken.VALUE_STRING ? p.getText() : null; break;
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
    if (!validName(e.tab) || !validName(e.client) || type < 0 || !valueOk || !timeOk || e.time < 0
        || (e.id != null && (e.id.isEmpty() || e.id.length() > 128))) {
      rejected++;
      return;
    }
    events.add(e);
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
