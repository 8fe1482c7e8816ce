package io.flotilla.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ConcurrentMap;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

  private static final Logger log = LoggerFactory.getLogger(MachineStore.class);

  private final ConcurrentMap<String, String> map;
  private final RecordSeal seal;

  /** A store whose records only this instance can seal: for tests and single processes. */
  public MachineStore(ConcurrentMap<String, String> map) {
    this(map, RecordSeal.random());
  }

  /** A store sealed with the site's shared secret, so every manager can read it. */
  public MachineStore(ConcurrentMap<String, String> map, RecordSeal seal) {
    this.map = map;
    this.seal = seal;
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

  /** The record, or empty if there is none or its seal does not verify. */
  public Optional<MachineRecord> get(String id) {
    String stored = map.get(id);
    return stored == null ? Optional.empty() : Optional.ofNullable(decode(id, stored));
  }

  /**
   * Applies {@code change} atomically. If the change returns the record it was given, nothing
   * is written.
   *
   * @return the record as stored after the change
   * @throws NoSuchElementException if there is no such machine, or its seal does not verify
   */
  public MachineRecord update(String id, UnaryOperator<MachineRecord> change) {
    while (true) {
      String before = map.get(id);
      MachineRecord current = before == null ? null : decode(id, before);
      if (current == null) {
        throw new NoSuchElementException("no machine " + id + " is recorded");
      }
      MachineRecord next = change.apply(current);
      if (next == current) {
        return current;
      }
      if (map.replace(id, before, encode(next))) {
        return next;
      }
    }
  }

  /** A snapshot of every record whose seal verifies. */
  public List<MachineRecord> all() {
    List<MachineRecord> records = new ArrayList<>();
    map.forEach((id, stored) -> {
      MachineRecord record = decode(id, stored);
      if (record != null) {
        records.add(record);
      }
    });
    return records;
  }

  public void remove(String id) {
    map.remove(id);
  }

  private String encode(MachineRecord machine) {
    try {
      return seal.seal(JSON.writeValueAsString(machine));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot encode machine " + machine.id(), e);
    }
  }

  /** The record, or null (logged) if it was not sealed with this site's secret. */
  private MachineRecord decode(String id, String stored) {
    String json = seal.open(stored);
    if (json == null) {
      log.error("machine record ignored: its seal does not verify (written by a process"
          + " without the site's cluster secret) machine={}", id);
      return null;
    }
    try {
      return JSON.readValue(json, MachineRecord.class);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable machine record " + id + ": "
          + e.getOriginalMessage(), e);
    }
  }
}
