package io.rotor.vault;

import org.jdbi.v3.core.Handle;

import java.util.List;

/** Small single-value reads the repositories share; each statement takes one {@code :id} parameter. */
final class Rows {
    private Rows() {
    }

    static boolean exists(Handle h, String sql, String id) {
        return !h.createQuery(sql).bind("id", id).map((r, ctx) -> 1).list().isEmpty();
    }

    static long count(Handle h, String sql, String id) {
        Long n = singleLong(h, sql, id);
        return n == null ? 0 : n;
    }

    /** The first column of the first row, or null when there is no row or the value is NULL. */
    static Long singleLong(Handle h, String sql, String id) {
        List<Long> values = h.createQuery(sql).bind("id", id).map((r, ctx) -> {
            long value = r.getLong(1);
            return r.wasNull() ? null : value;
        }).list();
        return values.isEmpty() ? null : values.get(0);
    }

    /** The first column of the first row as text, or null when there is no row or the value is NULL. */
    static String singleString(Handle h, String sql, String id) {
        List<String> values = h.createQuery(sql).bind("id", id).map((r, ctx) -> r.getString(1)).list();
        return values.isEmpty() ? null : values.get(0);
    }
}
