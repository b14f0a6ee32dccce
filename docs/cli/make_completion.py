"""make_completion.py - writes gdsweep's bash completion from docs/cli/gdsweep.bash.in and the binary.

Usage: python3 make_completion.py BINARY TEMPLATE OUT.bash
The template's @TABLES@ line becomes shell functions that answer from the binary's own
--help texts (the commands, each command's flags, what a flag's value is) and --list (the
optimizer, schedule and problem names), so the completion knows the flags of the binary
it was built with. What a value is comes from its name in the help: *.h5 and *.ini are
files, "a|b" lists its choices, OPTIMIZER, SCHEDULE and PROBLEM take names from --list;
anything else (N, K/N, COLUMN) gets no completion.
"""
import shlex
import sys

import helptext

NAME_GROUPS = {"OPTIMIZER": "optimizers", "SCHEDULE": "schedules", "PROBLEM": "problems"}


def value_kind(name, groups):
    """What completes a value named `name` in the help: "file:EXT", "words:W..." or ""."""
    name = name.rstrip(".")
    for ext in ("h5", "ini"):
        if name.endswith("." + ext):
            return "file:" + ext
    if "|" in name:
        return "words:" + " ".join(name.split("|"))
    for word, group in NAME_GROUPS.items():
        if word in name.upper() and group in groups:
            return "words:" + " ".join(n for n, _ in groups[group])
    return ""


def operand_kind(command, groups):
    """What the command's operands are: the kind of the first placeholder of its synopsis."""
    words = command.synopses[0].split()[1 if command.name else 0:]
    first = next((w for w in words if not w.startswith(("-", "["))), "")
    return value_kind(first, groups) or "file:"


def case(function, doc, rows, default=""):
    """A shell function `function KEY` that echoes the row of KEY (rows: [(key, text)])."""
    out = [f"# {function} {doc}", f"{function}() {{", '  case "$*" in']
    out += [f"    {shlex.quote(key)}) echo {shlex.quote(text)} ;;" for key, text in rows]
    out += [f"    *) echo {shlex.quote(default)} ;;", "  esac", "}"]
    return out


def tables(binary):
    commands, groups = helptext.commands(binary), helptext.names(binary)
    flags, values, operands = [], [], []
    for c in commands:
        spelled = [(f"--{f.long}", f) for f in c.flags] + [(f"-{f.short}", f) for f in c.flags if f.short]
        flags.append((c.name, " ".join(s for s, _ in spelled)))
        values += [(f"{c.name} {s}", value_kind(f.value, groups) or "none") for s, f in spelled if f.value]
        operands.append((c.name, operand_kind(c, groups)))
    return ["_gdsweep_commands=" + shlex.quote(" ".join(c.name for c in commands[1:]))] + \
        case("_gdsweep_flags", "COMMAND: its flags (the sweep's for \"\")", flags) + \
        case("_gdsweep_value", "COMMAND FLAG: what FLAG's value is (nothing: FLAG takes none)", values) + \
        case("_gdsweep_operand", "COMMAND: what its operands are", operands, "file:")


def main(binary, template, out):
    lines = []
    for text in open(template, encoding="utf-8").read().splitlines():
        lines += tables(binary) if text == "@TABLES@" else [text]
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
