package io.meshagent.model.authz;

/** Envoy's {@code RBAC.Action}. */
public enum RbacAction {
  /** The request is allowed iff some policy matches. */
  ALLOW,
  /** The request is denied iff some policy matches. */
  DENY,
  /**
   * The request is always allowed; a matching policy is recorded for access logging (istiod's
   * {@code AUDIT}).
   */
  LOG
}
