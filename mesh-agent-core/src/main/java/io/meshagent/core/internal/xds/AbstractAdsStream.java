package io.meshagent.core.internal.xds;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;

/**
 * What both protocols share: the node goes in the first request only, responses and the end of the
 * stream are handed to the listener on the control context (the stub's executor), and a cancelled
 * stream reports nothing more.
 */
abstract class AbstractAdsStream<ReqT, RespT>
    implements AdsStream, ClientResponseObserver<ReqT, RespT> {
  private final Node node;
  private final StreamListener listener;
  private ClientCallStreamObserver<ReqT> requests;
  private boolean nodeSent;
  private boolean done;

  AbstractAdsStream(Node node, StreamListener listener) {
    this.node = node;
    this.listener = listener;
  }

  @Override
  public final void beforeStart(ClientCallStreamObserver<ReqT> requestStream) {
    this.requests = requestStream;
  }

  /** The node for this request: present on the stream's first request only. */
  final Node nodeForRequest() {
    if (nodeSent) {
      return Node.getDefaultInstance();
    }
    nodeSent = true;
    return node;
  }

  final void send(ReqT request) {
    if (!done) {
      requests.onNext(request);
    }
  }

  abstract ResponseEvent decode(RespT response);

  @Override
  public final void onNext(RespT response) {
    if (!done) {
      listener.onResponse(this, decode(response));
    }
  }

  @Override
  public final void onError(Throwable t) {
    if (!done) {
      done = true;
      listener.onClosed(this, Status.fromThrowable(t));
    }
  }

  @Override
  public final void onCompleted() {
    if (!done) {
      done = true;
      listener.onClosed(
          this, Status.UNAVAILABLE.withDescription("the control plane closed the stream"));
    }
  }

  @Override
  public final void cancel(String reason) {
    if (!done) {
      done = true;
      requests.cancel(reason, null);
    }
  }
}
