-- Pre-defined requests (issue 15): a workflow's parameters saved under a name by an admin, run by an operator from
-- the console or the API (dry run first). The parameters are the workflow request's JSON body (never a secret:
-- the workflows take no credential). Same H2/PostgreSQL subset as V1. The lead renumbers this file at merge.
CREATE TABLE predefined_requests (
    name            VARCHAR(128)    PRIMARY KEY,
    workflow        VARCHAR(64)     NOT NULL,
    description     VARCHAR(2000)   NOT NULL,
    parameters_json VARCHAR(100000) NOT NULL,
    created_by      VARCHAR(255)    NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    modified_by     VARCHAR(255)    NOT NULL,
    modified_at     TIMESTAMP WITH TIME ZONE NOT NULL
);
