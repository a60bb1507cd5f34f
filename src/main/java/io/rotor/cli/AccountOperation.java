package io.rotor.cli;

import io.rotor.workflow.OperationResult;

import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;

/** Runs one per-account route in an embedded engine and reports its result in one line. */
final class AccountOperation {
    private AccountOperation() {
    }

    static int run(CommonOptions common, String endpoint, String accountId, Object body, Map<String, Object> extraHeaders,
                   PrintWriter out, PrintWriter err) throws Exception {
        Map<String, Object> headers = new HashMap<>(extraHeaders);
        headers.put("accountId", accountId);
        headers.put("actor", "cli:" + System.getProperty("user.name", "unknown"));
        try (CommonOptions.EmbeddedEngine embedded = common.startEmbedded()) {
            OperationResult result = embedded.engine().request(endpoint, headers, body, OperationResult.class);
            return report(result, out, err);
        }
    }

    /** Prints one line per account and a summary; 0 when all succeeded, 2 when some did, 1 when none did. */
    static int reportTally(Object reply, String label, PrintWriter out, PrintWriter err) {
        return reportTally(reply, label, OperationResult::success, out, err);
    }

    /**
     * @param settled what counts as a good end for this command (recovery is good when the account ends IN_SYNC,
     *                whichever way it got there)
     */
    static int reportTally(Object reply, String label, java.util.function.Predicate<OperationResult> settled,
                           PrintWriter out, PrintWriter err) {
        if (reply instanceof OperationResult failure) {
            return report(failure, out, err);
        }
        io.rotor.workflow.OperationTally tally = (io.rotor.workflow.OperationTally) reply;
        long good = 0;
        for (OperationResult r : tally.results()) {
            boolean ok = settled.test(r);
            good += ok ? 1 : 0;
            (ok ? out : err).println(r.accountId() + ": " + r.outcome() + " - " + r.detail());
        }
        out.println(label + ": " + tally.summary());
        if (good == tally.results().size()) {
            return ExitCodes.SUCCESS;
        }
        return good == 0 ? ExitCodes.FAILURE : ExitCodes.PARTIAL;
    }

    static int report(OperationResult result, PrintWriter out, PrintWriter err) {
        String line = (result.accountId() == null ? "" : result.accountId() + ": ") + result.outcome()
                + (result.status() == null ? "" : " (status " + result.status() + ")") + " - " + result.detail();
        if (result.success()) {
            out.println(line);
            return ExitCodes.SUCCESS;
        }
        err.println("rotor: " + line);
        return ExitCodes.FAILURE;
    }
}
