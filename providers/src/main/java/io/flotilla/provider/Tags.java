package io.flotilla.provider;

/** Names of the labels Flotilla puts on every machine it starts. */
public final class Tags {
  public static final String MACHINE_ID = "flotilla-machine-id";
  public static final String SITE = "flotilla-site";
  public static final String VO = "flotilla-vo";

  private Tags() {}
}
