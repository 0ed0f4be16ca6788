package io.meshagent.core.internal.xds.resource;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import io.meshagent.core.internal.proto.security.Address;
import io.meshagent.core.internal.proto.security.Authorization;
import io.meshagent.core.internal.proto.security.Clause;
import io.meshagent.core.internal.proto.security.Match;
import io.meshagent.core.internal.proto.security.Rule;
import io.meshagent.core.internal.proto.security.ServiceAccountMatch;
import io.meshagent.core.internal.proto.security.StringMatch;
import io.meshagent.core.xds.ResourceInvalidException;
import io.meshagent.core.xds.XdsResourceType;
import io.meshagent.model.StringMatcher;
import io.meshagent.model.ambient.AuthorizationMatch;
import io.meshagent.model.ambient.AuthorizationPolicy;
import io.meshagent.snapshot.ResourceTypes;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code istio.security.Authorization} to {@link AuthorizationPolicy}, named {@code
 * namespace/name}.
 */
public final class AuthorizationType implements XdsResourceType<AuthorizationPolicy> {
  /** The instance. */
  public static final AuthorizationType INSTANCE = new AuthorizationType();

  private AuthorizationType() {}

  @Override
  public String typeUrl() {
    return ResourceTypes.AUTHORIZATION;
  }

  @Override
  public Descriptor descriptor() {
    return Authorization.getDescriptor();
  }

  @Override
  public boolean wildcard() {
    return true;
  }

  @Override
  public Class<AuthorizationPolicy> valueClass() {
    return AuthorizationPolicy.class;
  }

  @Override
  public Parsed<AuthorizationPolicy> parse(Any resource) throws ResourceInvalidException {
    Authorization a = Anys.unpack(resource, Authorization.class, "");
    if (a.getName().isEmpty()) {
      throw new ResourceInvalidException("name: must not be empty");
    }
    AuthorizationPolicy.Scope scope =
        switch (a.getScope()) {
          case GLOBAL -> AuthorizationPolicy.Scope.GLOBAL;
          case NAMESPACE -> AuthorizationPolicy.Scope.NAMESPACE;
          case WORKLOAD_SELECTOR -> AuthorizationPolicy.Scope.WORKLOAD_SELECTOR;
          case UNRECOGNIZED ->
              throw new ResourceInvalidException(
                  "scope: "
                      + a.getScopeValue()
                      + " is not supported; supported: GLOBAL, NAMESPACE, WORKLOAD_SELECTOR");
        };
    AuthorizationPolicy.Action action =
        switch (a.getAction()) {
          case ALLOW -> AuthorizationPolicy.Action.ALLOW;
          case DENY -> AuthorizationPolicy.Action.DENY;
          case UNRECOGNIZED ->
              throw new ResourceInvalidException(
                  "action: " + a.getActionValue() + " is not supported; supported: ALLOW, DENY");
        };
    List<List<List<AuthorizationMatch>>> rules = new ArrayList<>(a.getRulesCount());
    for (int i = 0; i < a.getRulesCount(); i++) {
      rules.add(rule(a.getRules(i), Paths.element("", "rules", i)));
    }
    AuthorizationPolicy policy =
        new AuthorizationPolicy(a.getName(), a.getNamespace(), scope, action, a.getDryRun(), rules);
    return new Parsed<>(a.getNamespace() + "/" + a.getName(), policy);
  }

  private static List<List<AuthorizationMatch>> rule(Rule rule, String path)
      throws ResourceInvalidException {
    List<List<AuthorizationMatch>> clauses = new ArrayList<>(rule.getClausesCount());
    for (int i = 0; i < rule.getClausesCount(); i++) {
      Clause clause = rule.getClauses(i);
      String clausePath = Paths.element(path, "clauses", i);
      List<AuthorizationMatch> matches = new ArrayList<>(clause.getMatchesCount());
      for (int j = 0; j < clause.getMatchesCount(); j++) {
        matches.add(match(clause.getMatches(j), Paths.element(clausePath, "matches", j)));
      }
      clauses.add(matches);
    }
    return clauses;
  }

  private static AuthorizationMatch match(Match m, String path) throws ResourceInvalidException {
    return new AuthorizationMatch(
        strings(m.getNamespacesList(), Paths.field(path, "namespaces")),
        strings(m.getNotNamespacesList(), Paths.field(path, "not_namespaces")),
        serviceAccounts(m.getServiceAccountsList()),
        serviceAccounts(m.getNotServiceAccountsList()),
        strings(m.getPrincipalsList(), Paths.field(path, "principals")),
        strings(m.getNotPrincipalsList(), Paths.field(path, "not_principals")),
        cidrs(m.getSourceIpsList(), Paths.field(path, "source_ips")),
        cidrs(m.getNotSourceIpsList(), Paths.field(path, "not_source_ips")),
        cidrs(m.getDestinationIpsList(), Paths.field(path, "destination_ips")),
        cidrs(m.getNotDestinationIpsList(), Paths.field(path, "not_destination_ips")),
        ports(m.getDestinationPortsList(), Paths.field(path, "destination_ports")),
        ports(m.getNotDestinationPortsList(), Paths.field(path, "not_destination_ports")));
  }

  private static List<StringMatcher> strings(List<StringMatch> matches, String path)
      throws ResourceInvalidException {
    List<StringMatcher> out = new ArrayList<>(matches.size());
    for (int i = 0; i < matches.size(); i++) {
      out.add(Matchers.istio(matches.get(i), path + "[" + i + "]"));
    }
    return List.copyOf(out);
  }

  /** {@code namespace/serviceAccount}. */
  private static List<String> serviceAccounts(List<ServiceAccountMatch> matches) {
    List<String> out = new ArrayList<>(matches.size());
    for (ServiceAccountMatch m : matches) {
      out.add(m.getNamespace() + "/" + m.getServiceAccount());
    }
    return List.copyOf(out);
  }

  /** {@code ip/length}. */
  private static List<String> cidrs(List<Address> addresses, String path)
      throws ResourceInvalidException {
    List<String> out = new ArrayList<>(addresses.size());
    for (int i = 0; i < addresses.size(); i++) {
      Address a = addresses.get(i);
      String p = path + "[" + i + "]";
      byte[] bytes = a.getAddress().toByteArray();
      String ip = IpAddresses.literal(bytes, Paths.field(p, "address"));
      int max = bytes.length * 8;
      if (a.getLength() < 0 || a.getLength() > max) {
        throw new ResourceInvalidException(
            Paths.at(
                Paths.field(p, "length"),
                Integer.toUnsignedString(a.getLength()) + " is more than " + max));
      }
      out.add(ip + "/" + a.getLength());
    }
    return List.copyOf(out);
  }

  private static List<Integer> ports(List<Integer> ports, String path)
      throws ResourceInvalidException {
    for (int i = 0; i < ports.size(); i++) {
      int port = ports.get(i);
      if (port < 0 || port > 65535) {
        throw new ResourceInvalidException(
            Paths.at(path + "[" + i + "]", Integer.toUnsignedString(port) + " is not a port"));
      }
    }
    return List.copyOf(ports);
  }
}
