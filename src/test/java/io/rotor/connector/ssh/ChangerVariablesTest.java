package io.rotor.connector.ssh;

import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Declared variables bound to the server get the target's values; other bindings stay without a value. */
class ChangerVariablesTest {
    @Test
    void serverPropertiesAreBoundAndOthersAreNot() {
        Target target = new Target("edge-1", "ssh", "10.0.0.7", 2222, null, TlsMode.DISABLE, null, null, Map.of());
        PasswordChanger changer = new PasswordChanger("9", PasswordChanger.Type.CHANGE, "vars", PasswordChanger.Transport.SSH, 10,
                List.of(new ChangerVariable("host", null, "server", "address", false, false, true),
                        new ChangerVariable("p", null, "server", "port", false, false, true),
                        new ChangerVariable("n", null, "server", "name", false, false, false),
                        new ChangerVariable("bind", null, "server", "bind_ip", false, true, true),
                        new ChangerVariable("enable_secret", null, "server", "address", true, false, false)),
                List.of(ChangerStep.input("x")), false, false, false, null, null);
        Placeholders values = new Placeholders();
        SshConnector.bindVariables(changer, target, values);
        assertThat(values.substitute("%%host%%:%%p%% %%n%%")).isEqualTo("10.0.0.7:2222 edge-1");
        assertThatThrownBy(() -> values.substitute("%%bind%%")).hasMessageContaining("%%bind%% has no value");
        assertThatThrownBy(() -> values.substitute("%%enable_secret%%")).hasMessageContaining("has no value");
    }
}
