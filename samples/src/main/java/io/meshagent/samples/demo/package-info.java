/** The demo README's first command runs. */
@NullMarked
package io.meshagent.samples.demo;

import org.jspecify.annotations.NullMarked;
