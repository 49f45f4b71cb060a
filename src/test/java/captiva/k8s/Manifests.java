package captiva.k8s;

import captiva.testing.Http;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Renders k8s/ as {@code kubectl apply -k} would, and reads each document into fabric8's typed
 * Kubernetes model. fabric8 does not fail on a field it does not know: it keeps it in the object's
 * {@code additionalProperties}. {@link #unknownFields} walks the typed objects and lists every such
 * field, so a misspelt or misplaced field is found the way a schema validator would find it.
 */
final class Manifests {

    static final Path DIR = Path.of("k8s");
    private static final KubernetesSerialization KUBERNETES = new KubernetesSerialization();

    private Manifests() {}

    /** kustomization.yaml's resources, in order, as YAML maps (one per document). */
    static List<Map<String, Object>> render() {
        Map<String, Object> kustomization = yamlDocuments(DIR.resolve("kustomization.yaml")).get(0);
        if (!Set.of("apiVersion", "kind", "resources").containsAll(kustomization.keySet())) {
            // This renderer does resources only; a transformer (images, labels, patches) needs
            // kustomize itself.
            throw new AssertionError(
                    "kustomization.yaml uses more than resources: " + kustomization.keySet());
        }
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object resource : (List<?>) kustomization.get("resources")) {
            documents.addAll(yamlDocuments(DIR.resolve((String) resource)));
        }
        return documents;
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> yamlDocuments(Path file) {
        try {
            return yamlDocuments(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> yamlDocuments(String text) {
        List<Map<String, Object>> documents = new ArrayList<>();
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        for (Object document : new Yaml(options).loadAll(text)) {
            if (document != null) {
                documents.add((Map<String, Object>) document);
            }
        }
        return documents;
    }

    /**
     * The document as fabric8's type for its apiVersion and kind (GenericKubernetesResource for a
     * CRD).
     */
    static HasMetadata typed(Map<String, Object> document) {
        try {
            return KUBERNETES.unmarshal(Http.JSON.writeValueAsString(document));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** "path.to.field" of every field the typed model did not know. */
    static List<String> unknownFields(Object typed) {
        List<String> unknown = new ArrayList<>();
        walk(typed, typed.getClass().getSimpleName(), unknown, new IdentityHashMap<>());
        return unknown;
    }

    private static void walk(
            Object value, String path, List<String> unknown, Map<Object, Boolean> seen) {
        if (value == null || seen.put(value, true) != null) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                walk(item, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "." + k, unknown, seen));
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method getter : value.getClass().getMethods()) {
            if (getter.getParameterCount() != 0
                    || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get")
                    || getter.getName().equals("getClass")) {
                continue;
            }
            Object field;
            try {
                field = getter.invoke(value);
            } catch (IllegalAccessException | InvocationTargetException e) {
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (field instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    extra.keySet().forEach(k -> unknown.add(path + "." + k));
                }
                continue;
            }
            String name =
                    Character.toLowerCase(getter.getName().charAt(3))
                            + getter.getName().substring(4);
            walk(field, path + "." + name, unknown, seen);
        }
    }
}
