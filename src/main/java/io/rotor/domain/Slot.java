package io.rotor.domain;

/** The three credential versions the vault keeps per account (docs/architecture.md, "The rotation protocol"). */
public enum Slot { CURRENT, PENDING, PREVIOUS }
