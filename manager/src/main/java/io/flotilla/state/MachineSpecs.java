package io.flotilla.state;

/**
 * Sizes and limits of a machine, fixed when it is planned; the MJF values derive from them.
 *
 * @param cores processors allocated to the machine
 * @param ramMb memory in MiB
 * @param hs06 HEP-SPEC06 of the whole machine, 0 when unknown
 * @param lifetimeSecs the machine's maximum wall-clock life
 * @param graceSecs notice given before {@code shutdowntime}
 * @param heartbeatSecs how often the guest must send a heartbeat
 */
public record MachineSpecs(
    int cores, int ramMb, double hs06, long lifetimeSecs, long graceSecs, long heartbeatSecs) {}
