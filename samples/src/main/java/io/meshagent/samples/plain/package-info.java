/**
 * The public API in a few lines: {@link io.meshagent.samples.plain.PlainServer} serves an app to
 * the mesh, {@link io.meshagent.samples.plain.PlainClient} calls it through the mesh.
 */
@NullMarked
package io.meshagent.samples.plain;

import org.jspecify.annotations.NullMarked;
