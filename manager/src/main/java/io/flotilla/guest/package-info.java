/**
 * HTTP for the machines themselves: Machine/Job Features, job outputs (heartbeat and
 * shutdown message) and the one-time credential fetch, all under per-machine capability
 * URLs whose secret token is never logged.
 */
package io.flotilla.guest;
