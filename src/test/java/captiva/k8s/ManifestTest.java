package captiva.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.testing.Fast;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * k8s/ checked without a cluster: rendered, every document read into the typed Kubernetes model
 * with unknown fields as errors, then the settings that matter asserted one by one.
 */
@Fast
@DisplayName("Kubernetes manifests in k8s/")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ManifestTest {

    private List<Map<String, Object>> documents;
    private List<HasMetadata> resources;

    @BeforeAll
    void render() {
        documents = Manifests.render();
        resources = documents.stream().map(Manifests::typed).toList();
    }

    private <T extends HasMetadata> T only(Class<T> type, String name) {
        List<T> found =
                resources.stream()
                        .filter(type::isInstance)
                        .map(type::cast)
                        .filter(r -> r.getMetadata().getName().equals(name))
                        .toList();
        assertEquals(1, found.size(), () -> type.getSimpleName() + " " + name + " in k8s/");
        return found.get(0);
    }

    private Container container() {
        return only(Deployment.class, "captiva")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
    }

    private EnvVar env(String name) {
        return container().getEnv().stream()
                .filter(e -> e.getName().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no env " + name));
    }

    private String configured(String name) {
        return only(ConfigMap.class, "captiva-config").getData().get(name);
    }

    // ---- the documents are valid Kubernetes objects ----

    @Test
    void everyDocumentIsAKnownKindWithNoUnknownField() {
        Set<String> kinds = new TreeSet<>();
        List<String> unknown = new ArrayList<>();
        for (HasMetadata resource : resources) {
            kinds.add(resource.getKind());
            if (!(resource instanceof GenericKubernetesResource)) {
                unknown.addAll(Manifests.unknownFields(resource));
            }
        }

        assertTrue(
                unknown.isEmpty(), () -> "fields the Kubernetes schema does not have: " + unknown);
        assertEquals(
                new TreeSet<>(
                        List.of(
                                "Cluster",
                                "ConfigMap",
                                "Deployment",
                                "HorizontalPodAutoscaler",
                                "NetworkPolicy",
                                "PodDisruptionBudget",
                                "Service")),
                kinds);
        assertEquals(
                1,
                resources.stream().filter(GenericKubernetesResource.class::isInstance).count(),
                "only the CloudNativePG Cluster is a custom resource");
    }

    @Test
    void theCheckCatchesAMisspeltField() {
        HasMetadata typo =
                Manifests.typed(
                        Manifests.yamlDocuments(
                                        """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  template:
                    spec:
                      containers:
                        - name: x
                          readinesProbe: {httpGet: {path: /health/readiness, port: 8080}}
                """)
                                .get(0));

        assertEquals(
                List.of("Deployment.spec.template.spec.containers[0].readinesProbe"),
                Manifests.unknownFields(typo));
    }

    @Test
    void kubectlKustomizeRendersTheSameObjects() throws Exception {
        // Where kubectl is installed, its kustomize must agree with this test's own rendering.
        Path kubectl =
                java.util.Arrays.stream(
                                System.getenv()
                                        .getOrDefault("PATH", "")
                                        .split(java.io.File.pathSeparator))
                        .map(dir -> Path.of(dir, "kubectl"))
                        .filter(Files::isExecutable)
                        .findFirst()
                        .orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(kubectl != null, "kubectl is not installed");
        Process process =
                new ProcessBuilder(kubectl.toString(), "kustomize", Manifests.DIR.toString())
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
        String rendered =
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue());

        assertEquals(names(documents), names(Manifests.yamlDocuments(rendered)));
    }

    private static Set<String> names(List<Map<String, Object>> documents) {
        return documents.stream()
                .map(d -> d.get("kind") + "/" + ((Map<?, ?>) d.get("metadata")).get("name"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    // ---- the Deployment ----

    @Test
    void threeReplicasRunNonRootOnAReadOnlyRootWithAWritableTmp() {
        Deployment deployment = only(Deployment.class, "captiva");
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container container = container();

        assertEquals(3, deployment.getSpec().getReplicas());
        assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot());
        assertTrue(pod.getSecurityContext().getRunAsUser() > 0);
        assertEquals(Boolean.TRUE, container.getSecurityContext().getReadOnlyRootFilesystem());
        assertEquals(Boolean.FALSE, container.getSecurityContext().getAllowPrivilegeEscalation());
        assertTrue(
                container.getVolumeMounts().stream()
                        .anyMatch(
                                m ->
                                        m.getMountPath().equals("/tmp")
                                                && pod.getVolumes().stream()
                                                        .anyMatch(
                                                                v ->
                                                                        v.getName()
                                                                                        .equals(
                                                                                                m
                                                                                                        .getName())
                                                                                && v.getEmptyDir()
                                                                                        != null)));
    }

    @Test
    void resourcesAreRequestedAndLimited() {
        var resources = container().getResources();

        assertNotNull(resources.getRequests().get("cpu"));
        assertNotNull(resources.getRequests().get("memory"));
        assertNotNull(resources.getLimits().get("memory"));
    }

    @Test
    void probesAskLivenessAndReadinessOnTheHttpPort() {
        Container c = container();

        assertProbe(c.getStartupProbe(), "/health/liveness");
        assertProbe(c.getLivenessProbe(), "/health/liveness");
        assertProbe(c.getReadinessProbe(), "/health/readiness");
    }

    private void assertProbe(Probe probe, String path) {
        assertNotNull(probe);
        assertEquals(path, probe.getHttpGet().getPath());
        Object port =
                probe.getHttpGet().getPort().getStrVal() != null
                        ? probe.getHttpGet().getPort().getStrVal()
                        : probe.getHttpGet().getPort().getIntVal();
        ContainerPort http =
                container().getPorts().stream()
                        .filter(p -> port.equals(p.getName()) || port.equals(p.getContainerPort()))
                        .findFirst()
                        .orElseThrow();
        assertEquals(8080, http.getContainerPort());
        assertEquals(
                configured("MICRONAUT_SERVER_PORT"), Integer.toString(http.getContainerPort()));
    }

    @Test
    void theContainerListensOnHttpAndOnRadiusOverUdp() {
        List<ContainerPort> ports = container().getPorts();

        assertTrue(
                ports.stream()
                        .anyMatch(
                                p ->
                                        p.getContainerPort() == 8080
                                                && "TCP".equals(p.getProtocol())));
        assertTrue(
                ports.stream()
                        .anyMatch(
                                p ->
                                        p.getContainerPort() == 1813
                                                && "UDP".equals(p.getProtocol())));
        assertEquals("1813", configured("CAPTIVA_RADIUS_ACCOUNTING_PORT"));
    }

    @Test
    void graceOutlastsTheRadiusDrainAndThePreStopPause() {
        Deployment deployment = only(Deployment.class, "captiva");
        Duration drain =
                Duration.parse("PT" + configured("CAPTIVA_RADIUS_DRAIN_TIMEOUT").toUpperCase());
        long preStop = container().getLifecycle().getPreStop().getSleep().getSeconds();
        // Two seconds for the receiver to stop (RadiusListener.stop) and some for HTTP and the
        // pool.
        long needed = preStop + 2 + drain.toSeconds() + 5;

        assertTrue(
                deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds()
                        >= needed,
                "terminationGracePeriodSeconds below " + needed);
    }

    @Test
    void secretsComeFromTheOperatorsSecretAndThePlatformsAdminSecret() {
        String cluster =
                only(GenericKubernetesResource.class, "captiva-db").getMetadata().getName();

        assertEquals(
                cluster + "-app",
                env("DATASOURCES_DEFAULT_USERNAME").getValueFrom().getSecretKeyRef().getName());
        assertEquals(
                "username",
                env("DATASOURCES_DEFAULT_USERNAME").getValueFrom().getSecretKeyRef().getKey());
        assertEquals(
                cluster + "-app",
                env("DATASOURCES_DEFAULT_PASSWORD").getValueFrom().getSecretKeyRef().getName());
        assertEquals(
                "password",
                env("DATASOURCES_DEFAULT_PASSWORD").getValueFrom().getSecretKeyRef().getKey());
        assertEquals(
                "captiva-admin",
                env("CAPTIVA_ADMIN_TOKEN").getValueFrom().getSecretKeyRef().getName());
        assertEquals("token", env("CAPTIVA_ADMIN_TOKEN").getValueFrom().getSecretKeyRef().getKey());
        assertTrue(
                resources.stream().noneMatch(r -> r.getKind().equals("Secret")),
                "no secret value is committed");
        assertEquals("captiva-config", container().getEnvFrom().get(0).getConfigMapRef().getName());
    }

    @Test
    void theAppUsesTheClustersReadWriteServiceAndTheSharedRateLimit() {
        assertEquals(
                "jdbc:postgresql://captiva-db-rw:5432/captiva",
                configured("DATASOURCES_DEFAULT_URL"));
        assertEquals("postgres", configured("CAPTIVA_RATE_LIMIT_STORE"));
    }

    // ---- Services, disruption, scaling, network ----

    @Test
    void httpServiceIsTcpToTheHttpPort() {
        Service http = only(Service.class, "captiva");
        ServicePort port = http.getSpec().getPorts().get(0);

        assertEquals("TCP", port.getProtocol());
        assertEquals("http", port.getTargetPort().getStrVal());
        assertEquals(Map.of("app.kubernetes.io/name", "captiva"), http.getSpec().getSelector());
    }

    @Test
    void radiusServiceIsUdpAndKeepsTheNasAddress() {
        Service radius = only(Service.class, "captiva-radius");
        ServicePort port = radius.getSpec().getPorts().get(0);

        assertEquals("UDP", port.getProtocol());
        assertEquals(1813, port.getPort());
        assertEquals("radius-acct", port.getTargetPort().getStrVal());
        assertEquals("LoadBalancer", radius.getSpec().getType());
        assertEquals("Local", radius.getSpec().getExternalTrafficPolicy());
    }

    @Test
    void radsecServiceIsTcp2083ToTheContainersRadsecPort() {
        ServicePort port = only(Service.class, "captiva-radsec").getSpec().getPorts().get(0);

        assertEquals("TCP", port.getProtocol());
        assertEquals(2083, port.getPort());
        assertEquals("radsec", port.getTargetPort().getStrVal());
        assertTrue(
                container().getPorts().stream()
                        .anyMatch(
                                p ->
                                        "radsec".equals(p.getName())
                                                && p.getContainerPort() == 2083
                                                && "TCP".equals(p.getProtocol())));
        assertEquals("2083", configured("CAPTIVA_RADIUS_RADSEC_PORT"));
    }

    @Test
    void radsecCertificatesComeFromAnOptionalSecretMountedReadOnly() {
        var volume =
                only(Deployment.class, "captiva")
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getVolumes()
                        .stream()
                        .filter(v -> v.getName().equals("radsec"))
                        .findFirst()
                        .orElseThrow();
        var mount =
                container().getVolumeMounts().stream()
                        .filter(m -> m.getName().equals("radsec"))
                        .findFirst()
                        .orElseThrow();

        assertEquals("captiva-radsec", volume.getSecret().getSecretName());
        assertTrue(volume.getSecret().getOptional(), "a deployment without RadSec needs no secret");
        assertEquals("/etc/captiva/radsec", mount.getMountPath());
        assertTrue(mount.getReadOnly());
    }

    @Test
    void disruptionBudgetAndAutoscalerKeepAtLeastTwoOfThree() {
        PodDisruptionBudget pdb = only(PodDisruptionBudget.class, "captiva");
        HorizontalPodAutoscaler hpa = only(HorizontalPodAutoscaler.class, "captiva");

        assertEquals(2, pdb.getSpec().getMinAvailable().getIntVal());
        assertEquals(
                Map.of("app.kubernetes.io/name", "captiva"),
                pdb.getSpec().getSelector().getMatchLabels());
        assertEquals("captiva", hpa.getSpec().getScaleTargetRef().getName());
        assertEquals(3, hpa.getSpec().getMinReplicas());
        assertTrue(hpa.getSpec().getMaxReplicas() >= 3);
    }

    @Test
    void networkPolicyAdmitsHttpAndRadiusAndLetsTheAppReachPostgres() {
        NetworkPolicy policy = only(NetworkPolicy.class, "captiva");

        assertTrue(
                policy.getSpec().getIngress().stream()
                        .flatMap(r -> r.getPorts().stream())
                        .anyMatch(
                                p ->
                                        "UDP".equals(p.getProtocol())
                                                && p.getPort().getIntVal() == 1813));
        assertTrue(
                policy.getSpec().getIngress().stream()
                        .flatMap(r -> r.getPorts().stream())
                        .anyMatch(
                                p ->
                                        "TCP".equals(p.getProtocol())
                                                && p.getPort().getIntVal() == 8080));
        assertTrue(
                policy.getSpec().getEgress().stream()
                        .anyMatch(
                                r ->
                                        r.getPorts().stream()
                                                        .anyMatch(
                                                                p ->
                                                                        p.getPort().getIntVal()
                                                                                == 5432)
                                                && r.getTo().stream()
                                                        .anyMatch(
                                                                t ->
                                                                        t.getPodSelector() != null
                                                                                && "captiva-db"
                                                                                        .equals(
                                                                                                t.getPodSelector()
                                                                                                        .getMatchLabels()
                                                                                                        .get(
                                                                                                                "cnpg.io/cluster")))));
    }

    // ---- the CloudNativePG Cluster (a custom resource: checked as plain YAML) ----

    @Test
    @SuppressWarnings("unchecked")
    void postgresIsACloudNativePgClusterWithTheAppDatabase() {
        Map<String, Object> cluster =
                documents.stream()
                        .filter(d -> "Cluster".equals(d.get("kind")))
                        .findFirst()
                        .orElseThrow();
        Map<String, Object> spec = (Map<String, Object>) cluster.get("spec");
        Map<String, Object> initdb =
                (Map<String, Object>) ((Map<String, Object>) spec.get("bootstrap")).get("initdb");

        assertEquals("postgresql.cnpg.io/v1", cluster.get("apiVersion"));
        assertEquals(Set.of("apiVersion", "kind", "metadata", "spec"), cluster.keySet());
        assertTrue(
                Set.of(
                                "instances",
                                "imageName",
                                "primaryUpdateStrategy",
                                "bootstrap",
                                "postgresql",
                                "storage",
                                "resources")
                        .containsAll(spec.keySet()),
                () -> "unexpected Cluster spec fields: " + spec.keySet());
        assertTrue((Integer) spec.get("instances") >= 2, "a standby to fail over to");
        assertEquals("captiva", initdb.get("database"));
        assertEquals("captiva", initdb.get("owner"));
        assertFalse(((Map<String, Object>) spec.get("storage")).get("size").toString().isBlank());
    }

    @Test
    void everyManifestFileIsListedInTheKustomization() throws IOException {
        Set<String> files;
        try (var listing = Files.list(Manifests.DIR)) {
            files =
                    listing.map(p -> p.getFileName().toString())
                            .filter(n -> n.endsWith(".yaml"))
                            .filter(n -> !n.equals("kustomization.yaml"))
                            .collect(Collectors.toCollection(TreeSet::new));
        }
        List<?> listed =
                (List<?>)
                        Manifests.yamlDocuments(Manifests.DIR.resolve("kustomization.yaml"))
                                .get(0)
                                .get("resources");

        assertEquals(files, new TreeSet<>(listed.stream().map(Object::toString).toList()));
    }
}
