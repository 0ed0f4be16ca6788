package io.meshagent.netty.internal.admin;

import java.util.concurrent.CompletableFuture;

/** One endpoint. Called on an event loop: it must return at once and do its work elsewhere. */
@FunctionalInterface
interface AdminRoute {
  /** The response, completed on any thread; an exceptional completion becomes a 500. */
  CompletableFuture<AdminResponse> handle(AdminRequest request);
}
