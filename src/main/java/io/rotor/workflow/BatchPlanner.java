package io.rotor.workflow;

import io.rotor.vault.JobRepository;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Splits the accounts of a bulk workflow into batches of {@code batch-size} (the seed's flag: default 256,
 * minimum 32; Rotor also refuses more than 10,000), lazily: a batch is pulled from the source only when the
 * previous one has been handed out, so a reset of 100,000 accounts holds one batch of ids in memory, not all.
 *
 * <p>In a route, the iterator is the body of a streaming split:
 * <pre>
 *   - bean: {ref: batchPlanner, method: "accountBatches(${header.targetIds}, ${header.batchSize})"}
 *   - split: {simple: "${body}", streaming: true, parallelProcessing: true, ...}
 * </pre>
 */
public final class BatchPlanner {
    public static final int DEFAULT_BATCH_SIZE = 256;
    public static final int MIN_BATCH_SIZE = 32;
    public static final int MAX_BATCH_SIZE = 10_000;

    private final JobRepository jobs;

    /** @param jobs the vault's job repository, for {@link #accountBatches}; may be null when only {@link #batches} is used */
    public BatchPlanner(JobRepository jobs) {
        this.jobs = jobs;
    }

    /**
     * The batch size to use: {@value #DEFAULT_BATCH_SIZE} when none is given.
     *
     * @throws IllegalArgumentException "batch-size must be at least 32 (got 31)", or "at most 10000"
     */
    public static int batchSize(Integer requested) {
        if (requested == null) {
            return DEFAULT_BATCH_SIZE;
        }
        if (requested < MIN_BATCH_SIZE) {
            throw new IllegalArgumentException("batch-size must be at least " + MIN_BATCH_SIZE + " (got " + requested + ")");
        }
        if (requested > MAX_BATCH_SIZE) {
            throw new IllegalArgumentException("batch-size must be at most " + MAX_BATCH_SIZE + " (got " + requested + ")");
        }
        return requested;
    }

    /**
     * Groups {@code source} into lists of {@code batchSize} (the last may be shorter), pulling from {@code source}
     * only as batches are asked for.
     */
    public static <T> Iterator<List<T>> batches(Iterator<T> source, Integer batchSize) {
        int size = batchSize(batchSize);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return source.hasNext();
            }

            @Override
            public List<T> next() {
                if (!source.hasNext()) {
                    throw new NoSuchElementException();
                }
                List<T> batch = new ArrayList<>(size);
                while (batch.size() < size && source.hasNext()) {
                    batch.add(source.next());
                }
                return batch;
            }
        };
    }

    /**
     * Batches of the ids of every account on {@code targetIds}, in id order, read page by page from the vault
     * ({@link AccountIdCursor}, one page per batch).
     */
    public Iterator<List<String>> accountBatches(Collection<String> targetIds, Integer batchSize) {
        int size = batchSize(batchSize);
        return batches(new AccountIdCursor(requireVault(), targetIds, size), size);
    }

    /**
     * As {@link #accountBatches(Collection, Integer)}, but the ids in {@code heldBack} are left out of the stream and
     * {@code last} follows it, each list as a batch of its own (the targets' own accounts, rotated after all others).
     */
    public Iterator<List<String>> accountBatches(Collection<String> targetIds, Integer batchSize,
                                                 java.util.Set<String> heldBack, List<List<String>> last) {
        int size = batchSize(batchSize);
        Iterator<String> ids = new AccountIdCursor(requireVault(), targetIds, size);
        Iterator<String> others = new Iterator<>() {
            private String next;

            @Override
            public boolean hasNext() {
                while (next == null && ids.hasNext()) {
                    String id = ids.next();
                    if (!heldBack.contains(id)) {
                        next = id;
                    }
                }
                return next != null;
            }

            @Override
            public String next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                String id = next;
                next = null;
                return id;
            }
        };
        Iterator<List<String>> first = batches(others, size);
        Iterator<List<String>> tail = List.copyOf(last).iterator();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return first.hasNext() || tail.hasNext();
            }

            @Override
            public List<String> next() {
                return first.hasNext() ? first.next() : tail.next();
            }
        };
    }

    /** How many accounts {@link #accountBatches} will hand out (for the job's total). */
    public long countAccounts(Collection<String> targetIds) {
        return new AccountIdCursor(requireVault(), targetIds, DEFAULT_BATCH_SIZE).count();
    }

    private JobRepository requireVault() {
        if (jobs == null) {
            throw new IllegalStateException("this BatchPlanner has no vault");
        }
        return jobs;
    }
}
