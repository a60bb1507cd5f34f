package io.rotor.connector.ldap;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Filter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** RFC 4514 DN escaping and RFC 4515 filter escaping of hostile values. */
class LdapNamesTest {
    private static final DN BASE = LdapNames.parseDn("ou=people,dc=rotor,dc=test", "base");

    @Test
    void filterMetacharactersInALoginNameAreEscaped() {
        Filter f = LdapNames.equality("uid", "*)(uid=*");
        assertThat(f.toString()).isEqualTo("(uid=\\2a\\29\\28uid=\\2a)");
        assertThat(f.getFilterType()).isEqualTo(Filter.FILTER_TYPE_EQUALITY);
        assertThat(f.getAssertionValue()).isEqualTo("*)(uid=*");
    }

    @Test
    void nulAndBackslashInAFilterAreEscaped() {
        assertThat(LdapNames.equality("uid", "a\\b\u0000c").toString()).isEqualTo("(uid=a\\5cb\\00c)");
    }

    @Test
    void discoverySelectionTreatsOnlyStarAsWildcard() {
        Filter f = LdapNames.selection("uid", "rotor_*)(|(uid=*");
        assertThat(f.getFilterType()).isEqualTo(Filter.FILTER_TYPE_SUBSTRING);
        assertThat(f.getSubInitialString()).isEqualTo("rotor_");
        assertThat(f.getSubAnyStrings()).containsExactly(")(|(uid=");
        assertThat(f.getSubFinalString()).isNull();
        assertThat(f.toString()).isEqualTo("(uid=rotor_*\\29\\28|\\28uid=*)");
        assertThat(LdapNames.selection("uid", null).toString()).isEqualTo("(uid=*)");
        assertThat(LdapNames.selection("uid", "exact").toString()).isEqualTo("(uid=exact)");
    }

    @Test
    void aLoginNameThatLooksLikeADnStaysOneRdnValue() {
        DN dn = LdapNames.childDn("uid", "cn=x,dc=evil", BASE);
        assertThat(dn.toString()).isEqualTo("uid=cn=x\\,dc=evil,ou=people,dc=rotor,dc=test");
        assertThat(dn.getParent()).isEqualTo(BASE);
        assertThat(dn.getRDN().getAttributeValues()).containsExactly("cn=x,dc=evil");
    }

    @Test
    void plusCommaBackslashAndQuotesAreEscapedInAnRdn() {
        DN dn = LdapNames.childDn("uid", "a+b,c\\d\"e<f>;#g ", BASE);
        assertThat(dn.getRDN().getAttributeValues()).containsExactly("a+b,c\\d\"e<f>;#g ");
        assertThat(dn.getRDN().isMultiValued()).isFalse();
        assertThat(dn.getParent()).isEqualTo(BASE);
        assertThat(dn.toString()).startsWith("uid=a\\+b\\,c\\\\d\\\"e\\<f\\>\\;#g\\ ,");
    }

    @Test
    void aDnUsernameMustLieUnderTheBase() {
        assertThat(LdapNames.userDn("uid=alice,ou=people,dc=rotor,dc=test", BASE).toString())
                .isEqualTo("uid=alice,ou=people,dc=rotor,dc=test");
        assertThatThrownBy(() -> LdapNames.userDn("cn=x,dc=evil", BASE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not under");
        assertThatThrownBy(() -> LdapNames.userDn("ou=people,dc=rotor,dc=test", BASE))
                .hasMessageContaining("not under");
        assertThatThrownBy(() -> LdapNames.userDn("uid=a,,dc=x", BASE))
                .hasMessageContaining("not a valid DN").hasMessageNotContaining("uid=a");
        assertThat(LdapNames.userDn("cn=x,dc=evil", null).toString()).isEqualTo("cn=x,dc=evil");
    }

    @Test
    void attributeNamesAndConfiguredFiltersAreChecked() {
        assertThatThrownBy(() -> LdapNames.equality("uid)(x", "v")).hasMessageContaining("attribute");
        assertThatThrownBy(() -> LdapNames.configuredFilter("(uid=*", null)).hasMessageContaining("userFilter");
        assertThat(LdapNames.configuredFilter(null, "(objectClass=person)").toString()).isEqualTo("(objectClass=person)");
    }
}
