package io.meshagent.spring;

import io.meshagent.MeshAgent;
import io.meshagent.MeshAgentBuilder;
import java.nio.file.Path;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/** Starts a {@link MeshAgent} from {@code mesh.agent.*} and closes it with the context. */
@AutoConfiguration
@ConditionalOnClass(MeshAgent.class)
@ConditionalOnProperty(name = "mesh.agent.enabled", matchIfMissing = true)
@EnableConfigurationProperties(MeshAgentProperties.class)
public final class MeshAgentAutoConfiguration {

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  MeshAgent meshAgent(
      MeshAgentProperties properties, ObjectProvider<MeshAgentCustomizer> customizers) {
    MeshAgentBuilder builder =
        properties.isFromEnvironment()
            ? MeshAgentBuilder.fromEnvironment(System.getenv())
            : MeshAgent.builder();
    apply(properties, builder);
    customizers.orderedStream().forEach(c -> c.customize(builder));
    return builder.build();
  }

  static void apply(MeshAgentProperties p, MeshAgentBuilder b) {
    MeshAgentProperties.Xds x = p.getXds();
    if (x.getAddress() != null) {
      b.xdsAddress(x.getAddress());
    }
    if (x.getProtocol() != null) {
      b.xdsProtocol(x.getProtocol());
    }
    if (x.getProfile() != null) {
      b.profile(x.getProfile());
    }
    if (x.getRootCert() != null) {
      b.xdsRootCert(Path.of(x.getRootCert()));
    }
    if (x.getServerName() != null) {
      b.xdsServerName(x.getServerName());
    }
    if (x.getTokenFile() != null) {
      b.tokenFile(Path.of(x.getTokenFile()));
    }
    if (x.getInitialFetchTimeout() != null) {
      b.initialFetchTimeout(x.getInitialFetchTimeout());
    }
    x.getExtraTypes().forEach(b::extraType);
    MeshAgentProperties.Node n = p.getNode();
    if (n.getPodName() != null) {
      b.podName(n.getPodName());
    }
    if (n.getNamespace() != null) {
      b.namespace(n.getNamespace());
    }
    if (n.getServiceAccount() != null) {
      b.serviceAccount(n.getServiceAccount());
    }
    if (n.getClusterId() != null) {
      b.clusterId(n.getClusterId());
    }
    if (!n.getInstanceIps().isEmpty()) {
      b.instanceIps(n.getInstanceIps());
    }
    n.getLabels().forEach(b::label);
  }
}
