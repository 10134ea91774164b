"""Rules to and from Sieve (RFC 5228), the subset other webmails write for the same features.

Export writes one ``if`` per rule, preceded by ``# rule:[name]`` as Roundcube does, with the
extensions fileinto, copy (RFC 3894), imap4flags (RFC 5232) and body (RFC 5173). A disabled
rule becomes ``if allof (false, …)``, which no server runs. Import reads the same subset
and says, line by line in plain words, what it cannot take.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from mail.imap.types import InvalidRequest, check_folder
from mail.pipeline import rules

_HEADERS = {"from": "from", "subject": "subject", "list_id": "list-id"}
_TO_CC = ["to", "cc"]
_MATCH_TAGS = {"contains": ":contains", "is": ":is", "matches": ":matches"}
_ATTACHMENT = ('"content-type"', '"multipart/mixed"')
_FLAG_ACTIONS = {"mark_read": rules.SEEN, "flag": rules.FLAGGED}


class SieveError(ValueError):
    """The script cannot be imported; the message says where and why, in French."""


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- export ---------------------------------------------------------------------------------


def _test(condition: dict) -> str:
    name, op, value = condition["field"], condition["op"], condition.get("value", "")
    if name == "size":
        return f"size :{op} {int(value)}K"
    if name == "attachment":
        test = f"header :contains {_ATTACHMENT[0]} {_ATTACHMENT[1]}"
        return test if op == "present" else f"not {test}"
    tag = _MATCH_TAGS.get(op, ":contains")
    if name == "body":
        test = f"body :text {tag} {_quote(value)}"
    else:
        headers = ", ".join(_quote(h) for h in _TO_CC) if name == "to_cc" else None
        where = f"[{headers}]" if headers else _quote(_HEADERS[name])
        test = f"header {tag} {where} {_quote(value)}"
    return f"not {test}" if op == "not_contains" else test


def _commands(actions: list[dict], stop: bool) -> list[str]:
    # imap4flags: flags set before fileinto are stored with the message, so they come first.
    ordered = sorted(actions, key=lambda a: 0 if a["type"] in (*_FLAG_ACTIONS, "label") else 1)
    lines = []
    for action in ordered:
        kind, value = action["type"], action.get("value", "")
        if kind in _FLAG_ACTIONS:
            lines.append(f"addflag {_quote(_FLAG_ACTIONS[kind])};")
        elif kind == "label":
            lines.append(f"addflag {_quote(value)};")
        elif kind == "move":
            lines.append(f"fileinto {_quote(value)};")
        elif kind == "copy":
            lines.append(f"fileinto :copy {_quote(value)};")
        elif kind == "forward":
            lines.append(f"redirect :copy {_quote(value)};")
        elif kind == "redirect":
            lines.append(f"redirect {_quote(value)};")
    if stop:
        lines.append("stop;")
    return lines


def export_rules(rule_rows, *, title: str = "") -> str:
    out = [f"# {title}"] if title else []
    out.append('require ["fileinto", "copy", "imap4flags", "body"];')
    for rule in rule_rows:
        tests = [_test(c) for c in rule.conditions]
        if not tests:
            test = "true"
        elif len(tests) == 1:
            test = tests[0]
        else:
            test = f"{'anyof' if rule.match == 'any' else 'allof'} ({', '.join(tests)})"
        if not rule.enabled:
            test = "false" if test == "true" else f"allof (false, {test})"
        out += ["", f"# rule:[{rule.name}]", f"if {test}", "{"]
        out += [f"    {line}" for line in _commands(rule.actions, rule.stop)]
        out.append("}")
    return "\n".join(out) + "\n"


# --- import: tokens, then a tree, then rules ------------------------------------------------

_TOKEN = re.compile(
    r"""(?P<comment>\#[^\n]*|/\*.*?\*/)
      |(?P<multiline>text:[ \t]*(?:\#[^\n]*)?\r?\n(?P<body>.*?)^\.\r?$)
      |(?P<string>"(?:[^"\\]|\\.)*")
      |(?P<number>[0-9]+[KMGkmg]?)
      |(?P<tag>:[A-Za-z_][A-Za-z0-9_]*)
      |(?P<word>[A-Za-z_][A-Za-z0-9_]*)
      |(?P<punct>[;,(){}\[\]])
      |(?P<space>\s+)""",
    re.VERBOSE | re.DOTALL | re.MULTILINE,
)


@dataclass
class _Token:
    kind: str
    value: object
    line: int


@dataclass
class _Node:
    """A command or a test: its name, its arguments, its tests and its block."""

    name: str
    line: int
    args: list = field(default_factory=list)  # strings, lists of strings, numbers, tags
    tests: list = field(default_factory=list)
    block: list | None = None
    comment: str = ""  # the ``# rule:[…]`` just before it


def _fail(line: int, problem: str):
    raise SieveError(_("Line %(line)d: %(problem)s") % {"line": line, "problem": problem})


def _tokens(source: str) -> list[_Token]:
    tokens, position, line = [], 0, 1
    while position < len(source):
        found = _TOKEN.match(source, position)
        if not found:
            _fail(line, _("this text is not understood."))
        kind = found.lastgroup if found.lastgroup != "body" else "multiline"
        text = found.group()
        if kind == "comment":
            tokens.append(_Token("comment", text, line))
        elif kind == "multiline":
            body = found.group("body").replace("\n..", "\n.")
            tokens.append(_Token("string", body, line))
        elif kind == "string":
            tokens.append(_Token("string", re.sub(r"\\(.)", r"\1", text[1:-1]), line))
        elif kind == "number":
            unit = {"k": 1024, "m": 1024**2, "g": 1024**3}.get(text[-1].lower(), 1)
            tokens.append(_Token("number", int(text.rstrip("KMGkmg")) * unit, line))
        elif kind != "space":
            tokens.append(_Token(kind, text, line))
        line += text.count("\n")
        position = found.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[_Token]):
        self.tokens = tokens
        self.at = 0
        self.comment = ""

    def peek(self) -> _Token | None:
        while self.at < len(self.tokens) and self.tokens[self.at].kind == "comment":
            self.comment = str(self.tokens[self.at].value)
            self.at += 1
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self, value: str | None = None) -> _Token:
        token = self.peek()
        if token is None:
            _fail(self.tokens[-1].line if self.tokens else 1, _("the script ends too early."))
        if value is not None and token.value != value:
            _fail(token.line, _("“%(want)s” was expected here.") % {"want": value})
        self.at += 1
        return token

    def commands(self, *, inside: bool) -> list[_Node]:
        found = []
        while (token := self.peek()) is not None and not (inside and token.value == "}"):
            found.append(self.command())
        return found

    def command(self) -> _Node:
        self.peek()
        comment, self.comment = self.comment, ""
        token = self.take()
        if token.kind != "word":
            _fail(token.line, _("a command was expected here."))
        node = self.arguments(_Node(str(token.value).lower(), token.line, comment=comment))
        end = self.take()
        if end.value == "{":
            node.block = self.commands(inside=True)
            self.take("}")
        elif end.value != ";":
            _fail(end.line, _("“;” was expected here."))
        return node

    def arguments(self, node: _Node) -> _Node:
        while (token := self.peek()) is not None:
            if token.kind in ("string", "number", "tag"):
                self.at += 1
                node.args.append(token.value)
            elif token.value == "[":
                self.at += 1
                items = [self.take().value]
                while self.peek() is not None and self.peek().value == ",":
                    self.at += 1
                    items.append(self.take().value)
                self.take("]")
                node.args.append(items)
            elif token.value == "(":
                self.at += 1
                node.tests.append(self.test())
                while self.peek() is not None and self.peek().value == ",":
                    self.at += 1
                    node.tests.append(self.test())
                self.take(")")
            elif token.kind == "word":
                node.tests.append(self.test())
            else:
                break
        return node

    def test(self) -> _Node:
        token = self.take()
        if token.kind != "word":
            _fail(token.line, _("a test was expected here."))
        return self.arguments(_Node(str(token.value).lower(), token.line))


def _as_list(value) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _field_of(headers: list[str], line: int) -> str:
    names = sorted(h.lower() for h in headers)
    if names in (["cc", "to"], ["to"], ["cc"]):
        return "to_cc"
    by_header = {h: f for f, h in _HEADERS.items()}
    if len(names) == 1 and names[0] in by_header:
        return by_header[names[0]]
    _fail(
        line,
        _("only From, To, Cc, Subject and List-Id can be tested (not %(h)s).")
        % {"h": ", ".join(headers)},
    )


def _conditions(test: _Node, *, negated: bool = False) -> list[dict]:
    """One test to conditions (several when it lists several values: then any of them)."""
    if test.name == "not":
        if negated or len(test.tests) != 1:
            _fail(test.line, _("“not” is only understood in front of one test."))
        return _conditions(test.tests[0], negated=True)
    tags = [a for a in test.args if isinstance(a, str) and a.startswith(":")]
    values = [a for a in test.args if not (isinstance(a, str) and a.startswith(":"))]
    match = next((t[1:].lower() for t in tags if t.lower() in _MATCH_TAGS.values()), "is")
    if ":comparator" in [t.lower() for t in tags]:
        values = values[1:]  # the comparator's name; i;ascii-casemap is what we do anyway
    if test.name == "size" and not negated and len(values) == 1:
        op = "over" if ":over" in tags else "under"
        return [{"field": "size", "op": op, "value": str(max(1, int(values[0]) // 1024))}]
    exists_list = values and [v.lower() for v in _as_list(values[0])] == ["list-id"]
    if test.name == "exists" and not negated and exists_list:
        return [{"field": "list_id", "op": "matches", "value": "*"}]
    if test.name in ("header", "address", "body") and values:
        keys = _as_list(values[-1])
        if test.name == "body":
            name = "body"
        else:
            if len(values) != 2:
                _fail(test.line, _("this test needs a header name and a value."))
            headers = [h.lower() for h in _as_list(values[0])]
            if headers == ["content-type"] and keys == ["multipart/mixed"]:
                return [{"field": "attachment", "op": "absent" if negated else "present"}]
            name = _field_of(headers, test.line)
        if negated and match != "contains":
            _fail(test.line, _("“not” is only understood with :contains."))
        op = "not_contains" if negated else match
        return [{"field": name, "op": op, "value": key} for key in keys]
    _fail(test.line, _("the test “%(name)s” is not supported.") % {"name": test.name})


def _actions(block: list[_Node]) -> tuple[list[dict], bool]:
    actions, stop = [], False
    flags = {rules.SEEN: "mark_read", rules.FLAGGED: "flag"}
    for command in block:
        strings = [a for a in command.args if not (isinstance(a, str) and a.startswith(":"))]
        copy = ":copy" in command.args
        if command.name == "stop":
            stop = True
        elif command.name == "keep":
            continue  # what happens anyway unless a rule moves the message
        elif command.name == "fileinto" and len(strings) == 1:
            try:
                folder = check_folder(str(strings[0]))
            except InvalidRequest:
                _fail(command.line, _("this folder name is not valid."))
            actions.append({"type": "copy" if copy else "move", "value": folder})
        elif command.name == "redirect" and len(strings) == 1:
            actions.append({"type": "forward" if copy else "redirect", "value": strings[0]})
        elif command.name in ("addflag", "setflag") and len(strings) == 1:
            for flag in " ".join(_as_list(strings[0])).split():
                if flag in flags:
                    actions.append({"type": flags[flag]})
                elif flag.lower() in rules.LABELS:
                    actions.append({"type": "label", "value": flag.lower()})
                else:
                    _fail(command.line, _("the flag “%(flag)s” is not supported.") % {"flag": flag})
        else:
            _fail(
                command.line, _("the action “%(name)s” is not supported.") % {"name": command.name}
            )
    return actions, stop


@dataclass
class ImportedRule:
    name: str
    match: str
    conditions: list[dict]
    actions: list[dict]
    stop: bool
    enabled: bool


def _rule_from_if(node: _Node) -> ImportedRule:
    if len(node.tests) != 1 or node.block is None:
        _fail(node.line, _("“if” needs one test and a block { … }."))
    test, enabled = node.tests[0], True
    if test.name == "allof" and test.tests and test.tests[0].name == "false":
        enabled, rest = False, test.tests[1:]
        test = rest[0] if len(rest) == 1 else _Node("allof", test.line, tests=rest)
    elif test.name == "false":
        enabled, test = False, _Node("true", test.line)
    if test.name == "true":
        match, conditions = "all", []
    elif test.name in ("allof", "anyof"):
        match = "all" if test.name == "allof" else "any"
        conditions = []
        for inner in test.tests:
            found = _conditions(inner)
            if len(found) > 1 and match == "all":
                _fail(inner.line, _("a list of values inside “allof” is not supported."))
            conditions += found
    else:
        conditions = _conditions(test)
        match = "any" if len(conditions) > 1 else "all"
    actions, stop = _actions(node.block)
    name = node.comment.partition("rule:[")[2].rpartition("]")[0].strip()
    if not actions:
        _fail(node.line, _("this rule does nothing we know how to do."))
    return ImportedRule(
        name or rules.default_name(conditions), match, conditions, actions, stop, enabled
    )


def import_rules(source: str) -> list[ImportedRule]:
    """Rules in script order; raises SieveError at the first thing it cannot take."""
    found: list[ImportedRule] = []
    loose: list[_Node] = []  # actions outside any «if»: a rule for every message
    for node in _Parser(_tokens(source)).commands(inside=False):
        if node.name == "require":
            continue
        if node.name == "if":
            found.append(_rule_from_if(node))
        elif node.name in ("elsif", "else"):
            _fail(node.line, _("“elsif” and “else” are not supported: write separate rules."))
        else:
            loose.append(node)
    if loose:
        actions, stop = _actions(loose)
        if actions:
            found.append(ImportedRule(str(_("Every message")), "all", [], actions, stop, True))
    for rule in found:
        try:
            rule.conditions = [rules.clean_condition(c) for c in rule.conditions]
            rule.actions = [rules.clean_action(a) for a in rule.actions]
        except rules.InvalidRule as exc:
            raise SieveError(
                _("Rule “%(name)s”: %(problem)s") % {"name": rule.name, "problem": exc}
            ) from None
    return found
