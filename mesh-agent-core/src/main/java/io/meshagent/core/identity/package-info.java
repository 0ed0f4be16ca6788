/**
 * The certificate-provider SPI: where the agent's SPIFFE certificate comes from (istiod's CA,
 * SPIRE, files, the dev CA) and the value it produces.
 */
@NullMarked
package io.meshagent.core.identity;

import org.jspecify.annotations.NullMarked;
