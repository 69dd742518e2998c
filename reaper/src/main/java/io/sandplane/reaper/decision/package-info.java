/**
 * The reaper's decisions as pure functions: what was observed goes in, the actions to take come
 * out. Nothing here talks to a database, a provisioner or a clock, so every rule, the grace period,
 * the cap and the failed-list safety are unit-tested without Quarkus. Executing the actions is the
 * job of {@code io.sandplane.reaper.service}.
 */
package io.sandplane.reaper.decision;
