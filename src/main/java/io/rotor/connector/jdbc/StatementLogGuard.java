package io.rotor.connector.jdbc;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * The MariaDB driver dumps packets at TRACE, logs at DEBUG, and logs every server error at WARN, syntax errors
 * included, whose message quotes the statement; a MariaDB {@code ALTER USER ... IDENTIFIED BY '...'} holds the
 * new password. This guard installs a logback turbo filter that drops the driver's events below INFO and its
 * WARN for errors 1064 / 1149 (syntax), whatever level the configuration sets. (The connectors themselves
 * never log a statement.) It is re-installed if a configuration
 * reload removed it. Without logback (another SLF4J binding) it does nothing.
 */
final class StatementLogGuard {
    private static final String[] GUARDED = {"org.mariadb.jdbc"};
    private static final String MARIADB_ERROR_PACKET = "org.mariadb.jdbc.message.server.ErrorPacket";

    private StatementLogGuard() {
    }

    static void ensureInstalled() {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext context)) {
            return;
        }
        for (TurboFilter filter : context.getTurboFilterList()) {
            if (filter instanceof Filter) {
                return;
            }
        }
        synchronized (StatementLogGuard.class) {
            for (TurboFilter filter : context.getTurboFilterList()) {
                if (filter instanceof Filter) {
                    return;
                }
            }
            Filter filter = new Filter();
            filter.setName("rotor-statement-log-guard");
            filter.setContext(context);
            filter.start();
            context.addTurboFilter(filter);
        }
    }

    static final class Filter extends TurboFilter {
        @Override
        public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
                                  Throwable t) {
            if (logger == null || level == null) {
                return FilterReply.NEUTRAL;
            }
            String name = logger.getName();
            if (level.isGreaterOrEqual(Level.INFO)) {
                return MARIADB_ERROR_PACKET.equals(name) && quotesStatement(params) ? FilterReply.DENY : FilterReply.NEUTRAL;
            }
            for (String guarded : GUARDED) {
                if (name.startsWith(guarded)) {
                    return FilterReply.DENY;
                }
            }
            return FilterReply.NEUTRAL;
        }

        /** The driver logs "Error: {code}-{state}: {message}"; syntax errors quote the statement. */
        private static boolean quotesStatement(Object[] params) {
            if (params == null || params.length == 0 || !(params[0] instanceof Number code)) {
                return true; // not the shape we know: drop rather than risk it
            }
            return code.intValue() == 1064 || code.intValue() == 1149;
        }
    }
}
