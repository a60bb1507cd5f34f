package io.rotor.workflow;

import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.vault.MasterKey;
import io.rotor.vault.Vault;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BatchPlannerTest {
    @TempDir
    Path dataDir;

    // ---------------------------------------------------------------- batch size

    @Test
    void batchSizeDefaultsTo256() {
        assertThat(BatchPlanner.batchSize(null)).isEqualTo(256);
    }

    @Test
    void batchSizeBelowTheSeedsMinimumIsRefusedWithTheSeedsWords() {
        assertThatThrownBy(() -> BatchPlanner.batchSize(31)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("batch-size must be at least 32 (got 31)");
        assertThatThrownBy(() -> BatchPlanner.batchSize(0)).hasMessage("batch-size must be at least 32 (got 0)");
        assertThatThrownBy(() -> BatchPlanner.batchSize(-5)).hasMessage("batch-size must be at least 32 (got -5)");
    }

    @Test
    void batchSizeAboveTenThousandIsRefused() {
        assertThatThrownBy(() -> BatchPlanner.batchSize(10_001)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("batch-size must be at most 10000 (got 10001)");
    }

    @Test
    void theLimitsThemselvesAreAccepted() {
        assertThat(BatchPlanner.batchSize(32)).isEqualTo(32);
        assertThat(BatchPlanner.batchSize(10_000)).isEqualTo(10_000);
    }

    @Test
    void aBadSizeIsRefusedBeforeAnythingIsRead() {
        CountingIterator source = new CountingIterator(1000);
        assertThatThrownBy(() -> BatchPlanner.batches(source, 31)).isInstanceOf(IllegalArgumentException.class);
        assertThat(source.pulled.get()).isZero();
    }

    // ---------------------------------------------------------------- lazy batching

    /** Hands out "id-0", "id-1"... and counts how many were pulled. */
    static final class CountingIterator implements Iterator<String> {
        final AtomicInteger pulled = new AtomicInteger();
        private final int size;

        CountingIterator(int size) {
            this.size = size;
        }

        @Override
        public boolean hasNext() {
            return pulled.get() < size;
        }

        @Override
        public String next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            return "id-" + pulled.getAndIncrement();
        }
    }

    @Test
    void batchesAreCutLazilyFromTheSource() {
        CountingIterator source = new CountingIterator(100_000);

        Iterator<List<String>> batches = BatchPlanner.batches(source, 256);
        assertThat(source.pulled.get()).as("nothing is read before the first batch is asked for").isZero();

        List<String> first = batches.next();
        assertThat(first).hasSize(256).startsWith("id-0").endsWith("id-255");
        assertThat(source.pulled.get()).as("ids pulled when the first batch was handed out").isEqualTo(256);

        batches.next();
        assertThat(source.pulled.get()).isEqualTo(512);
    }

    @Test
    void everyIdIsHandedOutOnceAndTheLastBatchIsShorter() {
        CountingIterator source = new CountingIterator(1000);
        List<List<String>> all = new ArrayList<>();
        BatchPlanner.batches(source, 300).forEachRemaining(all::add);

        assertThat(all).extracting(List::size).containsExactly(300, 300, 300, 100);
        assertThat(all.stream().flatMap(List::stream)).hasSize(1000).doesNotHaveDuplicates();
        Iterator<List<String>> empty = BatchPlanner.batches(new CountingIterator(0), null);
        assertThat(empty.hasNext()).isFalse();
        assertThatThrownBy(empty::next).isInstanceOf(NoSuchElementException.class);
    }

    // ---------------------------------------------------------------- keyset cursor over the vault

    @Test
    void keysetCursorWalksTenThousandAccountsOfTheChosenTargetsInIdOrderOnePageAtATime() throws Exception {
        try (Vault vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 4)) {
            for (String t : List.of("pg1", "pg2", "other")) {
                vault.targets().upsertTarget(new Target(t, "postgresql", "127.0.0.1", 5432, "postgres", TlsMode.DISABLE,
                        null, null, Map.of()));
            }
            // 10,000 on pg1 and pg2 (interleaved ids), 500 on a target that is not asked for
            insertAccounts(vault.dataSource(), IntStream.range(0, 10_000).mapToObj(i -> String.format("acct-%05d", i)).toList(),
                    i -> i % 2 == 0 ? "pg1" : "pg2");
            insertAccounts(vault.dataSource(), IntStream.range(0, 500).mapToObj(i -> String.format("acct-%05dx", i)).toList(),
                    i -> "other");

            AccountIdCursor cursor = new AccountIdCursor(vault.jobs(), List.of("pg1", "pg2"), 256);
            assertThat(cursor.count()).isEqualTo(10_000);
            assertThat(cursor.pagesRead()).isZero();
            assertThat(cursor.next()).isEqualTo("acct-00000");
            assertThat(cursor.pagesRead()).isEqualTo(1);

            List<String> ids = new ArrayList<>();
            ids.add("acct-00000");
            cursor.forEachRemaining(ids::add);

            assertThat(ids).hasSize(10_000).isSorted().doesNotHaveDuplicates();
            assertThat(ids).allMatch(id -> !id.endsWith("x"));
            assertThat(cursor.pagesRead()).as("ceil(10000 / 256) pages").isEqualTo(40);

            BatchPlanner planner = new BatchPlanner(vault.jobs());
            assertThat(planner.countAccounts(List.of("pg1"))).isEqualTo(5000);
            Iterator<List<String>> batches = planner.accountBatches(List.of("pg1", "pg2", "other"), 1000);
            Set<String> seen = new HashSet<>();
            int count = 0;
            while (batches.hasNext()) {
                List<String> batch = batches.next();
                assertThat(batch.size()).isLessThanOrEqualTo(1000);
                seen.addAll(batch);
                count += batch.size();
            }
            assertThat(count).isEqualTo(10_500);
            assertThat(seen).hasSize(10_500);
            assertThat(new AccountIdCursor(vault.jobs(), List.of("no-such-target"), 32).hasNext()).isFalse();
        }
    }

    @Test
    void heldBackAccountsLeaveTheStreamAndComeLastInBatchesOfTheirOwn() throws Exception {
        try (Vault vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 4)) {
            vault.targets().upsertTarget(new Target("pg1", "postgresql", "127.0.0.1", 5432, "postgres", TlsMode.DISABLE,
                    null, null, Map.of()));
            insertAccounts(vault.dataSource(), IntStream.range(0, 70).mapToObj(i -> String.format("acct-%03d", i)).toList(),
                    i -> "pg1");
            insertAccounts(vault.dataSource(), List.of("a-admin", "a-login"), i -> "pg1");

            Iterator<List<String>> batches = new BatchPlanner(vault.jobs()).accountBatches(List.of("pg1"), 32,
                    Set.of("a-admin", "a-login"), List.of(List.of("a-login"), List.of("a-admin")));
            List<List<String>> all = new ArrayList<>();
            batches.forEachRemaining(all::add);

            // 70 others in batches of 32, 32 and 6 (no held-back id among them), then the login, then the admin
            assertThat(all).extracting(List::size).containsExactly(32, 32, 6, 1, 1);
            assertThat(all.subList(0, 3)).allSatisfy(b -> assertThat(b).allMatch(id -> id.startsWith("acct-")));
            assertThat(all.get(3)).containsExactly("a-login");
            assertThat(all.get(4)).containsExactly("a-admin");
        }
    }

    @Test
    void aCursorNeedsTargets() {
        assertThatThrownBy(() -> new AccountIdCursor(null, List.of(), 32)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BatchPlanner(null).accountBatches(List.of("t"), 32)).isInstanceOf(IllegalStateException.class);
    }

    static void insertAccounts(DataSource dataSource, List<String> ids, java.util.function.IntFunction<String> targetOf)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement s = c.prepareStatement("INSERT INTO accounts (id, target_id, username, credential_type,"
                    + " status, version, updated_at) VALUES (?,?,?,'PASSWORD','UNVERIFIED',0,?)")) {
                for (int i = 0; i < ids.size(); i++) {
                    s.setString(1, ids.get(i));
                    s.setString(2, targetOf.apply(i));
                    s.setString(3, "user_" + ids.get(i));
                    s.setTimestamp(4, Timestamp.from(Instant.now()));
                    s.addBatch();
                }
                s.executeBatch();
            }
            c.commit();
        }
    }
}
