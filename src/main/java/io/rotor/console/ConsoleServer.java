package io.rotor.console;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import io.rotor.api.ApiException;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * The console's HTTP side (docs/architecture.md, "Console"): pages at {@code /} on the API's server, rendered from
 * jte templates compiled at build time (HTML content type: every value escaped), htmx and the console's own script
 * and style served from the jar. Every answer carries a Content-Security-Policy that allows no inline script or
 * style and nothing from another origin. A page needs a live session; a POST also needs the session's CSRF token.
 * Work that may block (the vault, a target, a password check) runs on Vert.x worker threads.
 */
public final class ConsoleServer {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleServer.class);
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self';"
            + " img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    static final Map<String, String> PAGE_HEADERS = Map.of(
            "Content-Security-Policy", CONTENT_SECURITY_POLICY,
            "X-Content-Type-Options", "nosniff",
            "X-Frame-Options", "DENY",
            "Referrer-Policy", "no-referrer",
            "Cache-Control", "no-store");
    static final String HTMX = "META-INF/resources/webjars/htmx.org/2.0.4/dist/htmx.min.js";
    private static final String CSRF_FIELD = "_csrf";

    private final Console console;
    private final ConsoleCookies cookies;
    private final TemplateEngine templates = TemplateEngine.createPrecompiled(null, ContentType.Html, null,
            "io.rotor.console.templates");

    ConsoleServer(Console console, boolean tls) {
        this.console = console;
        this.cookies = new ConsoleCookies(tls);
    }

    /** Installs the console once the HTTP server has started (the router exists only then). */
    public static void installWhenStarted(CamelContext context, boolean tls) {
        context.getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
            private boolean installed;

            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelEvent.CamelContextStartedEvent && !installed) {
                    Console console = context.getRegistry().lookupByNameAndType("console", Console.class);
                    String port = context.resolvePropertyPlaceholders("{{camel.server.port:8080}}");
                    VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context,
                            VertxPlatformHttpRouter.getRouterNameFromPort(Integer.parseInt(port)));
                    if (console != null && router != null) {
                        console.attach(context);
                        new ConsoleServer(console, tls).install(router);
                        installed = true;
                    }
                }
            }

            @Override
            public boolean isEnabled(CamelEvent event) {
                return event instanceof CamelEvent.CamelContextStartedEvent;
            }
        });
    }

    void install(Router router) {
        asset(router, "/assets/htmx.min.js", HTMX, "text/javascript");
        asset(router, "/assets/console.js", "console/console.js", "text/javascript");
        asset(router, "/assets/console.css", "console/console.css", "text/css");

        get(router, "/sign-in", this::signInForm);
        router.route(HttpMethod.POST, "/sign-in").handler(BodyHandler.create(false).setBodyLimit(8192))
                .blockingHandler(this::signIn, false);
        post(router, "/sign-out", (rc, s) -> {
            console.signOut(s);
            rc.response().putHeader("Set-Cookie", cookies.delete(cookies.sessionName()));
            redirect(rc, "/sign-in");
        });

        page(router, "/", (rc, s) -> {
            if (s.role() == io.rotor.domain.Role.IDENTITY) {
                render(rc, 200, "identity.jte", new ConsolePages.Identity(Console.page(s, "Rotor", "dashboard")));
            } else {
                render(rc, 200, "dashboard.jte", console.dashboard(s));
            }
        });
        page(router, "/accounts", (rc, s) -> render(rc, 200, "accounts.jte", console.accounts(s, param(rc, "q"),
                param(rc, "status"), param(rc, "target"), null)));
        page(router, "/targets", (rc, s) -> render(rc, 200, "targets.jte", console.targets(s)));
        for (String operation : new String[]{"rotate", "verify", "reconcile"}) {
            post(router, "/accounts/:id/" + operation, (rc, s) -> render(rc, 200, "accounts.jte",
                    console.accounts(s, null, null, null, console.operate(s, rc.pathParam("id"), operation))));
        }
        post(router, "/accounts/:id/checkin", (rc, s) -> render(rc, 200, "accounts.jte",
                console.accounts(s, null, null, null, console.checkin(s, rc.pathParam("id")))));
        post(router, "/accounts/:id/checkout", (rc, s) -> render(rc, 200, "checkout.jte",
                console.checkout(s, rc.pathParam("id"))));

        page(router, "/jobs", (rc, s) -> render(rc, 200, "jobs.jte", console.jobs(s)));
        page(router, "/jobs/:id", (rc, s) -> render(rc, 200, "job.jte",
                console.job(s, rc.pathParam("id"), param(rc, "outcome"), param(rc, "pdr"))));
        page(router, "/jobs/:id/progress", (rc, s) -> render(rc, 200, "jobprogress.jte",
                console.job(s, rc.pathParam("id"), param(rc, "outcome"), param(rc, "pdr"))));
        page(router, "/jobs/:id/report", (rc, s) -> {
            byte[] report = console.report(s, rc.pathParam("id"));
            rc.response().putHeader("Content-Type", "application/vnd.sqlite3")
                    .putHeader("Content-Disposition", "attachment; filename=\"job-"
                            + rc.pathParam("id").replaceAll("[^A-Za-z0-9-]", "") + ".sqlite\"")
                    .end(io.vertx.core.buffer.Buffer.buffer(report));
        });
        post(router, "/jobs/:id/cancel", (rc, s) -> {
            console.cancel(s, rc.pathParam("id"));
            redirect(rc, "/jobs/" + encode(rc.pathParam("id")));
        });

        page(router, "/pdrs", (rc, s) -> render(rc, 200, "pdrs.jte", console.pdrs(s, null)));
        post(router, "/pdrs", (rc, s) -> {
            console.savePdr(s, form(rc, "name"), form(rc, "workflow"), form(rc, "description"), form(rc, "parameters"));
            render(rc, 200, "pdrs.jte", console.pdrs(s, "saved pre-defined request '" + form(rc, "name") + "'"));
        });
        post(router, "/pdrs/:name/delete", (rc, s) -> {
            console.deletePdr(s, rc.pathParam("name"));
            render(rc, 200, "pdrs.jte", console.pdrs(s, "deleted pre-defined request '" + rc.pathParam("name") + "'"));
        });
        post(router, "/pdrs/:name/run", (rc, s) -> {
            String plan = form(rc, "plan");
            boolean dryRun = plan == null || plan.isBlank();
            String jobId = console.runPdr(s, rc.pathParam("name"), dryRun, plan);
            redirect(rc, "/jobs/" + encode(jobId) + (dryRun ? "?pdr=" + encode(rc.pathParam("name")) : ""));
        });

        page(router, "/audit", (rc, s) -> render(rc, 200, "audit.jte", console.audit(s, param(rc, "account"),
                param(rc, "actor"), param(rc, "operation"), param(rc, "outcome"))));
    }

    // ---------------------------------------------------------------- sign-in

    private void signInForm(RoutingContext rc) {
        if (session(rc).isPresent()) {
            redirect(rc, "/");
            return;
        }
        renderSignIn(rc, 200, null, "");
    }

    private void renderSignIn(RoutingContext rc, int status, String error, String username) {
        String token = ConsoleSessions.newToken();
        rc.response().putHeader("Set-Cookie", cookies.setCookie(cookies.signInName(), token, null));
        render(rc, status, "sign-in.jte", new ConsolePages.SignIn(ConsolePages.Page.anonymous("Sign in"), token, error,
                username == null ? "" : username));
    }

    private void signIn(RoutingContext rc) {
        headers(rc);
        String sent = form(rc, CSRF_FIELD);
        String expected = ConsoleCookies.read(rc.request().getHeader("Cookie"), cookies.signInName()).orElse(null);
        if (!ConsoleSessions.signInTokenMatches(expected, sent)) {
            renderSignIn(rc, 403, "The sign-in form expired or did not come from this console; please try again.", "");
            return;
        }
        String username = form(rc, "username");
        String password = form(rc, "password");
        try {
            ConsoleSessions.Session session = console.signIn(username, password == null ? new char[0]
                    : password.toCharArray(), rc.request().remoteAddress() == null ? null
                    : rc.request().remoteAddress().hostAddress());
            rc.response().headers().add("Set-Cookie", cookies.setCookie(cookies.sessionName(), session.id(), null))
                    .add("Set-Cookie", cookies.delete(cookies.signInName()));
            redirect(rc, "/");
        } catch (ApiException e) {
            String message = e.status() == 429 ? "Too many failed sign-ins; try again in " + e.retryAfterSeconds() + " s."
                    : e.status() == 401 ? "Wrong username or password." : "Sign-in is unavailable: " + e.getMessage();
            if (e.retryAfterSeconds() > 0) {
                rc.response().putHeader("Retry-After", String.valueOf(e.retryAfterSeconds()));
            }
            renderSignIn(rc, e.status(), message, username);
        } catch (RuntimeException e) {
            LOG.warn("console sign-in failed: {}", e.getClass().getSimpleName());
            renderSignIn(rc, 500, "Sign-in failed inside Rotor; the server log has the reason.", username);
        }
    }

    // ---------------------------------------------------------------- plumbing

    @FunctionalInterface
    interface SessionHandler {
        void handle(RoutingContext rc, ConsoleSessions.Session session) throws Exception;
    }

    private void get(Router router, String path, io.vertx.core.Handler<RoutingContext> handler) {
        router.route(HttpMethod.GET, path).blockingHandler(rc -> {
            headers(rc);
            handler.handle(rc);
        }, false);
    }

    /** A GET page: without a live session, off to the sign-in form. */
    private void page(Router router, String path, SessionHandler handler) {
        router.route(HttpMethod.GET, path).blockingHandler(rc -> {
            headers(rc);
            Optional<ConsoleSessions.Session> session = session(rc);
            if (session.isEmpty()) {
                redirect(rc, "/sign-in");
                return;
            }
            run(rc, session.get(), handler);
        }, false);
    }

    /** A state-changing form: a live session and that session's CSRF token, or 403 and nothing happens. */
    private void post(Router router, String path, SessionHandler handler) {
        router.route(HttpMethod.POST, path).handler(BodyHandler.create(false).setBodyLimit(256 * 1024))
                .blockingHandler(rc -> {
                    headers(rc);
                    Optional<ConsoleSessions.Session> session = session(rc);
                    if (session.isEmpty()) {
                        error(rc, null, 403, "Your session has ended; please sign in again.");
                        return;
                    }
                    String sent = form(rc, CSRF_FIELD);
                    if (sent == null) {
                        sent = rc.request().getHeader("X-CSRF-Token");
                    }
                    if (!ConsoleSessions.csrfMatches(session.get(), sent)) {
                        error(rc, session.get(), 403, "The form did not carry this session's CSRF token; nothing was changed.");
                        return;
                    }
                    run(rc, session.get(), handler);
                }, false);
    }

    private void run(RoutingContext rc, ConsoleSessions.Session session, SessionHandler handler) {
        try {
            handler.handle(rc, session);
        } catch (ApiException e) {
            error(rc, session, e.status(), e.getMessage());
        } catch (IllegalArgumentException e) {
            error(rc, session, 400, e.getMessage());
        } catch (Exception e) {
            LOG.warn("console request {} failed: {}: {}", rc.request().path(), e.getClass().getSimpleName(), e.getMessage());
            error(rc, session, 500, "The request failed inside Rotor; the server log has the reason.");
        }
    }

    private Optional<ConsoleSessions.Session> session(RoutingContext rc) {
        return ConsoleCookies.read(rc.request().getHeader("Cookie"), cookies.sessionName())
                .flatMap(id -> console.sessions().find(id));
    }

    private void error(RoutingContext rc, ConsoleSessions.Session session, int status, String message) {
        ConsolePages.Page page = session == null ? ConsolePages.Page.anonymous("Error")
                : Console.page(session, "Error", "");
        render(rc, status, "error.jte", new ConsolePages.Error(page, status, message));
    }

    private void render(RoutingContext rc, int status, String template, Object model) {
        HttpServerResponse response = rc.response();
        if (response.ended()) {
            return;
        }
        StringOutput output = new StringOutput();
        templates.render(template, model, output);
        response.setStatusCode(status).putHeader("Content-Type", "text/html; charset=utf-8").end(output.toString());
    }

    private static void headers(RoutingContext rc) {
        PAGE_HEADERS.forEach(rc.response()::putHeader);
    }

    private static void redirect(RoutingContext rc, String location) {
        rc.response().setStatusCode(303).putHeader("Location", location).end();
    }

    private static void asset(Router router, String path, String resource, String type) {
        byte[] content = load(resource);
        router.route(HttpMethod.GET, path).handler(rc -> rc.response()
                .putHeader("Content-Type", type + "; charset=utf-8")
                .putHeader("X-Content-Type-Options", "nosniff")
                .putHeader("Cache-Control", "public, max-age=3600")
                .end(io.vertx.core.buffer.Buffer.buffer(content)));
    }

    private static byte[] load(String resource) {
        try (InputStream in = ConsoleServer.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the console's resource " + resource + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the console's resource " + resource, e);
        }
    }

    private static String param(RoutingContext rc, String name) {
        return rc.request().getParam(name);
    }

    private static String form(RoutingContext rc, String name) {
        return rc.request().getFormAttribute(name);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
