package io.rotor.workflow;

import io.rotor.vault.VaultException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The ids of the accounts on some targets, in id order, read from the vault's {@code accounts} table one page at a
 * time with keyset pagination ({@code WHERE id > last ORDER BY id}): each page is its own short query, so no
 * connection or cursor stays open between pages and at most one page of ids is in memory. Accounts added or
 * removed while it runs are seen or not depending on where the cursor is, never twice.
 *
 * <p>Not thread-safe: one consumer pulls from it (a streaming split does).
 */
public final class AccountIdCursor implements Iterator<String> {
    private final DataSource dataSource;
    private final List<String> targetIds;
    private final int pageSize;
    private final ArrayDeque<String> page = new ArrayDeque<>();
    private String last;
    private boolean exhausted;
    private int pagesRead;

    public AccountIdCursor(DataSource dataSource, Collection<String> targetIds, int pageSize) {
        if (targetIds == null || targetIds.isEmpty()) {
            throw new IllegalArgumentException("at least one target id is needed");
        }
        if (pageSize < 1) {
            throw new IllegalArgumentException("page size must be positive (got " + pageSize + ")");
        }
        this.dataSource = dataSource;
        this.targetIds = List.copyOf(targetIds);
        this.pageSize = pageSize;
    }

    @Override
    public boolean hasNext() {
        if (page.isEmpty() && !exhausted) {
            readPage();
        }
        return !page.isEmpty();
    }

    @Override
    public String next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return page.removeFirst();
    }

    /** How many pages have been read so far. */
    public int pagesRead() {
        return pagesRead;
    }

    /** How many accounts the targets have now (one COUNT query; does not move the cursor). */
    public long count() {
        String sql = "SELECT COUNT(*) FROM accounts WHERE target_id IN (" + placeholders() + ")";
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < targetIds.size(); i++) {
                s.setString(i + 1, targetIds.get(i));
            }
            try (ResultSet r = s.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        } catch (SQLException e) {
            throw new VaultException("cannot count the accounts of the targets: " + e.getMessage(), e);
        }
    }

    private void readPage() {
        String sql = "SELECT id FROM accounts WHERE target_id IN (" + placeholders() + ")"
                + (last == null ? "" : " AND id > ?") + " ORDER BY id FETCH FIRST ? ROWS ONLY";
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            int i = 1;
            for (String target : targetIds) {
                s.setString(i++, target);
            }
            if (last != null) {
                s.setString(i++, last);
            }
            s.setInt(i, pageSize);
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    page.addLast(r.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new VaultException("cannot read the accounts of the targets: " + e.getMessage(), e);
        }
        pagesRead++;
        if (page.size() < pageSize) {
            exhausted = true;
        }
        if (!page.isEmpty()) {
            last = page.peekLast();
        }
    }

    private String placeholders() {
        return String.join(",", java.util.Collections.nCopies(targetIds.size(), "?"));
    }
}
