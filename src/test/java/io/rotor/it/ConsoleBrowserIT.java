package io.rotor.it;

import io.rotor.domain.Slot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web console in headless Debian Chromium (Selenium) against a real {@code rotor serve} and the real PostgreSQL
 * target: sign-in (labels, keyboard), an admin saves a pre-defined request, an operator dry-runs it, confirms the
 * plan and watches the job reach 100 % (htmx polling), the roles' new passwords log in on PostgreSQL and the old
 * ones are refused, checkout shows the secret once, an auditor sees neither a secret nor an action, a POST without
 * the CSRF token is refused, and a target whose database is an HTML tag renders as text. Screenshots of each main
 * page go to {@code target/console-screenshots/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserIT {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String XSS = "<img src=x onerror=alert(1)>";
    private static final List<String> ROLES = List.of("rotor_it_con_1", "rotor_it_con_2", "rotor_it_con_3");
    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    private static final String PDR = "con-nightly-reset";

    private static RealTargets targets;
    private static Path home;
    private static Path dataDir;
    private static Path log;
    private static String masterKey;
    private static String adminToken;
    private static Process server;
    private static String base;
    private static WebDriver browser;
    private static final Map<String, String> initial = new java.util.HashMap<>();
    private static final Map<String, String> passwords = new java.util.HashMap<>();
    private static final List<String> secretsSeen = new ArrayList<>();

    @BeforeAll
    static void startServeWithAPostgresTargetAndABrowser() throws Exception {
        targets = RealTargets.load();
        for (String role : ROLES) {
            String password = randomPassword();
            initial.put(role, password);
            targets.pgCreateRole(role, password.toCharArray());
        }
        secretsSeen.addAll(initial.values());
        home = Files.createTempDirectory("rotor-con-it-");
        dataDir = home.resolve("data");
        Path config = home.resolve("application.properties");
        // target checks every 2 s, so the dashboard shows health within the test
        Files.writeString(config, "rotor.data-dir = " + dataDir + "\nrotor.health.target-interval-seconds = 2\n");
        masterKey = Base64.getEncoder().encodeToString(RANDOM.generateSeed(32));
        adminToken = randomPassword();
        secretsSeen.add(adminToken);
        RotorProcess rotor = new RotorProcess(home, Map.of("ROTOR_MASTER_KEY", masterKey, "ROTOR_ADMIN_TOKEN", adminToken));
        // the service accounts straight into the vault before serve opens it: three CLI JVMs would cost a minute here
        try (VaultReader vault = new VaultReader(dataDir, masterKey)) {
            for (String role : List.of("admin", "operator", "auditor")) {
                String password = randomPassword();
                passwords.put(role, password);
                secretsSeen.add(password);
                vault.vault().tokens().createServiceAccount("con-" + role, io.rotor.domain.Role.parse(role),
                        io.rotor.api.Credentials.hashPassword(password.toCharArray()), "ConsoleBrowserIT");
            }
        }
        int port = TestPorts.free();
        base = "http://127.0.0.1:" + port;
        log = home.resolve("serve.log");
        server = rotor.startLogged(List.of(), log, "serve", "--port", String.valueOf(port), "--config", config.toString());
        ServeProcesses.awaitUp(HTTP, server, base + "/observe/health");

        api("POST", "/api/v1/targets", """
                {"id": "pg", "type": "postgresql", "host": "127.0.0.1", "port": %d, "database": "%s", "tls": "disable"}"""
                .formatted(targets.pgPort(), targets.pgDatabase()));
        api("POST", "/api/v1/targets", """
                {"id": "tagged", "type": "postgresql", "host": "127.0.0.1", "port": 1, "database": "%s", "tls": "disable"}"""
                .formatted(XSS));
        api("POST", "/api/v1/targets", "{\"id\": \"vault\", \"type\": \"vault\"}");
        for (String role : ROLES) {
            api("POST", "/api/v1/accounts", "{\"id\": \"%s\", \"target\": \"pg\", \"username\": \"%s\"}".formatted(role, role));
            api("POST", "/api/v1/accounts/" + role + "/set", "{\"value\": \"%s\", \"vaultOnly\": true}".formatted(initial.get(role)));
            api("POST", "/api/v1/accounts", "{\"id\": \"v-%s\", \"target\": \"vault\", \"username\": \"%s\"}".formatted(role, role));
            api("PUT", "/api/v1/accounts/v-" + role + "/attributes/backing_account", "{\"values\": [\"%s\"]}".formatted(role));
        }

        Files.createDirectories(SCREENSHOTS);
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--window-size=1280,900");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stopEverything() throws Exception {
        try {
            if (browser != null) {
                browser.quit();
            }
            if (server != null) {
                ServeProcesses.stop(server);
                String serverLog = Files.readString(log);
                for (String secret : secretsSeen) {
                    assertThat(serverLog).as("no secret in the server's output").doesNotContain(secret);
                }
            }
        } finally {
            if (targets != null) {
                for (String role : ROLES) {
                    targets.pgDropRole(role);
                }
            }
            TestDirs.delete(home);
        }
    }

    @Test
    @Order(1)
    void theSignInFormHasLabelsAndWorksFromTheKeyboard() throws Exception {
        browser.get(base + "/");
        assertThat(browser.getCurrentUrl()).as("a page without a session leads to the sign-in form").endsWith("/sign-in");
        for (String id : List.of("username", "password")) {
            WebElement input = browser.findElement(By.id(id));
            assertThat(browser.findElements(By.cssSelector("label[for='" + id + "']"))).as("label of " + id).hasSize(1);
            assertThat(input.getAttribute("required")).isNotNull();
        }
        screenshot("sign-in");
        WebElement focused = browser.switchTo().activeElement();
        assertThat(focused.getAttribute("id")).as("the username field has the focus").isEqualTo("username");
        focused.sendKeys("con-admin");
        focused.sendKeys(Keys.TAB);
        focused = browser.switchTo().activeElement();
        assertThat(focused.getAttribute("id")).as("Tab goes to the password").isEqualTo("password");
        focused.sendKeys("wrong-password");
        focused.sendKeys(Keys.TAB);
        assertThat(browser.switchTo().activeElement().getAttribute("id")).as("then to the button").isEqualTo("sign-in");
        browser.switchTo().activeElement().sendKeys(Keys.ENTER);
        assertThat(wait(10).until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-in-error"))).getText())
                .isEqualTo("Wrong username or password.");

        signIn("admin");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Dashboard");
        assertThat(browser.findElement(By.id("role")).getText()).isEqualTo("admin");
        String session = browser.manage().getCookieNamed("rotor_session").getValue();
        assertThat(browser.manage().getCookieNamed("rotor_session").isHttpOnly()).isTrue();
        assertThat(browser.manage().getCookieNamed("rotor_session").getSameSite()).isEqualTo("Strict");
        assertThat(session).hasSizeGreaterThanOrEqualTo(43);
    }

    @Test
    @Order(2)
    void aTargetWhoseDatabaseIsAnHtmlTagRendersAsText() throws Exception {
        browser.get(base + "/targets");
        WebElement cell = browser.findElement(By.cssSelector("#target-tagged td.database"));
        assertThat(cell.getText()).isEqualTo(XSS);
        assertThat(browser.findElements(By.cssSelector("#targets-list img"))).as("no element was made of it").isEmpty();
        assertNoAlert();
        screenshot("targets");
        browser.get(base + "/");
        wait(30).until(d -> {
            d.navigate().refresh();
            return d.findElements(By.xpath("//table[@id='targets']//td[text()='tagged']")).size() == 1;
        });
        assertThat(browser.findElement(By.id("targets")).getText()).contains("pg").contains("tagged").contains("DOWN");
        screenshot("dashboard");
    }

    @Test
    @Order(3)
    void anAdminSavesAPreDefinedRequest() throws Exception {
        browser.get(base + "/pdrs");
        browser.findElement(By.id("pdr-name")).sendKeys(PDR);
        new Select(browser.findElement(By.id("pdr-workflow"))).selectByValue("mass-password-reset");
        browser.findElement(By.id("pdr-description")).sendKeys(XSS);
        WebElement parameters = browser.findElement(By.id("pdr-parameters"));
        parameters.clear();
        parameters.sendKeys("{\"target\": [\"pg\"], \"vaultTarget\": \"vault\", \"vaultLinkAttribute\": \"backing_account\","
                + " \"report\": true}");
        browser.findElement(By.id("save-pdr")).click();

        assertThat(browser.findElement(By.id("result")).getText()).contains("saved pre-defined request '" + PDR + "'");
        assertThat(browser.findElement(By.cssSelector("#pdr-" + PDR + " td.description")).getText()).isEqualTo(XSS);
        assertThat(browser.findElements(By.cssSelector("#pdrs img"))).isEmpty();
        assertNoAlert();
        screenshot("pdrs");
        HttpResponse<String> viaApi = call("GET", "/api/v1/pdrs/" + PDR, "Bearer " + adminToken, null, null);
        assertThat(viaApi.statusCode()).isEqualTo(200);
        assertThat(viaApi.body()).contains("\"workflow\":\"mass-password-reset\"").contains("backing_account");
        signOut();
    }

    @Test
    @Order(4)
    void anOperatorDryRunsThePlanConfirmsItAndTheJobReaches100Percent() throws Exception {
        signIn("operator");
        browser.get(base + "/pdrs");
        assertThat(browser.findElements(By.id("save-pdr"))).as("an operator does not edit PDRs").isEmpty();
        browser.findElement(By.cssSelector("button[aria-label='dry run " + PDR + "']")).click();

        wait(120).until(ExpectedConditions.visibilityOfElementLocated(By.id("job-finished")));
        assertThat(browser.findElement(By.id("job-status")).getText()).isEqualTo("SUCCEEDED");
        browser.navigate().refresh();
        String plan = browser.findElement(By.id("results")).getText();
        for (String role : ROLES) {
            assertThat(plan).contains(role);
            assertThat(targets.pgLogin(role, initial.get(role).toCharArray())).as("the dry run changed nothing").isTrue();
        }
        screenshot("job-dry-run");

        browser.findElement(By.id("confirm-run")).click();
        wait(180).until(ExpectedConditions.textToBe(By.id("job-percent"), "100 %"));
        wait(60).until(ExpectedConditions.visibilityOfElementLocated(By.id("job-finished")));
        assertThat(browser.findElement(By.id("job-status")).getText()).isEqualTo("SUCCEEDED");
        browser.navigate().refresh();
        String results = browser.findElement(By.id("results")).getText();
        for (String role : ROLES) {
            assertThat(results).contains(role);
        }
        screenshot("job");

        String reportUrl = browser.findElement(By.id("report-link")).getAttribute("href");
        HttpResponse<byte[]> report = HTTP.send(HttpRequest.newBuilder(URI.create(reportUrl))
                .header("Cookie", "rotor_session=" + browser.manage().getCookieNamed("rotor_session").getValue())
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(report.statusCode()).isEqualTo(200);
        assertThat(new String(report.body(), 0, 15, StandardCharsets.US_ASCII)).isEqualTo("SQLite format 3");

        try (VaultReader vault = new VaultReader(dataDir, masterKey)) {
            for (String role : ROLES) {
                char[] now = vault.secret(role, Slot.CURRENT).orElseThrow();
                secretsSeen.add(new String(now));
                assertThat(targets.pgLogin(role, now)).as(role + " logs in with its new password").isTrue();
                assertThat(targets.pgLogin(role, initial.get(role).toCharArray())).as(role + ": the old one is refused").isFalse();
            }
        }
    }

    @Test
    @Order(5)
    void checkoutShowsTheSecretOnceAndCheckinGivesItBack() throws Exception {
        String account = ROLES.get(0);
        browser.get(base + "/accounts?target=pg");
        screenshot("accounts");
        browser.findElement(By.cssSelector("button[aria-label='checkout " + account + "']")).click();

        String shown = browser.findElement(By.id("secret")).getAttribute("value");
        assertThat(browser.findElement(By.id("secret")).getAttribute("data-autohide")).isEqualTo("30");
        screenshotBlurred("checkout");
        try (VaultReader vault = new VaultReader(dataDir, masterKey)) {
            assertThat(shown).isEqualTo(new String(vault.secret(account, Slot.CURRENT).orElseThrow()));
        }
        assertThat(targets.pgLogin(account, shown.toCharArray())).isTrue();

        browser.get(base + "/accounts");
        assertThat(browser.getPageSource()).as("the accounts page never shows it again").doesNotContain(shown);
        assertThat(browser.findElement(By.cssSelector("#account-" + account)).getText()).contains("api:service-account:con-operator");
        assertThat(browser.findElements(By.cssSelector("button[aria-label='checkout " + account + "']"))).isEmpty();
        browser.findElement(By.cssSelector("button[aria-label='checkin " + account + "']")).click();
        assertThat(browser.findElement(By.id("result")).getText()).startsWith("checked in; " + account + ": rotate SUCCEEDED");
        assertThat(targets.pgLogin(account, shown.toCharArray())).as("the checkin rotated it").isFalse();
        signOut();
    }

    @Test
    @Order(6)
    void anAuditorSeesNoSecretAndNoActionButTheRevealInTheAuditTrail() throws Exception {
        signIn("auditor");
        browser.get(base + "/accounts");
        assertThat(browser.findElements(By.cssSelector("#accounts form"))).as("no action for an auditor").isEmpty();
        assertThat(browser.findElements(By.cssSelector("#accounts button"))).isEmpty();
        browser.get(base + "/pdrs");
        assertThat(browser.findElements(By.cssSelector("#pdrs button"))).isEmpty();
        browser.get(base + "/audit?operation=REVEAL");
        assertThat(browser.findElement(By.id("audit")).getText()).contains("REVEAL").contains(ROLES.get(0))
                .contains("api:service-account:con-operator");
        screenshot("audit");
        try (VaultReader vault = new VaultReader(dataDir, masterKey)) {
            for (String role : ROLES) {
                secretsSeen.add(new String(vault.secret(role, Slot.CURRENT).orElseThrow()));
            }
        }
        for (String page : List.of("/", "/accounts", "/targets", "/jobs", "/pdrs", "/audit")) {
            browser.get(base + page);
            for (String secret : secretsSeen) {
                assertThat(browser.getPageSource()).as(page + " shows no secret").doesNotContain(secret);
            }
        }
        // the checkout form is not shown, and the request is refused all the same
        Client auditor = Client.signIn("con-auditor", passwords.get("auditor"));
        HttpResponse<String> checkout = auditor.post("/accounts/" + ROLES.get(1) + "/checkout", auditor.csrf);
        assertThat(checkout.statusCode()).isEqualTo(403);
        assertThat(checkout.body()).contains("may not do this");
        signOut();
    }

    @Test
    @Order(7)
    void aPostWithoutTheSessionsCsrfTokenIsRefusedAndChangesNothing() throws Exception {
        Client operator = Client.signIn("con-operator", passwords.get("operator"));
        String account = ROLES.get(2);
        long version = version(account);

        HttpResponse<String> none = operator.post("/accounts/" + account + "/rotate", null);
        assertThat(none.statusCode()).isEqualTo(403);
        assertThat(none.body()).contains("CSRF token");
        HttpResponse<String> wrong = operator.post("/accounts/" + account + "/rotate", Client.signIn("con-operator",
                passwords.get("operator")).csrf);
        assertThat(wrong.statusCode()).as("another session's token").isEqualTo(403);
        assertThat(version(account)).as("nothing was rotated").isEqualTo(version);

        HttpResponse<String> right = operator.post("/accounts/" + account + "/rotate", operator.csrf);
        assertThat(right.statusCode()).as(right.body()).isEqualTo(200);
        assertThat(version(account)).isEqualTo(version + 1);

        HttpResponse<String> forgedSignIn = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/sign-in"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=con-operator&password="
                        + URLEncoder.encode(passwords.get("operator"), StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(forgedSignIn.statusCode()).as("a sign-in without the form's token").isEqualTo(403);
        assertThat(forgedSignIn.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith("rotor_session="));
    }

    @Test
    @Order(8)
    void pdrsThroughTheApiFollowTheSameRules() throws Exception {
        String operator = "Basic " + Base64.getEncoder().encodeToString(("con-operator:" + passwords.get("operator"))
                .getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> save = call("PUT", "/api/v1/pdrs/op-made", operator, "application/json",
                "{\"workflow\": \"mass-password-reset\", \"parameters\": {}}");
        assertThat(save.statusCode()).as("only an admin saves a PDR").isEqualTo(403);
        HttpResponse<String> unplanned = call("POST", "/api/v1/pdrs/" + PDR + "/run", operator, "application/json", null);
        assertThat(unplanned.statusCode()).as(unplanned.body()).isEqualTo(409);
        assertThat(unplanned.body()).contains("PLAN_REQUIRED");
        HttpResponse<String> dry = call("POST", "/api/v1/pdrs/" + PDR + "/run?dryRun=true", operator, "application/json", null);
        assertThat(dry.statusCode()).as(dry.body()).isEqualTo(202);
        HttpResponse<String> notYet = call("POST", "/api/v1/pdrs/" + PDR + "/run?plan=" + jobIdOf(dry.body()) + "x",
                operator, "application/json", null);
        assertThat(notYet.statusCode()).as("an unknown plan").isEqualTo(404);
        HttpResponse<String> list = call("GET", "/api/v1/pdrs", operator, null, null);
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).contains(PDR);
    }

    @Test
    @Order(9)
    void repeatedFailedSignInsLockTheConsoleOutAsTheyLockTheApiOut() throws Exception {
        int refusedAfter = 0;
        for (int attempt = 1; attempt <= 6 && refusedAfter == 0; attempt++) {
            browser.get(base + "/sign-in");
            browser.findElement(By.id("username")).sendKeys("con-admin");
            browser.findElement(By.id("password")).sendKeys("not-the-password");
            browser.findElement(By.id("sign-in")).click();
            String error = wait(30).until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-in-error"))).getText();
            if (error.startsWith("Too many failed sign-ins")) {
                refusedAfter = attempt;
            }
        }
        assertThat(refusedAfter).as("locked out within rotor.api.login.max-failures (5) failures").isBetween(1, 5);
        signInExpectingRefusal();
    }

    private static void signInExpectingRefusal() {
        browser.get(base + "/sign-in");
        browser.findElement(By.id("username")).sendKeys("con-admin");
        browser.findElement(By.id("password")).sendKeys(passwords.get("admin"));
        browser.findElement(By.id("sign-in")).click();
        assertThat(wait(30).until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-in-error"))).getText())
                .as("even the right password, while locked out").startsWith("Too many failed sign-ins");
        assertThat(browser.manage().getCookieNamed("rotor_session")).isNull();
    }

    private static String jobIdOf(String body) {
        Matcher m = Pattern.compile("\"jobId\":\"([^\"]+)\"").matcher(body);
        assertThat(m.find()).as(body).isTrue();
        return m.group(1);
    }

    // ---------------------------------------------------------------- helpers

    private static long version(String account) throws Exception {
        HttpResponse<String> response = call("GET", "/api/v1/accounts/" + account, "Bearer " + adminToken, null, null);
        Matcher m = Pattern.compile("\"version\":(\\d+)").matcher(response.body());
        assertThat(m.find()).as(response.body()).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** A console session driven over plain HTTP, to send what a browser's form would not. */
    private record Client(String cookie, String csrf) {
        static Client signIn(String username, String password) throws Exception {
            HttpResponse<String> form = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/sign-in")).build(),
                    HttpResponse.BodyHandlers.ofString());
            String token = field(form.body(), "_csrf");
            String signInCookie = form.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
            HttpResponse<String> signedIn = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/sign-in"))
                    .header("Cookie", signInCookie).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("_csrf=" + token + "&username=" + username + "&password="
                            + URLEncoder.encode(password, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(signedIn.statusCode()).as(signedIn.body()).isEqualTo(303);
            String session = signedIn.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("rotor_session="))
                    .findFirst().orElseThrow().split(";", 2)[0];
            HttpResponse<String> page = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/")).header("Cookie", session)
                    .build(), HttpResponse.BodyHandlers.ofString());
            return new Client(session, field(page.body(), "_csrf"));
        }

        HttpResponse<String> post(String path, String token) throws Exception {
            return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).header("Cookie", cookie)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(token == null ? "" : "_csrf=" + token)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        private static String field(String html, String name) {
            Matcher m = Pattern.compile("name=\"" + name + "\" value=\"([^\"]+)\"").matcher(html);
            assertThat(m.find()).as("a " + name + " field").isTrue();
            return m.group(1);
        }
    }

    private static void signIn(String role) {
        browser.get(base + "/sign-in");
        browser.findElement(By.id("username")).sendKeys("con-" + role);
        browser.findElement(By.id("password")).sendKeys(passwords.get(role));
        browser.findElement(By.id("sign-in")).click();
        wait(30).until(ExpectedConditions.textToBe(By.id("role"), role));
    }

    private static void signOut() {
        browser.findElement(By.cssSelector("form.signout button")).click();
        wait(30).until(ExpectedConditions.urlContains("/sign-in"));
        browser.get(base + "/");
        assertThat(browser.getCurrentUrl()).as("signed out: the session no longer works").endsWith("/sign-in");
    }

    private static void assertNoAlert() {
        try {
            browser.switchTo().alert();
            throw new AssertionError("a script ran: an alert is open");
        } catch (NoAlertPresentException expected) {
            // nothing ran
        }
    }

    private static WebDriverWait wait(int seconds) {
        return new WebDriverWait(browser, Duration.ofSeconds(seconds));
    }

    private static void screenshot(String name) throws Exception {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    /** The checkout page with its secret hidden first: a screenshot is a file that outlives the test. */
    private static void screenshotBlurred(String name) throws Exception {
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(
                "document.getElementById('secret').value = '\u2022'.repeat(24);");
        screenshot(name);
    }

    private static void api(String method, String path, String body) throws Exception {
        HttpResponse<String> response = call(method, path, "Bearer " + adminToken, "application/json", body);
        assertThat(response.statusCode()).as(method + " " + path + ": " + response.body()).isBetween(200, 299);
    }

    private static HttpResponse<String> call(String method, String path, String authorization, String contentType,
                                             String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        request.header("Authorization", authorization);
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String randomPassword() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return "Aa1-" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
