package io.rotor.workflow;

import io.rotor.vault.JobRepository;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The ids of the accounts on some targets, in id order, read from the vault one page at a time with keyset
 * pagination ({@link JobRepository#accountIdsOnTargets}: the ids after the last one seen): each page is its own
 * short query, so no connection or cursor stays open between pages and at most one page of ids is in memory.
 * Accounts added or removed while it runs are seen or not depending on where the cursor is, never twice.
 *
 * <p>Not thread-safe: one consumer pulls from it (a streaming split does).
 */
public final class AccountIdCursor implements Iterator<String> {
    private final JobRepository jobs;
    private final List<String> targetIds;
    private final int pageSize;
    private final ArrayDeque<String> page = new ArrayDeque<>();
    private String last;
    private boolean exhausted;
    private int pagesRead;

    public AccountIdCursor(JobRepository jobs, Collection<String> targetIds, int pageSize) {
        if (targetIds == null || targetIds.isEmpty()) {
            throw new IllegalArgumentException("at least one target id is needed");
        }
        if (pageSize < 1) {
            throw new IllegalArgumentException("page size must be positive (got " + pageSize + ")");
        }
        this.jobs = jobs;
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
        return jobs.countAccountsOnTargets(targetIds);
    }

    private void readPage() {
        page.addAll(jobs.accountIdsOnTargets(targetIds, last, pageSize));
        pagesRead++;
        if (page.size() < pageSize) {
            exhausted = true;
        }
        if (!page.isEmpty()) {
            last = page.peekLast();
        }
    }
}
