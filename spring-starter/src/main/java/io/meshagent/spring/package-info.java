/** Spring Boot auto-configuration of a {@link io.meshagent.MeshAgent} from {@code mesh.agent.*}. */
@NullMarked
package io.meshagent.spring;

import org.jspecify.annotations.NullMarked;
