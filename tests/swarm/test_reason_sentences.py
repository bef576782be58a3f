"""The invitation's reasons in the iCal description, in the invitee's language."""

from swarm.services.ops.session_calendar import reason_sentences

REASONS = [
    {"code": "skill", "facts": {"request": 1, "skill": "participatie", "level": 2, "min_level": 1}},
    {"code": "availability", "facts": {"answer": "maybe"}},
    {"code": "travel", "facts": {"km": 12}},
    {"code": "turns", "facts": {"recent_invitations": 0, "window_rounds": 4, "rounds_waited": 5}},
]


def test_every_reason_reads_in_dutch_with_the_wait():
    assert reason_sentences(REASONS, {"participatie": "Participatie"}, "nl") == (
        "u heeft Participatie op niveau 2 (gevraagd: minstens 1)",
        "u gaf aan dat u op dit moment zo nodig kunt",
        "12 km van de locatie",
        "0 uitnodiging(en) in de laatste 4 rondes",
        "beschikbaar in 5 ronde(s) sinds de laatste uitnodiging",
    )


def test_a_turn_without_a_recorded_wait_reads_as_before_in_english():
    turn = {"code": "turns", "facts": {"recent_invitations": 2, "window_rounds": 4}}
    assert reason_sentences([turn], {}, "en") == ("2 invitation(s) in the last 4 rounds",)
    assert reason_sentences([{**turn, "facts": {**turn["facts"], "rounds_waited": 0}}], {}, "en") == (
        "2 invitation(s) in the last 4 rounds",
    )
