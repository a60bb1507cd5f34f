#!/usr/bin/env python3
"""Prints SaslPrepTables.java: the RFC 3454 tables that SASLprep (RFC 4013) needs and Java lacks.

Java's Character data follows a newer Unicode than the 3.2 that stringprep is defined on, so "unassigned"
(table A.1) and the bidi classes (tables D.1, D.2) come from Python's stringprep module, which is built
on unicodedata.ucd_3_2_0. Run: python3 scripts/gen-saslprep-tables.py > \
  src/main/java/io/rotor/connector/jdbc/SaslPrepTables.java
"""
import stringprep


def ranges(pred):
    out, start = [], None
    for cp in range(0x110000):
        hit = pred(chr(cp))
        if hit and start is None:
            start = cp
        elif not hit and start is not None:
            out.append((start, cp - 1))
            start = None
    if start is not None:
        out.append((start, 0x10FFFF))
    return out


def emit(name, doc, rs):
    print(f"    /** {doc} ({len(rs)} inclusive ranges, first/last pairs). */")
    print(f"    static final int[] {name} = {{")
    line = "       "
    for lo, hi in rs:
        item = f" 0x{lo:04X}, 0x{hi:04X},"
        if len(line) + len(item) > 110:
            print(line)
            line = "       "
        line += item
    print(line)
    print("    };")
    print()


print("package io.rotor.connector.jdbc;")
print()
print("/**")
print(" * RFC 3454 tables for {@link SaslPrep}, generated from Unicode 3.2 by scripts/gen-saslprep-tables.py.")
print(" * Do not edit by hand.")
print(" */")
print("final class SaslPrepTables {")
print("    private SaslPrepTables() {")
print("    }")
print()
emit("UNASSIGNED_A1", "A.1 Unassigned code points in Unicode 3.2", ranges(stringprep.in_table_a1))
emit("RANDALCAT_D1", "D.1 Characters with bidirectional property R or AL", ranges(stringprep.in_table_d1))
emit("LCAT_D2", "D.2 Characters with bidirectional property L", ranges(stringprep.in_table_d2))
print("}")
