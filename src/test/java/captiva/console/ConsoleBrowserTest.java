package captiva.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.Application;
import captiva.testing.Http;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser (Debian's Chromium, headless, driven through its chromedriver)
 * against the zero-setup demo, as a newcomer's {@code mvn mn:run} has it, plus a few sessions this
 * test imports so it knows what to look for. Screenshots of each view go to target/console/.
 */
@MicronautTest(transactional = false, environments = Application.DEMO_ENVIRONMENT)
@Property(name = "captiva.admin.token", value = ConsoleBrowserTest.ADMIN_TOKEN)
@Property(name = "micronaut.server.port", value = "-1")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@DisplayName("The console in Chromium")
class ConsoleBrowserTest {

    static final String ADMIN_TOKEN = "console-test-admin-token-0123456789abcdef";
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path OUT = Path.of("target", "console");
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String MAC = "02:00:5e:10:00:01";
    private static final String XSS_NAME = "<img src=x onerror=\"window.__xss=1\">";
    private static final String XSS_IP = "10.99.0.7";

    @Inject EmbeddedServer server;

    private Http http;
    private String tenantId;
    private ChromeDriver browser;
    private WebDriverWait wait;
    private String readKey;
    private final List<String> expectedErrors = new ArrayList<>();

    @BeforeAll
    void startTheBrowserAndAddWhatTheTestLooksFor() throws IOException {
        Assumptions.assumeTrue(
                Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Skipped: no Chromium here ("
                        + CHROMIUM
                        + " and "
                        + CHROMEDRIVER
                        + "; apt-get install chromium chromium-driver)");
        http = new Http(server.getURL().toString());
        String[] admin = {"Authorization", "Bearer " + ADMIN_TOKEN};
        JsonNode tenant =
                find(http.get("/admin/tenants", admin).json(), "name", "Captiva Demo Hotels");
        tenantId = tenant.get("id").asText();
        String venue =
                http.get("/admin/tenants/" + tenantId + "/locations", admin)
                        .json()
                        .get(0)
                        .get("id")
                        .asText();
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<Map<String, Object>> sessions = new ArrayList<>();
        IntStream.range(0, 25)
                .forEach(
                        i ->
                                sessions.add(
                                        Map.of(
                                                "location_id",
                                                venue,
                                                "guest_device_mac",
                                                MAC,
                                                "start_time",
                                                now.minus(Duration.ofHours(2L * i + 3)).toString(),
                                                "end_time",
                                                now.minus(Duration.ofHours(2L * i + 2))
                                                        .toString())));
        Map<String, Object> hostile = new LinkedHashMap<>();
        hostile.put("location_id", venue);
        hostile.put("guest_device_ip", XSS_IP);
        hostile.put("start_time", now.minus(Duration.ofMinutes(5)).toString());
        hostile.put("guest", Map.of("name", XSS_NAME, "email", "hostile@example.com"));
        sessions.add(hostile);
        created(http.post("/admin/tenants/" + tenantId + "/sessions", sessions, admin));

        Files.createDirectories(OUT.resolve("downloads"));
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--window-size=1280,1000",
                "--user-data-dir=" + Files.createTempDirectory("console-chromium"));
        options.setExperimentalOption(
                "prefs",
                Map.of(
                        "download.default_directory",
                        OUT.resolve("downloads").toAbsolutePath().toString(),
                        "download.prompt_for_download",
                        false));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service =
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(CHROMEDRIVER.toFile())
                        .usingAnyFreePort()
                        .build();
        browser = new ChromeDriver(service, options);
        browser.executeCdpCommand(
                "Browser.setDownloadBehavior",
                Map.of(
                        "behavior",
                        "allow",
                        "downloadPath",
                        OUT.resolve("downloads").toAbsolutePath().toString()));
        wait = new WebDriverWait(browser, WAIT);
    }

    @AfterAll
    void stopTheBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    /**
     * Each test is one operator's visit, with a key of their own like the demo's: the default 60
     * requests a minute per endpoint, which the console must live within.
     */
    @BeforeEach
    void startSignedOut() {
        readKey =
                created(
                                http.post(
                                        "/admin/tenants/" + tenantId + "/api-keys",
                                        Map.of(
                                                "name",
                                                "console test",
                                                "scopes",
                                                List.of("sessions:read")),
                                        "Authorization",
                                        "Bearer " + ADMIN_TOKEN))
                        .get("key")
                        .asText();
        browser.get(http.base() + "/console/");
        script("sessionStorage.clear()");
        browser.navigate().refresh();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("key")));
        expectedErrors.clear();
        browser.manage().logs().get(LogType.BROWSER);
    }

    @AfterEach
    void theBrowserConsoleHasNoErrors() {
        List<String> errors = new ArrayList<>();
        for (LogEntry entry : browser.manage().logs().get(LogType.BROWSER)) {
            if (entry.getLevel().intValue() >= Level.WARNING.intValue()
                    && expectedErrors.stream().noneMatch(entry.getMessage()::contains)) {
                errors.add(entry.getLevel() + " " + entry.getMessage());
            }
        }
        assertEquals(List.of(), errors, "the browser's console");
    }

    @Test
    void theRootLeadsToTheSignInAndAWrongKeyIsToldClearly() {
        browser.get(http.base() + "/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("key")));
        // Chromium logs the refused request itself; that 401 is what this test provokes.
        expectedErrors.add("status of 401");

        signIn("cpk_thisIsNotAKeyOfAnyTenant0000000");

        WebElement message =
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-in-message")));
        wait.until(d -> message.getText().contains("not accepted"));
        assertTrue(message.getText().contains("not accepted"), message.getText());
        assertEquals("alert", message.getAttribute("role"));
        assertNull(
                script("return sessionStorage.getItem('captiva.key')"),
                "a refused key is not kept");
        assertTrue(browser.getCurrentUrl().endsWith("/console/#/now"), browser.getCurrentUrl());
    }

    @Test
    void nowShowsEveryVenueLiveAndAChartOfTheLastHours() throws IOException {
        signIn(readKey);

        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector(".venues .card"), 4));
        // Read by script, as the rows below: the stream redraws the cards too.
        assertTrue(
                String.valueOf(
                                script(
                                        "return document.querySelector('.venues .card .count').innerText;"))
                        .matches("[0-9.,\\s]+"));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".chart canvas")));
        // Read in one script: the table is redrawn whenever the stream brings new counts, which
        // leaves elements found by an earlier call stale.
        List<?> firstCells =
                (List<?>)
                        script(
                                "return [...document.querySelectorAll('details table tbody tr')]"
                                        + ".map(r => r.querySelector('td').textContent);");
        assertTrue(
                firstCells.size() >= 12,
                "a point every half hour for 6 hours: " + firstCells.size());
        assertTrue(
                firstCells.stream()
                        .map(cell -> String.valueOf(cell).replaceAll("\\D", ""))
                        .anyMatch(n -> !n.isEmpty() && Integer.parseInt(n) > 0),
                "some guests were online in the last hours");
        screenshot("now");

        browser.executeCdpCommand("Network.clearBrowserCache", Map.of());
        browser.navigate().refresh();
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector(".venues .card"), 4));
        Map<?, ?> measured =
                (Map<?, ?>)
                        script(
                                """
                const mark = performance.getEntriesByName('captiva:first-view')[0];
                const files = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
                    .filter(e => e.initiatorType !== 'fetch');
                return {firstView: mark ? mark.startTime : null,
                        bytes: files.reduce((sum, e) => sum + e.transferSize, 0),
                        files: files.length};
                """);
        Number firstView = (Number) measured.get("firstView");
        long bytes = ((Number) measured.get("bytes")).longValue();
        String figures =
                "first view drawn "
                        + Math.round(firstView.doubleValue())
                        + " ms after navigation start (cold cache); "
                        + "page weight before data "
                        + bytes
                        + " bytes transferred in "
                        + measured.get("files")
                        + " files\n";
        Files.writeString(OUT.resolve("figures.txt"), figures);
        System.out.print("Console: " + figures);
        assertTrue(bytes < 300_000, figures);

        browser.manage().window().setSize(new Dimension(390, 844));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".chart canvas")));
        screenshot("now-phone");
        browser.manage().window().setSize(new Dimension(1280, 1000));
    }

    /**
     * The Now view takes its counts from the event stream: forty guests coming online at one venue
     * show on its card within a few seconds, long before the 15 s poll (which the view does not run
     * while the stream delivers), and the status says where the numbers come from.
     */
    @Test
    void aCountChangeArrivesThroughTheEventStream() {
        String[] admin = {"Authorization", "Bearer " + ADMIN_TOKEN};
        String venue =
                http.get("/admin/tenants/" + tenantId + "/locations", admin)
                        .json()
                        .get(1)
                        .get("id")
                        .asText();
        signIn(readKey);
        By card =
                By.xpath(
                        "//li[contains(@class,'card')][.//a[contains(@href,'location_id="
                                + venue
                                + "')]]//span[@class='count']");
        WebElement status =
                wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("now-status")));
        wait.until(d -> status.getText().startsWith("Live from the event stream"));
        int before = Integer.parseInt(browser.findElement(card).getText().replaceAll("\\D", ""));

        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<Map<String, Object>> arriving = new ArrayList<>();
        IntStream.range(0, 40)
                .forEach(
                        i ->
                                arriving.add(
                                        Map.of(
                                                "location_id",
                                                venue,
                                                "start_time",
                                                now.minusSeconds(30).toString())));
        created(http.post("/admin/tenants/" + tenantId + "/sessions", arriving, admin));

        new WebDriverWait(browser, Duration.ofSeconds(12))
                .until(
                        d ->
                                Integer.parseInt(
                                                d.findElement(card).getText().replaceAll("\\D", ""))
                                        >= before + 30);
        assertTrue(status.getText().startsWith("Live from the event stream"), status.getText());
        Number polls =
                (Number)
                        script(
                                "return performance.getEntriesByType('resource')"
                                        + ".filter(e => e.name.includes('/locations') && !e.name.includes('/locations/')).length");
        assertTrue(
                polls.intValue() <= 1,
                "the view did not poll /locations while the stream delivered: " + polls);
    }

    @Test
    void statisticsDrawChartsWithTheirTableAndDownloadTheSameSelectionAsCsv() throws IOException {
        signIn(readKey);
        browser.findElement(By.linkText("Statistics")).click();

        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector(".charts canvas"), 4));
        List<WebElement> days = browser.findElements(By.cssSelector(".table-scroll tbody tr"));
        assertTrue(days.size() >= 6, "a row a day for the last 7 days: " + days.size());
        assertTrue(browser.getCurrentUrl().contains("#/statistics"), browser.getCurrentUrl());
        screenshot("statistics");

        browser.findElement(By.xpath("//button[contains(., 'as CSV')]")).click();

        wait.until(
                d ->
                        d.findElement(By.cssSelector("[role=status]"))
                                .getText()
                                .startsWith("Saved sessions-"));
        String name =
                browser.findElement(By.cssSelector("[role=status]"))
                        .getText()
                        .replaceAll("^Saved (.*)\\.$", "$1");
        Path file = OUT.resolve("downloads").resolve(name);
        wait.until(d -> Files.exists(file));
        assertTrue(
                Files.readString(file).startsWith("id,location_id,location_name,"),
                "the CSV export");
    }

    @Test
    void sessionsFilterByMacInAnotherSpellingFollowTheCursorAndOpenADetailByKeyboard()
            throws IOException {
        signIn(readKey);
        browser.findElement(By.linkText("Sessions")).click();
        WebElement mac =
                wait.until(
                        ExpectedConditions.visibilityOfElementLocated(By.name("guest_device_mac")));

        mac.sendKeys("02-00-5E-10-00-01");
        new Select(browser.findElement(By.name("per_page"))).selectByValue("10");
        mac.sendKeys(Keys.ENTER);

        List<String> seen = new ArrayList<>();
        for (int page = 1; page <= 3; page++) {
            String shown = "Sessions " + ((page - 1) * 10 + 1) + "–" + Math.min(page * 10, 25);
            wait.until(d -> d.findElement(By.id("sessions-results")).getText().equals(shown));
            List<WebElement> rows =
                    browser.findElements(By.cssSelector("section .table-scroll tbody tr"));
            for (WebElement row : rows) {
                assertEquals(
                        MAC,
                        row.findElements(By.tagName("td")).get(1).getText(),
                        "every row is the device's");
                seen.add(row.findElement(By.tagName("th")).getText());
            }
            if (page == 1) {
                script("document.getElementById('filters-title').scrollIntoView()");
                screenshot("sessions");
            }
            if (page < 3) {
                browser.findElement(By.linkText("Next page")).click();
            }
        }
        assertTrue(browser.getCurrentUrl().contains("cursor="), browser.getCurrentUrl());
        assertTrue(
                browser.findElements(By.linkText("Next page")).isEmpty(),
                "25 sessions end on the third page");
        assertEquals(25, seen.size());

        WebElement details =
                browser.findElement(By.cssSelector("section .table-scroll tbody tr button"));
        details.sendKeys(Keys.ENTER);
        WebElement dialog =
                wait.until(
                        ExpectedConditions.visibilityOfElementLocated(
                                By.cssSelector("dialog[open]")));
        assertTrue(dialog.getText().contains(MAC), dialog.getText());
        assertTrue(browser.getCurrentUrl().contains("session="), "the detail is in the URL");
        screenshot("session-detail");
        browser.switchTo().activeElement().sendKeys(Keys.ESCAPE);
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("dialog[open]")));
        wait.until(d -> !d.getCurrentUrl().contains("session="));
    }

    @Test
    void theIpLookupShowsAHostileGuestNameAsText() throws IOException {
        signIn(readKey);
        browser.get(http.base() + "/console/#/sessions?ip=" + XSS_IP);

        WebElement result =
                wait.until(
                        ExpectedConditions.visibilityOfElementLocated(
                                By.cssSelector(".lookup dl")));

        assertTrue(result.getText().contains(XSS_NAME), result.getText());
        assertTrue(
                browser.findElements(By.cssSelector("img[src='x']")).isEmpty(),
                "no element made from the name");
        assertNull(script("return window.__xss ?? null"), "no handler from the name ran");
        screenshot("ip-lookup");
    }

    @Test
    void signingOutForgetsTheKeyAndTheData() {
        signIn(readKey);
        browser.get(http.base() + "/console/#/sessions?ip=" + XSS_IP);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(".lookup dl")));

        browser.findElement(By.id("sign-out")).click();

        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("key")));
        assertEquals(
                List.of(),
                script("return Object.keys(sessionStorage).filter(k => k.startsWith('captiva.'))"));
        assertTrue(
                browser.findElements(By.cssSelector(".lookup")).isEmpty(),
                "nothing of the data stays on the page");
        browser.navigate().refresh();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("key")));
    }

    @Test
    void theStreamParserReadsEventsWhoseLinesAreSplitAcrossChunks() {
        Object events =
                ((JavascriptExecutor) browser)
                        .executeAsyncScript(
                                """
                const done = arguments[arguments.length - 1];
                import('/console/js/sse.js').then(({SseParser}) => {
                  const parser = new SseParser();
                  // A CRLF split between chunks is one line end, not two (which would end the event early).
                  const chunks = [': hi\\r\\ndata: {"a"', ':1}\\r\\nid: 7\\r', '\\nevent: session.started\\r\\n\\r\\n',
                                  'event: online.counts\\ndata: {"at":"2026-12-04T21:00:00Z","data":[]}\\n\\n'];
                  done(chunks.flatMap(c => parser.push(c)).map(e => [e.type, e.data, e.id ?? '']));
                });
                """);

        assertEquals(
                List.of(
                        List.of("session.started", "{\"a\":1}", "7"),
                        List.of(
                                "online.counts",
                                "{\"at\":\"2026-12-04T21:00:00Z\",\"data\":[]}",
                                "")),
                events);
    }

    private void signIn(String key) {
        WebElement input = browser.findElement(By.id("key"));
        input.clear();
        input.sendKeys(key, Keys.ENTER);
        if (key.equals(readKey)) {
            wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("nav")));
        }
    }

    private Object script(String js) {
        return ((JavascriptExecutor) browser).executeScript(js);
    }

    private void screenshot(String name) throws IOException {
        File shot = browser.getScreenshotAs(OutputType.FILE);
        Files.copy(
                shot.toPath(),
                OUT.resolve(name + ".png"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static JsonNode find(JsonNode array, String field, String value) {
        for (JsonNode node : array) {
            if (value.equals(node.get(field).asText())) {
                return node;
            }
        }
        throw new AssertionError("no " + field + " " + value + " in " + array);
    }

    private static JsonNode created(Http.Response response) {
        assertEquals(201, response.status(), response.body());
        assertFalse(response.body().isEmpty());
        return response.json();
    }
}
