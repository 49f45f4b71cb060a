package captiva.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.Application;
import captiva.admin.AdminToken;
import io.micronaut.context.annotation.Property;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every {@code sh demo} block of README.md and docs/*.md, run as printed with bash and curl against
 * a fresh demo, after the {@code export} line the demo prints: each curl must answer 2xx with data.
 * The blocks of one page run in one shell, so a page may set a variable and use it later; pages run
 * in order (README.md, then docs/ by name), since the security page erases a guest the API page
 * made.
 */
@MicronautTest(transactional = false, environments = Application.DEMO_ENVIRONMENT)
@Property(name = "captiva.demo.tick", value = "200ms")
@Property(name = "micronaut.server.port", value = "-1")
// As README's events walkthrough starts the demo: its webhook example subscribes a receiver on
// 127.0.0.1.
@Property(name = "captiva.webhooks.allow-private-targets", value = "true")
@DisplayName("the examples of README.md and docs/, run against the demo")
class DocsExamplesTest {

    private static final Pattern BLOCK =
            Pattern.compile("(?ms)^```sh( demo)?[ \\t]*\\n(.*?)^```[ \\t]*$");
    private static final Pattern STATUS = Pattern.compile("CURL-STATUS (\\d{3}) (\\d+)");

    /**
     * Answers that are well-formed but hold nothing: an example that shows nothing teaches nothing.
     * A count of 0 is empty as a whole answer only: the stream's online.counts lists every venue,
     * and a venue with nobody online is data.
     */
    private static final List<String> EMPTY = List.of("\"data\":[]", "{\"count\":0}");

    private static final String CURL =
            "curl() { command curl --silent --show-error "
                    + "--write-out '%{stderr}CURL-STATUS %{http_code} %{size_download}\\n' \"$@\"; }";

    @Inject DemoData demoData;

    @Inject AdminToken adminToken;

    @TestFactory
    Stream<DynamicTest> everyDemoExampleAnswers2xxWithData() throws IOException {
        String exports = exportLine();
        return pages().stream()
                .filter(page -> !blocks(page, true).isEmpty())
                .map(page -> DynamicTest.dynamicTest(page.toString(), () -> run(page, exports)));
    }

    @Test
    void theReadmeHasAFirstRequestToRun() throws IOException {
        assertFalse(blocks(Path.of("README.md"), true).isEmpty(), "README.md has no sh demo block");
    }

    @Test
    void theGeneratedAdminTokenIsPrintedOnceInTheWelcomeOnTheExportLine() {
        String welcome = demoData.welcome().orElseThrow();
        String token = adminToken.reveal();

        assertEquals(1, welcome.split(Pattern.quote(token), -1).length - 1, welcome);
        assertTrue(exportLine().contains("ADMIN=" + token + " "), welcome);
    }

    /**
     * A block using the demo's variables but not marked demo would never be run: only peers excuse
     * it.
     */
    @Test
    void everyExampleThatUsesTheDemoIsRunUnlessItNeedsAPeer() throws IOException {
        for (Path page : pages()) {
            for (String block : blocks(page, false)) {
                boolean usesDemo =
                        block.contains("$CAPTIVA")
                                || block.contains("$KEY")
                                || block.contains("localhost:8080/");
                // radclient and the events walkthrough's local receiver (port 9000) are peers this
                // test does not start
                boolean needsPeer = block.contains("radclient") || block.contains("127.0.0.1:9000");
                assertFalse(
                        usesDemo && !needsPeer,
                        page + ": mark this block ```sh demo so that it is run:\n" + block);
            }
        }
    }

    private void run(Path page, String exports) throws IOException, InterruptedException {
        String script =
                String.join(
                        "\n",
                        "set -euo pipefail",
                        CURL,
                        exports,
                        String.join("\n", blocks(page, true)));
        Path workDir = Files.createTempDirectory("docs-examples");
        Process bash = new ProcessBuilder("bash", "-c", script).directory(workDir.toFile()).start();
        bash.getOutputStream().close();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        Thread out = drain(bash.getInputStream(), stdout);
        Thread err = drain(bash.getErrorStream(), stderr);
        boolean ended = bash.waitFor(120, TimeUnit.SECONDS);
        if (!ended) {
            bash.destroyForcibly();
        }
        out.join();
        err.join();
        String answers = stdout.toString(StandardCharsets.UTF_8);
        String log = stderr.toString(StandardCharsets.UTF_8);
        String context = page + "\n--- stdout:\n" + answers + "\n--- stderr:\n" + log;

        assertTrue(ended, "still running after 120 s: " + context);
        assertEquals(0, bash.exitValue(), "an example failed: " + context);
        Matcher status = STATUS.matcher(log);
        int requests = 0;
        while (status.find()) {
            requests++;
            int code = Integer.parseInt(status.group(1));
            assertTrue(code >= 200 && code < 300, "answered " + code + ": " + context);
            assertTrue(Long.parseLong(status.group(2)) > 0, "an empty answer: " + context);
        }
        assertTrue(requests > 0, "no curl ran: " + context);
        for (String empty : EMPTY) {
            assertFalse(
                    answers.contains(empty),
                    "an answer without data (" + empty.strip() + "): " + context);
        }
    }

    private static Thread drain(InputStream from, ByteArrayOutputStream to) {
        Thread thread =
                new Thread(
                        () -> {
                            try {
                                from.transferTo(to);
                            } catch (IOException ended) {
                                // the process was killed
                            }
                        });
        thread.start();
        return thread;
    }

    /**
     * The line of the welcome text that sets CAPTIVA, KEY, ADMIN, TENANT, LOCATION, IP and EMAIL.
     */
    private String exportLine() {
        String welcome =
                demoData.welcome()
                        .orElseThrow(() -> new AssertionError("the demo printed no welcome text"));
        return welcome.lines()
                .map(String::strip)
                .filter(line -> line.startsWith("export CAPTIVA="))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no export line in:\n" + welcome));
    }

    private static List<Path> pages() throws IOException {
        List<Path> pages = new ArrayList<>();
        pages.add(Path.of("README.md"));
        try (Stream<Path> docs = Files.list(Path.of("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        return pages;
    }

    private static List<String> blocks(Path page, boolean demo) {
        String text;
        try {
            text = Files.readString(page);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> blocks = new ArrayList<>();
        Matcher block = BLOCK.matcher(text);
        while (block.find()) {
            if ((block.group(1) != null) == demo) {
                blocks.add(block.group(2));
            }
        }
        return blocks;
    }
}
