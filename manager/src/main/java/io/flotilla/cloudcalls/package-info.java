/**
 * How the manager calls a cloud: a rate limit (token bucket), a timeout per call, pauses
 * after throttling or refused credentials ({@link io.flotilla.cloudcalls.CloudGate}) and
 * limits lowered after quota refusals ({@link io.flotilla.cloudcalls.QuotaClamps}). The
 * worker pool that runs the calls is {@link io.flotilla.lifecycle.CloudPool}.
 */
package io.flotilla.cloudcalls;
