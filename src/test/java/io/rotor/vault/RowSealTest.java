package io.rotor.vault;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** The row MAC: its key comes from the master key only, and no two different rows share a canonical form. */
class RowSealTest {
    @TempDir
    Path dir;

    private RowSeal seal(String name) {
        return RowSeal.of(MasterKey.load(null, dir.resolve(name)));
    }

    @Test
    void theSameRowUnderTheSameMasterKeyHasTheSameMacAndAnotherKeyGivesAnother() {
        RowSeal one = seal("a.key");
        RowSeal again = RowSeal.of(MasterKey.load(null, dir.resolve("a.key")));
        RowSeal other = seal("b.key");

        String mac = one.mac("targets", "db1", "postgresql", "db.example", "5432");

        assertThat(mac).matches("[0-9a-f]{64}");
        assertThat(again.mac("targets", "db1", "postgresql", "db.example", "5432")).isEqualTo(mac);
        assertThat(other.mac("targets", "db1", "postgresql", "db.example", "5432")).isNotEqualTo(mac);
        assertThat(one.matches(mac, "targets", "db1", "postgresql", "db.example", "5432")).isTrue();
        assertThat(other.matches(mac, "targets", "db1", "postgresql", "db.example", "5432")).isFalse();
    }

    @Test
    void everyChangeOfAFieldItsPlaceNullnessOrTableChangesTheMac() {
        RowSeal seal = seal("c.key");
        String mac = seal.mac("targets", "a", "bc", null);
        assertThat(seal.matches(mac, "targets", "a", "bc", null)).isTrue();
        for (String[] variant : new String[][]{{"a", "bc", ""}, {"ab", "c", null}, {"a", "bc"}, {"a", "bc", null, null},
                {"a", "bd", null}, {null, "bc", null}, {"", "bc", null}}) {
            assertThat(seal.matches(mac, "targets", variant)).as(Arrays.toString(variant)).isFalse();
        }
        assertThat(seal.matches(mac, "api_tokens", "a", "bc", null)).as("the table is part of the MAC").isFalse();
        assertThat(seal.matches(null, "targets", "a", "bc", null)).isFalse();
        assertThat(seal.matches("not-hex", "targets", "a", "bc", null)).isFalse();
        assertThat(seal.matches(mac.toUpperCase(), "targets", "a", "bc", null)).isFalse();
    }

    @Test
    void theCanonicalFormSeparatesFieldBoundaries() {
        assertThat(RowSeal.canonical("t", "ab", "c")).isNotEqualTo(RowSeal.canonical("t", "a", "bc"));
        assertThat(RowSeal.canonical("t", (String) null)).isNotEqualTo(RowSeal.canonical("t", ""));
        assertThat(RowSeal.canonical("t", "é")).isNotEqualTo(RowSeal.canonical("t", "e"));
        assertThat(seal("d.key").toString()).doesNotContainPattern("[0-9a-f]{16}");
    }
}
