package io.flotilla.control;

import io.flotilla.config.ControlConfig.Quota;

/**
 * What the cloud of one space reported in this pass, besides our own machines.
 *
 * @param name the cloud's name in the site file
 * @param available whether its listing could be fetched; without it usage is unknown and
 *     nothing is created there
 * @param cloudLimits the project quota the cloud reports ({@link Quota#NONE} if it reports
 *     none); the planner uses the lower of these and the site file's limits
 * @param foreign what machines not started by this site use in the same project
 */
public record SpaceView(String name, boolean available, Quota cloudLimits, Usage foreign) {

  /** A space whose cloud reported no quota and no foreign machines. */
  public static SpaceView plain(String name) {
    return new SpaceView(name, true, Quota.NONE, Usage.NONE);
  }
}
