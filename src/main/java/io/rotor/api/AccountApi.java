package io.rotor.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.rotor.domain.Account;
import io.rotor.domain.Role;
import io.rotor.domain.Secret;
import io.rotor.domain.SecretRules;
import io.rotor.domain.Slot;
import io.rotor.vault.AccountRepository;
import io.rotor.vault.AuditLog;
import io.rotor.vault.AuditRecord;
import io.rotor.vault.CredentialRepository;
import io.rotor.vault.StoredCredential;
import io.rotor.vault.Vault;
import io.rotor.workflow.OperationResult;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The per-account operations of the API. Each step is a plain method the API route calls around the
 * workflow's own {@code direct:} entry point: check and prepare the headers, let the workflow run, answer its
 * {@link OperationResult} with the status of {@link OutcomeStatus}.
 */
public class AccountApi {
    /** Exchange property holding the authenticated {@link Principal}. */
    public static final String PRINCIPAL = "rotor.principal";
    private static final String SECRET = "rotor.secret";
    public static final int DEFAULT_AUDIT_LIMIT = 100;
    public static final int MAX_AUDIT_LIMIT = 1000;

    private final CredentialRepository credentials;
    private final AccountRepository accounts;
    private final AuditLog audit;
    private final io.rotor.workflow.Checkouts checkouts;

    public AccountApi(Vault vault) {
        this.credentials = vault.credentials();
        this.accounts = vault.accounts();
        this.audit = vault.audit();
        this.checkouts = new io.rotor.workflow.Checkouts(vault.accounts(), vault.credentials());
    }

    static Principal principal(Exchange exchange) {
        Principal principal = exchange.getProperty(PRINCIPAL, Principal.class);
        if (principal == null) {
            throw new IllegalStateException("no authenticated principal on the exchange");
        }
        return principal;
    }

    /**
     * Before rotate / verify / reconcile / checkin's rotation: the account exists, and (except verify) nobody else
     * holds it. The message then carries exactly the workflow's headers and nothing from the request.
     */
    public void prepare(Exchange exchange, boolean changesCredential) {
        Message in = exchange.getIn();
        String id = InventoryApi.checkPathId(in.getHeader("id", String.class));
        Principal principal = principal(exchange);
        Account account = accounts.findAccount(id).orElseThrow(() -> InventoryApi.unknown("account", id));
        if (changesCredential) {
            Optional<String> holder = accounts.checkedOutBy(account.id());
            if (holder.isPresent() && !holder.get().equals(principal.actor())) {
                throw ApiException.conflict("CHECKED_OUT", "account '" + id + "' is checked out by " + holder.get()
                        + "; it changes only after checkin");
            }
        }
        in.removeHeaders("*");
        in.setHeader("accountId", account.id());
        in.setHeader("actor", principal.actor());
        in.setBody(null);
    }

    /** Before set: the body {@code {"value": "...", "vaultOnly": true}} or {@code {"generate": true, "vaultOnly": false}}. */
    public void prepareSet(Exchange exchange) {
        ApiJson.requireJson(exchange.getIn().getHeader(Exchange.CONTENT_TYPE, String.class));
        byte[] body = exchange.getIn().getBody(byte[].class);
        Views.SetRequest request;
        Secret value;
        try {
            ParsedSet parsed = parseSet(body);
            request = parsed.request();
            value = parsed.value();
        } finally {
            if (body != null) {
                Arrays.fill(body, (byte) 0);
            }
        }
        try {
            if (value != null) {
                try {
                    SecretRules.check(value);
                } catch (IllegalArgumentException e) {
                    throw ApiException.badRequest("INVALID_FIELD", "field 'value': " + e.getMessage());
                }
            }
            prepare(exchange, true);
        } catch (RuntimeException e) {
            if (value != null) {
                value.close();
            }
            throw e;
        }
        if (value != null) {
            // wiped when the exchange completes, whatever happens
            exchange.setProperty(SECRET, value);
            exchange.getExchangeExtension().addOnCompletion(new org.apache.camel.support.SynchronizationAdapter() {
                @Override
                public void onDone(Exchange done) {
                    value.close();
                }
            });
        }
        exchange.getIn().setHeader("vaultOnly", Boolean.TRUE.equals(request.vaultOnly()));
        exchange.getIn().setBody(value);
    }

    record ParsedSet(Views.SetRequest request, Secret value) {
    }

    /**
     * Reads the set body with the streaming parser, so that the value goes from the parser's buffer into a
     * {@code char[]} and never becomes a String.
     */
    static ParsedSet parseSet(byte[] body) {
        if (body == null || body.length == 0) {
            throw ApiException.badRequest("MALFORMED_JSON", "the request body must be a JSON object");
        }
        Secret value = null;
        Boolean generate = null;
        Boolean vaultOnly = null;
        try (JsonParser p = ApiJson.parser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw ApiException.badRequest("MALFORMED_JSON", "the request body must be a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken token = p.nextToken();
                switch (field) {
                    case "value" -> {
                        if (token != JsonToken.VALUE_STRING) {
                            throw ApiException.badRequest("INVALID_FIELD", "field 'value': must be a string");
                        }
                        char[] chars = Arrays.copyOfRange(p.getTextCharacters(), p.getTextOffset(),
                                p.getTextOffset() + p.getTextLength());
                        value = Secret.of(chars);
                    }
                    case "generate" -> generate = bool(field, token);
                    case "vaultOnly" -> vaultOnly = bool(field, token);
                    default -> throw ApiException.badRequest("UNKNOWN_FIELD", "field '" + printable(field)
                            + "': unknown field (known fields: value, generate, vaultOnly)");
                }
            }
            if (p.nextToken() != null) {
                throw ApiException.badRequest("MALFORMED_JSON", "unexpected content after the JSON object");
            }
        } catch (JsonProcessingException e) {
            close(value);
            throw ApiJson.malformed(e);
        } catch (IOException e) {
            close(value);
            throw ApiException.badRequest("MALFORMED_JSON", "the request body cannot be read as JSON");
        } catch (RuntimeException e) {
            close(value);
            throw e;
        }
        boolean generating = Boolean.TRUE.equals(generate);
        if (value != null && generating) {
            value.close();
            throw ApiException.badRequest("INVALID_FIELD", "field 'generate': give either value or generate: true, not both");
        }
        if (value == null && !generating) {
            throw ApiException.badRequest("INVALID_FIELD", "field 'value': is required unless generate is true");
        }
        return new ParsedSet(new Views.SetRequest(null, generate, vaultOnly), value);
    }

    private static Boolean bool(String field, JsonToken token) {
        if (token == JsonToken.VALUE_TRUE) {
            return true;
        }
        if (token == JsonToken.VALUE_FALSE) {
            return false;
        }
        throw ApiException.badRequest("INVALID_FIELD", "field '" + field + "': must be true or false");
    }

    private static void close(Secret value) {
        if (value != null) {
            value.close();
        }
    }

    /** After the workflow: its result as JSON with the status of {@link OutcomeStatus}. */
    public void answer(Exchange exchange) {
        OperationResult result = exchange.getMessage().getBody(OperationResult.class);
        if (result == null) {
            throw new IllegalStateException("the workflow answered no result");
        }
        ApiReplies.json(exchange, OutcomeStatus.of(result.outcome()), Views.OperationView.of(result));
    }

    /**
     * Checkout: marks the account held by the caller and answers its CURRENT secret — the only answer of the API
     * that holds one. The reveal is audited in the same transaction as the mark.
     */
    public void checkout(Exchange exchange) {
        String id = InventoryApi.checkPathId(exchange.getIn().getHeader("id", String.class));
        Principal principal = principal(exchange);
        Account account = accounts.findAccount(id).orElseThrow(() -> InventoryApi.unknown("account", id));
        try (StoredCredential credential = checkOut(account, principal, "the API")) {
            ApiReplies.json(exchange, 200, checkoutJson(account, credential, principal.actor()));
        }
    }

    /**
     * Checkout for the console: marks the account held by {@code principal} and answers its CURRENT credential
     * (the caller closes it), the reveal audited in the same transaction as the mark.
     */
    public StoredCredential checkOut(String accountId, Principal principal) {
        String id = InventoryApi.checkPathId(accountId);
        Account account = accounts.findAccount(id).orElseThrow(() -> InventoryApi.unknown("account", id));
        return checkOut(account, principal, "the console");
    }

    private StoredCredential checkOut(Account account, Principal principal, String where) {
        String id = account.id();
        Optional<StoredCredential> current = checkouts.checkOut(account, principal.actor(), where);
        if (current.isEmpty()) {
            throw ApiException.conflict("NO_CREDENTIAL", "account '" + id + "' has no CURRENT credential to check out");
        }
        return current.get();
    }

    private static byte[] checkoutJson(Account account, StoredCredential credential, String holder) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        char[] chars = credential.secret().chars();
        try (JsonGenerator g = ApiJson.MAPPER.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("accountId", account.id());
            g.writeStringField("target", account.targetId());
            g.writeStringField("username", account.username());
            g.writeNumberField("version", credential.version());
            g.writeStringField("checkedOutBy", holder);
            g.writeFieldName("value");
            g.writeString(chars, 0, chars.length);
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write the checkout answer", e);
        } finally {
            Arrays.fill(chars, '\0');
        }
        return out.toByteArray();
    }

    /** Checkin: releases the account (its holder, or an admin for anyone); the route then rotates it. */
    public void checkin(Exchange exchange) {
        String id = InventoryApi.checkPathId(exchange.getIn().getHeader("id", String.class));
        Principal principal = principal(exchange);
        Account account = accounts.findAccount(id).orElseThrow(() -> InventoryApi.unknown("account", id));
        checkouts.checkIn(account, principal.actor(), principal.role() == Role.ADMIN, "the API");
        prepare(exchange, false);
    }

    /** {@code GET /audit?account=ID&limit=N}: newest first. */
    public List<Views.AuditView> audit(Exchange exchange) {
        Message in = exchange.getIn();
        String account = in.getHeader("account", String.class);
        String limitText = in.getHeader("limit", String.class);
        if (account != null) {
            InventoryApi.checkParameter("account", account);
        }
        int limit = DEFAULT_AUDIT_LIMIT;
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_AUDIT_LIMIT) {
                throw ApiException.badRequest("INVALID_PARAMETER", "parameter 'limit': must be a whole number from 1 to "
                        + MAX_AUDIT_LIMIT);
            }
        }
        return audit.trail(account, limit).stream().map(Views.AuditView::of).toList();
    }

    private static String printable(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < Math.min(text.length(), 64); i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) || Character.getType(c) == Character.FORMAT ? '?' : c);
        }
        return text.length() > 64 ? out + "..." : out.toString();
    }
}
