"""helptext.py - reads gdsweep's own --help and --list texts into data for the man page and completion.

The C side prints every command's help from one table of flags (src/commands/flags.c):
"usage: gdsweep ..." lines, a description, one row per flag ("  -o, --output OUT.h5  help",
continuation lines indented), then notes. make_man.py and make_completion.py read those
texts here, at build time, so the page and the completion follow the binary's flags.
"""
import dataclasses
import os
import re
import subprocess

FLAG_ROW = re.compile(r"^  (?:-(\w), )?--([a-z0-9][a-z0-9-]*)(?: (\S+))?(?: {2,}(.*))?$")
LIST_TYPE = re.compile(r"^  ([a-z][a-z0-9_]*) - (.*)$")
CONTINUATION = 20  # a flag's help goes on in lines indented at least this far


@dataclasses.dataclass
class Flag:
    long: str
    short: str = ""
    value: str = ""  # the value's name in the help ("OUT.h5", "min|max"), "" for a switch
    help: str = ""


@dataclasses.dataclass
class Command:
    name: str  # "" for the sweep
    synopses: list  # each without the leading "gdsweep "
    description: list  # paragraphs before the flags
    flags: list
    notes: list  # paragraphs after the flags


def run(binary, *args):
    """The standard output of `binary args...`, which must exit 0."""
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0", LC_ALL="C")
    return subprocess.run([binary, *args], check=True, stdout=subprocess.PIPE, env=env,
                          text=True).stdout


def paragraphs(lines):
    """Lines grouped into paragraphs, each joined by spaces: a paragraph ends at a blank line
    and at a line that ends a sentence ("Options take ... ends the options." then "Exit
    status: ...")."""
    out, current = [], []
    for line in lines + [""]:
        if line.strip():
            current.append(line.strip())
        if current and (not line.strip() or line.rstrip().endswith(".")):
            out.append(" ".join(current))
            current = []
    return out


def split_usage(lines):
    """The synopses at the top of a help text, and the lines after them."""
    if not lines or not lines[0].startswith("usage: gdsweep"):
        raise ValueError(f"a help text starts with 'usage: gdsweep', not {lines[:1]}")
    synopses = [lines[0][len("usage: gdsweep"):].strip()]
    i = 1
    for i in range(1, len(lines) + 1):
        text = lines[i].strip() if i < len(lines) else ""
        if text.startswith("gdsweep "):
            synopses.append(text[len("gdsweep "):])
        elif text.startswith("[") and lines[i].startswith(" " * 8):
            synopses[-1] += " " + text
        else:
            break
    return synopses, lines[i:]


def parse_help(name, text):
    """One command's --help text as a Command."""
    synopses, rest = split_usage(text.splitlines())
    before, after, flags = [], [], []
    for line in rest:
        row = FLAG_ROW.match(line)
        if row:
            short, long, value, help_text = row.groups()
            flags.append(Flag(long, short or "", value or "", help_text or ""))
        elif flags and line.startswith(" " * CONTINUATION) and not after:
            flags[-1].help += " " + line.strip()
        else:
            (after if flags else before).append(line)
    return Command(name, synopses, paragraphs(before), flags, paragraphs(after))


def commands(binary):
    """Every command of binary: the sweep first, then each word its usage names."""
    sweep = parse_help("", run(binary, "--help"))
    words = [s.split()[0] for s in sweep.synopses[1:] if not s.startswith("-")]
    return [sweep] + [parse_help(w, run(binary, w, "--help")) for w in words]


def names(binary):
    """--list's types by group ("optimizers", "schedules", "problems"): [(name, doc)]."""
    groups, group, previous = {}, None, ""
    for line in run(binary, "--list").splitlines():
        if line and not line.startswith(" ") and not previous:
            group = line.split()[0]  # a group's heading follows a blank line
        elif group and LIST_TYPE.match(line):
            groups.setdefault(group, []).append(LIST_TYPE.match(line).groups())
        previous = line
    return groups
