package io.rotor.domain;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class VisibleTextTest {

    @Test
    void rendersControlCharactersAsVisibleEscapes() {
        assertThat(VisibleText.clean("a\u001b[2J\u001b]0;owned\u0007b", 100)).isEqualTo("a\\x1b[2J\\x1b]0;owned\\x07b");
        assertThat(VisibleText.clean("line1\r\nline2\tend\u0000\u007f\u009b", 100))
                .isEqualTo("line1\\r\\nline2\\tend\\x00\\x7f\\x9b");
        // bidirectional overrides and line separators would reorder or split what an auditor reads
        assertThat(VisibleText.clean("x\u202eabc\u2066\u2028y", 100)).isEqualTo("x\\u202eabc\\u2066\\u2028y");
    }

    @Test
    void leavesPrintableTextAsItIs() {
        String text = "CN=Doe\\, John,OU=Staff é 日本 \uD83D\uDE00 'quoted' \"double\"";
        assertThat(VisibleText.clean(text, 200)).isEqualTo(text);
        assertThat(VisibleText.clean(null, 100)).isNull();
    }

    @Test
    void cutsToTheMaximumWithAMarkerAndNeverSplitsAnEscape() {
        String cut = VisibleText.clean("x".repeat(1_000_000), 2000);
        assertThat(cut).hasSize(2000).endsWith(VisibleText.CUT_MARKER);
        String escapes = VisibleText.clean("\u001b".repeat(1000), 100);
        assertThat(escapes.length()).isLessThanOrEqualTo(100);
        assertThat(escapes).endsWith(VisibleText.CUT_MARKER)
                .matches("(\\\\x1b)+" + java.util.regex.Pattern.quote(VisibleText.CUT_MARKER));
        // a text that fits whole is not cut, even when it fills the maximum exactly
        assertThat(VisibleText.clean("y".repeat(100), 100)).isEqualTo("y".repeat(100));
        // a lone surrogate is escaped, a pair kept whole
        assertThat(VisibleText.clean("\uD83D", 20)).isEqualTo("\\ud83d");
    }
}
