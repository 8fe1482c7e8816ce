/**
 * The manager's metrics: one Micrometer registry ({@link io.flotilla.metrics.Metrics}) and the
 * optional listener that serves it in Prometheus text format.
 */
package io.flotilla.metrics;
