package io.rotor.domain;

/** The three credential versions the vault keeps per account (see DESIGN.md, rotation protocol). */
public enum Slot { CURRENT, PENDING, PREVIOUS }
