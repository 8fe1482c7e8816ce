/**
 * The sandbox cloud: an embedded {@link io.flotilla.provider.CloudProvider} on jclouds'
 * in-memory stub ({@link io.flotilla.provider.sandbox.SandboxCloud}), with fault injection
 * ({@link io.flotilla.provider.sandbox.SandboxOptions}) and the guest's view of its host
 * ({@link io.flotilla.provider.sandbox.GuestHost}) for the guest emulator.
 */
package io.flotilla.provider.sandbox;
