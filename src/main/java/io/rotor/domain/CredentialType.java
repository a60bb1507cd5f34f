package io.rotor.domain;

public enum CredentialType { PASSWORD, SSH_KEY, PIN, API_KEY }
