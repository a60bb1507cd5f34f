package io.rotor.camel;

import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;

/** The query parameters of a {@code rotor:} endpoint. */
@UriParams
public class RotorConfiguration implements Cloneable {
    @UriParam(description = "The account id for rotate, verify, reconcile, checkin and checkout; else the header accountId")
    private String account;
    @UriParam(description = "The workflow for rotor:workflow: mass-password-reset, mass-onboard or single-user-offboard")
    private String name;
    @UriParam(description = "rotor:workflow: plan only, touch nothing (as the REST API's dryRun)")
    @Metadata(defaultValue = "false")
    private boolean dryRun;
    @UriParam(description = "rotor:workflow: write the job's SQLite report when it ends")
    @Metadata(defaultValue = "false")
    private boolean report;

    public String getAccount() {
        return account;
    }

    public void setAccount(String account) {
        this.account = account;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public boolean isDryRun() {
        return dryRun;
    }

    public void setDryRun(boolean dryRun) {
        this.dryRun = dryRun;
    }

    public boolean isReport() {
        return report;
    }

    public void setReport(boolean report) {
        this.report = report;
    }

    public RotorConfiguration copy() {
        try {
            return (RotorConfiguration) clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }
}
