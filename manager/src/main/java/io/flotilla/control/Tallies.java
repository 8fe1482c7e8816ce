package io.flotilla.control;

import io.flotilla.config.ControlConfig.Flavour;
import io.flotilla.config.ControlConfig.Quota;
import io.flotilla.config.ControlConfig.SpaceLimits;
import java.util.ArrayList;
import java.util.List;

/** The running counts the planner keeps while it reads the machines of one pass. */
final class Tallies {
  private Tallies() {}

  /** What one machine of a type costs a space, as the cloud charges it. */
  record Size(int processors, long ramMb, double hs06) {
    static Size charged(MachineType type, SpaceLimits limits) {
      Flavour flavour = limits.flavours().get(type.vo().flavour());
      if (flavour != null) {
        return new Size(flavour.processors(), flavour.ramMb(), type.machineHs06());
      }
      return new Size(type.vo().cores(), roundUp(type.vo().ramMb(), limits.ramRoundingMb()),
          type.machineHs06());
    }

    static Size ofMachine(MachineSummary machine, SpaceLimits limits) {
      return new Size(machine.cores(), roundUp(machine.ramMb(), limits.ramRoundingMb()),
          machine.hs06());
    }

    static long roundUp(long ramMb, long rounding) {
      return rounding <= 1 ? ramMb : (ramMb + rounding - 1) / rounding * rounding;
    }
  }

  /** Usage that can grow machine by machine. */
  static final class Counter {
    long instances;
    long processors;
    long ramMb;
    double hs06;

    void add(Size size) {
      instances++;
      processors += size.processors();
      ramMb += size.ramMb();
      hs06 += size.hs06();
    }

    void add(Usage usage) {
      instances += usage.instances();
      processors += usage.processors();
      ramMb += usage.ramMb();
      hs06 += usage.hs06();
    }

    /** Why one more machine of {@code size} would break {@code quota}, or null if it fits. */
    String exceeds(Quota quota, Size size, String what) {
      if (instances + 1 > quota.instances()) {
        return what + " instances: " + instances + " of " + quota.instances() + " in use";
      }
      if (processors + size.processors() > quota.processors()) {
        return what + " processors: needs " + size.processors() + ", "
            + Math.max(0, quota.processors() - processors) + " left of " + quota.processors();
      }
      if (ramMb + size.ramMb() > quota.ramMb()) {
        return what + " ram_mb: needs " + size.ramMb() + " (as the cloud charges it), "
            + Math.max(0, quota.ramMb() - ramMb) + " left of " + quota.ramMb();
      }
      if (hs06 + size.hs06() > quota.hs06() + 1e-9) {
        return what + " hs06: needs " + size.hs06() + ", " + Math.max(0, quota.hs06() - hs06)
            + " left of " + quota.hs06();
      }
      return null;
    }
  }

  /** One machine type on one space. */
  static final class Type {
    final MachineType type;
    final String space;
    final Size size;
    final Counter held = new Counter();
    final List<MachineSummary> liveMachines = new ArrayList<>();
    long liveProcessors;
    double liveWeight;
    double weightBefore;
    long startingProcessors;
    long lastRequested = -1;
    long lastAbort = -1;
    int probing;
    boolean survived;
    boolean probeOnly;
    int created;
    String hold;

    Type(MachineType type, String space, Size size) {
      this.type = type;
      this.space = space;
      this.size = size;
    }

    String vo() {
      return type.name();
    }

    void countLive(MachineSummary machine, boolean byHs06) {
      liveMachines.add(machine);
      liveProcessors += machine.cores();
      liveWeight += byHs06 ? machine.hs06() : machine.cores();
      if (machine.starting()) {
        startingProcessors += machine.cores();
      }
    }

    /** Records one machine planned in this pass. */
    void planOne(boolean byHs06, long now) {
      created++;
      liveProcessors += size.processors();
      liveWeight += byHs06 ? size.hs06() : size.processors();
      startingProcessors += size.processors();
      held.add(size);
      lastRequested = now;
    }
  }

  /** One space. */
  static final class Space {
    final SpaceView view;
    final SpaceLimits limits;
    final Quota effective;
    final Counter used = new Counter();
    final List<Type> types = new ArrayList<>();
    final long budget;
    long spent;
    double weightBefore;
    boolean byHs06;

    Space(SpaceView view, SpaceLimits limits) {
      this.view = view;
      this.limits = limits;
      this.effective = limits.limits().min(view.cloudLimits());
      this.used.add(view.foreign());
      this.budget = budget(limits, effective);
    }

    /**
     * Processors that may be asked for in one pass: the configured cap, else about a tenth
     * of the processor limit, else no cap (fixed-count types then create at most
     * {@link Planner#UNCAPPED_TYPE_PER_PASS} each).
     */
    private static long budget(SpaceLimits limits, Quota effective) {
      if (limits.creationCap() > 0) {
        return limits.creationCap();
      }
      if (effective.hasProcessorLimit()) {
        return Math.max(1, (effective.processors() + 9) / 10);
      }
      return Long.MAX_VALUE;
    }

    double totalWeight() {
      double total = 0;
      for (Type type : types) {
        total += type.liveWeight;
      }
      return total;
    }

    double totalShare() {
      double total = 0;
      for (Type type : types) {
        total += type.type.policy().targetShare();
      }
      return total;
    }
  }

  /** One VO across the site. */
  static final class Vo {
    final Counter held = new Counter();
    int live;
    int kept;
    int created;
  }
}
