/** Internal to mesh-agent: the ADS client (SotW and Delta); not API. */
@NullMarked
package io.meshagent.core.internal.xds;

import org.jspecify.annotations.NullMarked;
