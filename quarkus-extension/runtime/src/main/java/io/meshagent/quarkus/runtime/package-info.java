/** Runtime part of the Quarkus extension. */
package io.meshagent.quarkus.runtime;
