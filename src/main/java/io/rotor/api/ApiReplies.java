package io.rotor.api;

import io.rotor.config.InventoryException;
import io.rotor.vault.UnknownAccountException;
import io.rotor.vault.VaultConflictException;
import io.rotor.vault.VaultErrors;
import io.rotor.vault.VaultException;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes answers. Every answer starts from an empty header set, so that no request header (Authorization, path
 * and query parameters) is ever echoed back, and is JSON. Errors are {@code {"code": ..., "message": ...}} and
 * never carry a stack trace.
 */
public final class ApiReplies {
    private static final Logger LOG = LoggerFactory.getLogger(ApiReplies.class);

    private ApiReplies() {
    }

    public static void json(Exchange exchange, int status, Object body) {
        json(exchange, status, ApiJson.write(body));
    }

    public static void json(Exchange exchange, int status, byte[] body) {
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        out.setHeader(Exchange.CONTENT_TYPE, "application/json");
        out.setBody(body);
    }

    public static void noContent(Exchange exchange) {
        Message out = exchange.getMessage();
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, 204);
        out.setBody(null);
    }

    /** The route's error handler: the caught exception as a JSON error answer. */
    public static void error(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        ApiException error = translate(failure);
        json(exchange, error.status(), new Views.ErrorView(error.code(), error.getMessage()));
        if (error.status() == 401) {
            exchange.getMessage().setHeader("WWW-Authenticate", Authenticator.CHALLENGE);
        }
        if (error.retryAfterSeconds() > 0) {
            exchange.getMessage().setHeader("Retry-After", String.valueOf(error.retryAfterSeconds()));
        }
    }

    static ApiException translate(Throwable failure) {
        if (failure instanceof ApiException api) {
            return api;
        }
        if (failure instanceof UnknownAccountException unknown) {
            return ApiException.notFound(unknown.getMessage());
        }
        if (failure instanceof VaultConflictException conflict) {
            return ApiException.conflict(conflict.reason().name(), conflict.getMessage());
        }
        if (failure instanceof InventoryException inventory) {
            return ApiException.badRequest("INVALID_FIELD", String.join("; ", inventory.problems()));
        }
        if (failure instanceof IllegalArgumentException bad) {
            // Rotor's argument checks name the field and never hold a secret
            return ApiException.badRequest("INVALID_REQUEST", bad.getMessage());
        }
        if (failure instanceof io.rotor.vault.TamperedRowException tampered) {
            // a row edited outside Rotor (docs/architecture.md, "Row MACs"): the message names it, holds no secret
            return ApiException.conflict("INTEGRITY_CHECK_FAILED", tampered.getMessage());
        }
        if (failure instanceof VaultException && VaultErrors.isIntegrityViolation(failure)) {
            return ApiException.conflict("IN_USE", "other records still refer to it; remove them first");
        }
        LOG.warn("API request failed: {}: {}", failure == null ? "unknown" : failure.getClass().getSimpleName(),
                failure == null ? "" : failure.getMessage());
        return new ApiException(500, "INTERNAL_ERROR", "the request failed inside Rotor; the server log has the reason");
    }
}
