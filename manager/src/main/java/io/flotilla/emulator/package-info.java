/**
 * The guest emulator: plays every running sandbox machine as a pilot VM that talks to the
 * manager over HTTP only ({@link io.flotilla.emulator.GuestEmulator}), reading its
 * user-data as cloud-init and a login shell would ({@link io.flotilla.emulator.GuestConfig}).
 */
package io.flotilla.emulator;
