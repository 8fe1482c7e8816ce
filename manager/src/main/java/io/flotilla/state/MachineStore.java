package io.flotilla.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ConcurrentMap;
import java.util.function.UnaryOperator;

/**
 * Machine records in a shared map: a Hazelcast {@code IMap} in a cluster, any
 * {@link ConcurrentMap} in tests.
 *
 * <p>Records are stored as JSON text so every member reads them the same way whatever its
 * classpath, and so a compare-and-set compares plain strings. Updates retry until no other
 * writer changed the record in between. Calls block briefly (a map operation), so callers
 * on an event loop should use a worker.
 */
public final class MachineStore {
  private static final ObjectMapper JSON = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final ConcurrentMap<String, String> map;

  public MachineStore(ConcurrentMap<String, String> map) {
    this.map = map;
  }

  /**
   * Writes a new record.
   *
   * @throws IllegalStateException if a record with that id already exists
   */
  public void insert(MachineRecord machine) {
    if (map.putIfAbsent(machine.id(), encode(machine)) != null) {
      throw new IllegalStateException("machine " + machine.id() + " is already recorded");
    }
  }

  public Optional<MachineRecord> get(String id) {
    String json = map.get(id);
    return json == null ? Optional.empty() : Optional.of(decode(json));
  }

  /**
   * Applies {@code change} atomically. If the change returns the record it was given, nothing
   * is written.
   *
   * @return the record as stored after the change
   * @throws NoSuchElementException if there is no such machine
   */
  public MachineRecord update(String id, UnaryOperator<MachineRecord> change) {
    while (true) {
      String before = map.get(id);
      if (before == null) {
        throw new NoSuchElementException("no machine " + id + " is recorded");
      }
      MachineRecord current = decode(before);
      MachineRecord next = change.apply(current);
      if (next == current) {
        return current;
      }
      if (map.replace(id, before, encode(next))) {
        return next;
      }
    }
  }

  /** A snapshot of every record. */
  public List<MachineRecord> all() {
    return map.values().stream().map(MachineStore::decode).toList();
  }

  public void remove(String id) {
    map.remove(id);
  }

  static String encode(MachineRecord machine) {
    try {
      return JSON.writeValueAsString(machine);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode machine " + machine.id(), e);
    }
  }

  static MachineRecord decode(String json) {
    try {
      return JSON.readValue(json, MachineRecord.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable machine record: " + e.getOriginalMessage(), e);
    }
  }
}
