"""The pure parts: rule matching on parsed messages, and Sieve (RFC 5228 subset) both ways."""

from email.message import EmailMessage
from types import SimpleNamespace

import pytest
from django.utils import translation

from mail.pipeline import rules, sieve
from tests.conftest import PNG, build_message


def facts(message: EmailMessage) -> rules.MessageFacts:
    return rules.facts_from_raw(message.as_bytes())


def cond(field, op, value=""):
    return {"field": field, "op": op, "value": value}


def test_conditions_on_a_parsed_message():
    message = build_message(
        to="Équipe <profs@ac-demo.test>",
        subject="Conseil de classe 3eB",
        body="La sortie au musée est confirmée.",
    )
    message["Cc"] = "direction@ac-demo.test"
    message.add_related(PNG, "image", "png", cid="<logo@x>")  # an inline image is no attachment
    found = facts(message)
    assert not found.has_attachment
    assert rules.condition_matches(cond("from", "contains", "DURAND"), found)
    assert rules.condition_matches(cond("from", "is", "famille.durand@example.org"), found)
    assert not rules.condition_matches(cond("from", "is", "durand"), found)
    assert rules.condition_matches(cond("to_cc", "is", "direction@ac-demo.test"), found)
    assert rules.condition_matches(cond("subject", "matches", "conseil*3e?"), found)
    assert not rules.condition_matches(cond("subject", "matches", "conseil*3e"), found)
    assert rules.condition_matches(cond("body", "contains", "MUSÉE"), found)
    assert rules.condition_matches(cond("body", "not_contains", "annulée"), found)
    assert not rules.condition_matches(cond("list_id", "matches", "*"), found)  # no List-Id
    assert rules.condition_matches(cond("list_id", "not_contains", "x"), found)
    assert rules.condition_matches(cond("size", "under", "100"), found)
    assert rules.condition_matches(cond("attachment", "absent"), found)

    message.add_attachment(b"%PDF", maintype="application", subtype="pdf", filename="a.pdf")
    assert rules.condition_matches(cond("attachment", "present"), facts(message))


def rule(conditions, actions, *, match="all", stop=False, enabled=True, name="R", id=1):
    return SimpleNamespace(
        id=id,
        name=name,
        match=match,
        conditions=conditions,
        actions=actions,
        stop=stop,
        enabled=enabled,
    )


def test_outcome_follows_sieve_semantics():
    found = facts(build_message(to="a@ac-demo.test", subject="Circulaire"))
    every = []
    outcome = rules.evaluate(
        [
            rule(every, [{"type": "copy", "value": "Copies"}, {"type": "mark_read"}], id=1),
            rule(every, [{"type": "label", "value": "$label1"}], enabled=False, id=2),
            rule(every, [{"type": "forward", "value": "x@y.fr"}], stop=True, id=3),
            rule(every, [{"type": "move", "value": "Jamais"}], id=4),
        ],
        found,
    )
    assert outcome.stores == ["INBOX", "Copies"] and outcome.flags == {rules.SEEN}
    assert outcome.keywords == set() and outcome.forward_to == ["x@y.fr"]
    assert outcome.matched == [1, 3]

    moved = rules.evaluate([rule(every, [{"type": "move", "value": "A"}])], found)
    assert moved.stores == ["A"]
    gone = rules.evaluate([rule(every, [{"type": "redirect", "value": "x@y.fr"}])], found)
    assert gone.stores == [] and gone.forward_to == ["x@y.fr"]
    any_of = rule(
        [cond("subject", "is", "non"), cond("subject", "contains", "circ")],
        [{"type": "flag"}],
        match="any",
    )
    assert rules.evaluate([any_of], found).flags == {rules.FLAGGED}
    any_of.match = "all"
    assert rules.evaluate([any_of], found).flags == set()


def test_invalid_conditions_and_actions_are_refused():
    with pytest.raises(rules.InvalidRule):
        rules.clean_condition(cond("size", "over", "beaucoup"))
    with pytest.raises(rules.InvalidRule):
        rules.clean_condition(cond("subject", "over", "x"))
    with pytest.raises(rules.InvalidRule):
        rules.clean_condition(cond("subject", "contains", "a\nb"))
    with pytest.raises(rules.InvalidRule):
        rules.clean_action({"type": "label", "value": "\\Deleted"})
    with pytest.raises(rules.InvalidRule):
        rules.clean_action({"type": "redirect", "value": "x@y.fr>, z@w.fr"})


EVERYTHING = [
    rule(
        [
            cond("from", "contains", 'pro"note'),
            cond("to_cc", "is", "profs@ac-demo.test"),
            cond("subject", "matches", "conseil*"),
            cond("body", "not_contains", "annul\\é"),
            cond("list_id", "contains", "cantine"),
            cond("size", "over", "500"),
            cond("attachment", "present"),
        ],
        [
            {"type": "move", "value": "Pronote/Notes"},
            {"type": "mark_read"},
            {"type": "flag"},
            {"type": "label", "value": "$label3"},
        ],
        name="Tout [essai]",
        stop=True,
    ),
    rule(
        [cond("attachment", "absent"), cond("size", "under", "20")],
        [{"type": "copy", "value": "Petits"}, {"type": "forward", "value": "a@b.fr"}],
        match="any",
        name="Petits",
        enabled=False,
    ),
    rule([], [{"type": "redirect", "value": "c@d.fr"}], name="Tout transférer", enabled=False),
]


def test_sieve_export_then_import_gives_the_same_rules():
    script = sieve.export_rules(EVERYTHING, title="Convergence")
    assert script.startswith("# Convergence\nrequire")
    assert 'header :contains "from" "pro\\"note"' in script
    assert 'if allof (false, anyof (not header :contains "content-type"' in script
    back = sieve.import_rules(script)
    assert len(back) == len(EVERYTHING)
    for original, imported in zip(EVERYTHING, back, strict=True):
        assert imported.name == original.name
        assert (imported.match, imported.stop, imported.enabled) == (
            original.match,
            original.stop,
            original.enabled,
        )
        assert imported.conditions == original.conditions
        cleaned = [rules.clean_action(a) for a in original.actions]
        assert sorted(imported.actions, key=str) == sorted(cleaned, key=str)


def test_import_a_script_written_by_another_webmail():
    script = """require ["fileinto","imap4flags","copy"];
/* Exported from elsewhere */
# rule:[Listes]
if anyof (exists "List-Id", header :comparator "i;ascii-casemap" :contains "Subject" "[liste]")
{
\tfileinto "Listes";
\tstop;
}
if address :is ["to", "cc"] ["profs@ac-demo.test", "equipe@ac-demo.test"] {
    setflag "\\\\Flagged $label4";
    keep;
}
if size :over 2M { fileinto :copy "Gros"; }
redirect :copy "moi@example.org";
"""
    found = sieve.import_rules(script)
    assert [r.name for r in found[:1]] == ["Listes"]
    assert found[0].match == "any" and found[0].stop
    assert found[0].conditions == [
        cond("list_id", "matches", "*"),
        cond("subject", "contains", "[liste]"),
    ]
    assert found[1].match == "any" and len(found[1].conditions) == 2
    assert found[1].actions == [
        {"type": "flag", "value": ""},
        {"type": "label", "value": "$label4"},
    ]
    assert found[2].conditions == [cond("size", "over", "2048")]
    assert found[3].conditions == [] and found[3].actions == [
        {"type": "forward", "value": "moi@example.org"}
    ]


@pytest.mark.parametrize(
    ("script", "french"),
    [
        ("if true {\n  discard;\n}", "Ligne 2 : l’action « discard » n’est pas prise en charge."),
        ('if header :is "x-spam" "yes" { stop; }', "Ligne 1 : seuls From, To, Cc, Subject"),
        ('if true { fileinto "A"; }\nelse { keep; }', "Ligne 2 : « elsif » et « else »"),
        ('if true { fileinto "A" }', "Ligne 1 : « ; » était attendu ici."),
        ('if true { fileinto "A";', "le script s’arrête trop tôt."),
        ('if true { addflag "\\\\Deleted"; }', "l’indicateur « \\Deleted »"),
        ('if true { redirect "pas une adresse"; }', "« pas une adresse » n’est pas une adresse"),
        ("if true { fileinto @; }", "Ligne 1 : ce texte n’est pas compris."),
    ],
)
def test_import_says_in_french_what_it_cannot_take(script, french):
    with translation.override("fr"), pytest.raises(sieve.SieveError) as refused:
        sieve.import_rules(script)
    assert french in str(refused.value)
