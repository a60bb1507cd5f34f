package io.rotor.api.passwords;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The contract check itself: SailPoint's own examples pass, a drift from their shape fails. */
class SailPointContractTest {
    private static SailPointContract contract;

    @BeforeAll
    static void load() throws Exception {
        contract = SailPointContract.load();
    }

    @Test
    void shapesOfTheSpecPassAndDriftsFail() {
        assertThat(contract.requestProblems("/set-password", "POST", """
                {"identityId": "i", "encryptedPassword": "e", "publicKeyId": "k", "accountId": "a", "sourceId": "s"}""")).isEmpty();
        assertThat(contract.responseProblems("/set-password", "POST", 202, "{\"requestId\": \"r\", \"state\": \"IN_PROGRESS\"}")).isEmpty();
        assertThat(contract.responseProblems("/set-password", "POST", 202, "{\"requestId\": \"r\", \"state\": \"RUNNING\"}"))
                .as("a state SailPoint does not define").isNotEmpty();
        assertThat(contract.responseProblems("/password-change-status/{id}", "GET", 200,
                "{\"requestId\": \"r\", \"state\": \"FAILED\", \"errors\": \"one string\"}")).as("errors must be an array").isNotEmpty();
        assertThat(contract.responseProblems("/query-password-info", "POST", 200,
                "{\"identityId\": \"i\", \"accounts\": [{\"accountId\": 7}]}")).as("accountId must be a string").isNotEmpty();
        assertThat(contract.responseProblems("/set-password", "POST", 400, ErrorResponses.of(400, "bad").toString())).isEmpty();
        assertThat(contract.responseProblems("/set-password", "POST", 403, ErrorResponses.of(403, "no").toString())).isEmpty();
        assertThat(contract.responseProblems("/set-password", "POST", 429, ErrorResponses.of(429, "wait").toString())).isEmpty();
        assertThat(contract.responseProblems("/set-password", "POST", 400,
                "{\"detailCode\": \"x\", \"messages\": [{\"localeOrigin\": \"SOMEWHERE\"}]}")).isNotEmpty();
    }
}
