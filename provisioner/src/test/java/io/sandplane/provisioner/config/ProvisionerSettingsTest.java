package io.sandplane.provisioner.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.common.MapBackedConfigSource;
import io.smallrye.config.EnvConfigSource;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Start-up configuration, read the way the service reads it: environment variables through the mapping. */
class ProvisionerSettingsTest {

    private static final String TOKEN = "root@pam!sandplane=0b6c4c1e-6a0e-4c7f-9d2e-secretsecret";
    /** What isolation needs to be told (SANDPLANE_FIREWALL=enforce is the default): who may connect, where guests are. */
    private static final Map<String, String> NETWORK = Map.of("SANDPLANE_FIREWALL_ROUTER_CIDRS", "10.10.1.2/32",
            "SANDPLANE_FIREWALL_PROVISIONER_CIDRS", "10.10.1.3/32,10.10.1.4", "PVE_IP_POOL_CIDR", "10.10.0.0/24");

    @Test
    void onlyUrlTokenAndTheSandboxNetworkAreRequiredAndTheRestHasDefaults() {
        ProvisionerSettings s = settings(with(Map.of("PVE_API_URL", "https://pve.example.com:8006/", "PVE_API_TOKEN", TOKEN)));
        assertThat(s.apiUrl()).hasToString("https://pve.example.com:8006");
        assertThat(s.apiToken()).isEqualTo(TOKEN);
        assertThat(s.node()).isEmpty();
        assertThat(s.storage()).isEmpty();
        assertThat(s.bridge()).isEqualTo("vmbr0");
        assertThat(s.verifyTls()).isTrue();
        assertThat(s.publicDomain()).isEmpty();
        assertThat(s.vmidRange()).isEqualTo(new ProvisionerSettings.VmidRange(200, 999_999));
        assertThat(s.cluster()).isEqualTo("default");
        assertThat(s.execdToken()).isEmpty();
        assertThat(s.tuning().cloneLockWait()).isEqualTo(Duration.ofMinutes(10));
        assertThat(s.isolation().enforced()).isTrue();
        assertThat(s.isolation().provisioners()).map(Object::toString).containsExactly("10.10.1.3/32", "10.10.1.4/32");
        assertThat(s.isolation().controlPlane()).isEmpty();
        assertThat(s.isolation().inPool("10.10.0.9")).isTrue();
        assertThat(s.isolation().inPool("10.10.1.9")).isFalse();
    }

    @Test
    void theFirewallNeedsToBeToldWhoConnectsAndWhereGuestsAreUnlessItIsOff() {
        Map<String, String> bare = Map.of("PVE_API_URL", "https://pve:8006", "PVE_API_TOKEN", TOKEN);
        assertThatThrownBy(() -> settings(bare)).hasMessageStartingWith("SANDPLANE_FIREWALL_ROUTER_CIDRS is not set");
        Map<String, String> off = new HashMap<>(bare);
        off.put("SANDPLANE_FIREWALL", "off");
        assertThat(settings(off).isolation().enforced()).isFalse();
        assertInvalid("SANDPLANE_FIREWALL", "maybe");
        assertInvalid("SANDPLANE_FIREWALL_ROUTER_CIDRS", "0.0.0.0/0");
        assertInvalid("SANDPLANE_FIREWALL_ROUTER_CIDRS", "10.10.0.0/16");
        assertInvalid("PVE_IP_POOL_CIDR", "10.10.0.0/33");
        assertInvalid("SANDPLANE_CONTROL_PLANE_CIDRS", "pve.example.com");
        assertInvalid("SANDPLANE_EGRESS_ALLOWED_CIDRS", "10.10.0.0/24,dns");
    }

    @Test
    void everyVariableIsRead() {
        Map<String, String> env = new HashMap<>(Map.of("PVE_API_URL", "http://127.0.0.1:8006/api2/json",
                "PVE_API_TOKEN", TOKEN, "PVE_NODE", "pve2", "PVE_STORAGE", "local-lvm", "PVE_BRIDGE", "vmbr7",
                "PVE_VERIFY_TLS", "false", "PVE_PUBLIC_DOMAIN", "sandplane.localhost:8088", "PVE_VMID_RANGE", "5000-5999",
                "SANDPLANE_CLUSTER", "lab", "EXECD_TOKEN", "execd-secret"));
        env.put("PROVISIONER_CLONE_LOCK_WAIT", "45s");
        env.put("SANDPLANE_CONTROL_PLANE_CIDRS", "10.0.5.0/24");
        env.put("SANDPLANE_EGRESS_ALLOWED_CIDRS", "10.0.6.53");
        ProvisionerSettings s = settings(with(env));
        assertThat(s.apiUrl()).hasToString("http://127.0.0.1:8006");
        assertThat(s.node()).contains("pve2");
        assertThat(s.storage()).contains("local-lvm");
        assertThat(s.bridge()).isEqualTo("vmbr7");
        assertThat(s.verifyTls()).isFalse();
        assertThat(s.publicDomain()).hasValueSatisfying(d -> {
            assertThat(d.host()).isEqualTo("sandplane.localhost:8088");
            assertThat(d.scheme()).isEqualTo("http");
        });
        assertThat(s.vmidRange()).isEqualTo(new ProvisionerSettings.VmidRange(5000, 5999));
        assertThat(s.cluster()).isEqualTo("lab");
        assertThat(s.execdToken()).contains("execd-secret");
        assertThat(s.tuning().cloneLockWait()).isEqualTo(Duration.ofSeconds(45));
        assertThat(s.isolation().controlPlane()).map(Object::toString).containsExactly("10.0.5.0/24");
        assertThat(s.isolation().egressAllowed()).map(Object::toString).containsExactly("10.0.6.53/32");
    }

    private static Map<String, String> with(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(NETWORK);
        all.putAll(env);
        return all;
    }

    @Test
    void aMissingRequiredValueNamesTheVariable() {
        assertThatThrownBy(() -> settings(Map.of("PVE_API_TOKEN", TOKEN)))
                .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("PVE_API_URL is not set");
        assertThatThrownBy(() -> settings(Map.of("PVE_API_URL", "https://pve:8006", "PVE_API_TOKEN", "  ")))
                .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("PVE_API_TOKEN is not set");
    }

    @Test
    void aMalformedTokenIsRejectedWithoutEchoingIt() {
        String secretish = "root@pam:oops-this-is-secret";
        assertThatThrownBy(() -> settings(Map.of("PVE_API_URL", "https://pve:8006", "PVE_API_TOKEN", secretish)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("PVE_API_TOKEN is malformed")
                .message().doesNotContain("oops-this-is-secret");
    }

    @Test
    void wrongValuesNameTheirVariable() {
        assertInvalid("PVE_API_URL", "ftp://pve:8006");
        assertInvalid("PVE_API_URL", "not a url");
        assertInvalid("PVE_NODE", "pve_1");
        assertInvalid("PVE_STORAGE", "-bad");
        assertInvalid("PVE_BRIDGE", "vmbr0;rm");
        assertInvalid("PVE_VMID_RANGE", "999-100");
        assertInvalid("PVE_VMID_RANGE", "50-100");
        assertInvalid("PVE_VMID_RANGE", "lots");
        assertInvalid("PVE_PUBLIC_DOMAIN", "Not A Domain");
        assertInvalid("SANDPLANE_CLUSTER", "Has Spaces");
    }

    private static void assertInvalid(String variable, String value) {
        Map<String, String> env = new HashMap<>(with(Map.of("PVE_API_URL", "https://pve:8006", "PVE_API_TOKEN", TOKEN)));
        env.put(variable, value);
        assertThatThrownBy(() -> settings(env)).as(variable + "=" + value)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(variable);
    }

    private static ProvisionerSettings settings(Map<String, String> env) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(env, 300) {
                })
                .withSources(new MapBackedConfigSource("empty", Map.of(), 0) {
                })
                .withConverter(Duration.class, 200, new DurationConverter())
                .withMapping(ProvisionerConfig.class)
                .build();
        return new ProvisionerSettings(config.getConfigMapping(ProvisionerConfig.class));
    }
}
