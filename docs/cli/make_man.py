"""make_man.py - writes gdsweep(1) from docs/cli/gdsweep.1.in and the binary's own help texts.

Usage: python3 make_man.py BINARY TEMPLATE OUT.1 KEY=VALUE...
Each template line that is @SYNOPSIS@, @DESCRIPTION@, @OPTIONS@, @COMMANDS@, @NAMES@ or
@EXIT_STATUS@ becomes that part of `BINARY --help`, `BINARY COMMAND --help` for each command
its usage names, and `BINARY --list`; @KEY@ anywhere becomes VALUE (@VERSION@ from
`BINARY --version`, @DATE@ from SOURCE_DATE_EPOCH or today). So the page never says
other than the binary it was built with.
"""
import datetime
import os
import re
import sys

import helptext

FLAG_WORD = re.compile(r"(?<![\w-])(--?[a-z][a-z0-9-]*)")
EXIT = "Exit status:"
HELP_FLAG = "print this help (the --help text) and exit"  # --help says "this text"


def escape(text):
    """Plain text as roff: backslashes and minus signs escaped."""
    return text.replace("\\", "\\e").replace("-", "\\-")


def line(text):
    """A roff text line (a leading dot or quote would be a request)."""
    return "\\&" + text if text[:1] in (".", "'") else text


def marked(text):
    """Text with its flags (--resume, -o) in bold."""
    parts = FLAG_WORD.split(text)
    return "".join(f"\\fB{escape(p)}\\fR" if i % 2 else escape(p) for i, p in enumerate(parts))


def synopsis_words(words):
    """One synopsis after `gdsweep`: flags and literal words bold, placeholders italic."""
    out, depth = [], 0
    for token in re.findall(r"\[|\]|\||\.\.\.|[^\s\[\]|]+(?:\.\.\.)?|\s+", words):
        depth += {"[": 1, "]": -1}.get(token, 0)
        word = token.rstrip(".") if token.endswith("...") and token != "..." else token
        tail = "..." if word != token else ""
        if token.isspace():
            out.append("\\ " if depth else " ")  # an option and its value stay on one line
        elif token in "[]|" or token == "...":
            out.append(token)
        elif word.startswith("-") or word.islower() and word.isalpha():
            out.append(f"\\fB{escape(word)}\\fR{tail}")
        else:
            out.append(f"\\fI{escape(word)}\\fR{tail}")
    return "".join(out)


def synopsis(commands):
    out = []
    for text in commands[0].synopses:
        word, _, rest = text.partition(" ")
        lead = f"gdsweep {word}" if commands and any(c.name == word for c in commands) else "gdsweep"
        args = rest if lead != "gdsweep" else text
        out += [f'.SY "{escape(lead)}"', line(synopsis_words(args)), ".YS"]
    return out


def flag_rows(flags):
    out = []
    for f in flags:
        names = (f"\\fB\\-{f.short}\\fR, " if f.short else "") + f"\\fB\\-\\-{escape(f.long)}\\fR"
        value = f" \\fI{escape(f.value)}\\fR" if f.value else ""
        out += [".TP", names + value, line(marked(HELP_FLAG if f.long == "help" else f.help))]
    return out


def paragraphs(texts):
    out = []
    for text in texts:
        out += [".PP", line(marked(text))]
    return out


def command_section(c):
    """One command's subsection: its synopses, description, flags and notes."""
    out = [".SS " + escape(c.name)]
    for text in c.synopses:
        out += [f'.SY "gdsweep {escape(c.name)}"', line(synopsis_words(text.partition(" ")[2])), ".YS"]
    return out + paragraphs([d[0].upper() + d[1:] for d in c.description]) + flag_rows(c.flags) + \
        paragraphs(c.notes)


def names_section(groups):
    out = []
    for group, types in groups.items():
        out += [".SS " + escape(group)]
        for name, doc in types:
            out += [".TP", f"\\fB{escape(name)}\\fR", line(escape(doc))]
    return out


def parts(binary):
    commands = helptext.commands(binary)
    sweep = commands[0]
    return {
        "SYNOPSIS": synopsis(commands),
        "DESCRIPTION": [line(marked(" ".join(sweep.description)))],
        "OPTIONS": flag_rows(sweep.flags) + paragraphs(n for n in sweep.notes if not n.startswith(EXIT)),
        "COMMANDS": [x for c in commands[1:] for x in command_section(c)],
        "NAMES": names_section(helptext.names(binary)),
        "EXIT_STATUS": [line(marked(n[len(EXIT):].strip())) for n in sweep.notes if n.startswith(EXIT)]
        + ["Each command's own statuses are under COMMANDS."],
    }


def page_date():
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    day = datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc) if epoch else datetime.datetime.now()
    return day.strftime("%Y-%m-%d")


def main(binary, template, out, *settings):
    values = dict(s.split("=", 1) for s in settings)
    values.setdefault("VERSION", helptext.run(binary, "--version").split()[1])
    values.setdefault("DATE", page_date())
    generated = parts(binary)
    lines = []
    for text in open(template, encoding="utf-8").read().splitlines():
        key = text.strip("@")
        if text.startswith("@") and key in generated:
            lines += generated[key]
        else:
            lines.append(re.sub(r"@([A-Z_]+)@", lambda m: values.get(m.group(1), m.group(0)), text))
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(*sys.argv[1:])
