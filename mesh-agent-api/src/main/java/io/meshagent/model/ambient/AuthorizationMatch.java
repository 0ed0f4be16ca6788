package io.meshagent.model.ambient;

import io.meshagent.model.StringMatcher;
import java.util.List;

/**
 * One match of an ambient policy clause; every non-empty field must hold.
 *
 * @param namespaces source namespaces
 * @param notNamespaces excluded source namespaces
 * @param serviceAccounts source {@code namespace/serviceAccount}
 * @param notServiceAccounts excluded source service accounts
 * @param principals source principals (SPIFFE ids without {@code spiffe://})
 * @param notPrincipals excluded principals
 * @param sourceIps source CIDRs
 * @param notSourceIps excluded source CIDRs
 * @param destinationIps destination CIDRs
 * @param notDestinationIps excluded destination CIDRs
 * @param destinationPorts destination ports
 * @param notDestinationPorts excluded destination ports
 */
public record AuthorizationMatch(
    List<StringMatcher> namespaces,
    List<StringMatcher> notNamespaces,
    List<String> serviceAccounts,
    List<String> notServiceAccounts,
    List<StringMatcher> principals,
    List<StringMatcher> notPrincipals,
    List<String> sourceIps,
    List<String> notSourceIps,
    List<String> destinationIps,
    List<String> notDestinationIps,
    List<Integer> destinationPorts,
    List<Integer> notDestinationPorts) {}
