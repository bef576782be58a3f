"""Publishing asks first: a page names how many mails will go out, and only its button publishes."""

import re

from sqlmodel import func, select

from swarm.persistence.db import unit_of_work
from swarm.persistence.models import OutboxMessage
from swarm.persistence.models import Session as ScheduledSession
from tests.web.test_organizer import _organizer_with_a_solved_draft


def _counts(engine, region_id: int) -> tuple[int, set[str]]:
    with unit_of_work(engine) as session:
        mails = session.exec(select(func.count(OutboxMessage.id))).one()
        statuses = {s.status for s in session.exec(select(ScheduledSession).filter_by(region_id=region_id))}
    return mails, statuses


def test_the_confirmation_names_the_mails_and_publishes_only_when_confirmed(
    app, login_as, the_world, engine, database_url
):
    client, token = _organizer_with_a_solved_draft(app, login_as, engine, database_url)
    region_id = the_world.regions["home"].id
    review = client.get("/organizer/review").get_data(as_text=True)
    round_id = the_world.rounds["home"].id
    assert 'action="/organizer/plan/publish"' in review and "voordat er iets wordt verstuurd" in review
    before = _counts(engine, region_id)
    assert "draft" in before[1]

    page = client.get(f"/organizer/plan/publish?round={round_id}").get_data(as_text=True)
    mails = int(re.search(r"Publiceren verstuurt (\d+) mail", page).group(1))
    assert mails >= 1 and f"Publiceren en {mails} mail" in page
    assert _counts(engine, region_id) == before  # looking is not publishing

    response = client.post("/organizer/plan/publish", data={"csrf_token": token, "round_id": str(round_id)})
    assert response.status_code == 302
    after = _counts(engine, region_id)
    assert after[0] == before[0] + mails and after[1] == {"published"}

    again = client.get(f"/organizer/plan/publish?round={round_id}").get_data(as_text=True)
    refused = again.split('id="publish-refused"')[1].split("</p>")[0]  # nothing left to publish: it says why
    assert "Er is geen concept om te publiceren" in refused and "Publiceren en" not in again
