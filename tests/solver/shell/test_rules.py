"""Each hard rule alone, paired: an instance where it binds (breaks) and a twin where it does not (holds)."""

from __future__ import annotations

from tests.solver.shell.builders import assigned, instance, plan, professional, project, role


def test_rule1_a_role_has_at_most_one_professional():
    doc = instance([project("A", [role("A/lead")])], [professional("p1"), professional("p2")])
    result = plan(doc)
    assert len(result["assignments"]) == 1  # two willing people, one role
    assert result["status"] == "optimal"


def test_rule1_a_professional_holds_one_role_per_project_breaks():
    roles = [role("A/lead", hours=8), role("A/second", hours=8)]
    result = plan(instance([project("A", roles)], [professional("p1")]))
    assert len(result["assignments"]) == 1


def test_rule1_a_professional_may_hold_roles_in_two_projects_holds():
    projects = [project("A", [role("A/lead", hours=8)]), project("B", [role("B/lead", hours=8)])]
    result = plan(instance(projects, [professional("p1")]))
    assert assigned(result) == {"A/lead": "p1", "B/lead": "p1"}


def test_rule2_qualified_breaks_and_holds():
    doc = instance([project("A", [role("A/lead")])], [professional("p1", qualified=False)])
    assert plan(doc)["assignments"] == []
    doc["professionals"][0]["qualified"] = True
    assert assigned(plan(doc)) == {"A/lead": "p1"}


def test_rule2_excluded_breaks_and_holds():
    doc = instance([project("A", [role("A/lead")], excluded=["p1"])], [professional("p1")])
    assert plan(doc)["assignments"] == []
    doc["projects"][0]["excluded"] = []
    assert assigned(plan(doc)) == {"A/lead": "p1"}


def test_rule2_skill_level_breaks_and_holds():
    doc = instance([project("A", [role("A/lead", min_level=3)])], [professional("p1", {"projectleiding": 2})])
    assert plan(doc)["assignments"] == []
    doc["professionals"][0]["skills"]["projectleiding"] = 3
    assert assigned(plan(doc)) == {"A/lead": "p1"}


def test_rule2_missing_skill_breaks():
    doc = instance([project("A", [role("A/lead", skill="jeugdzorg")])], [professional("p1")])
    assert plan(doc)["assignments"] == []


def test_rule2_travel_breaks_and_holds():
    far = professional("p1", lat=53.2, lon=6.57, max_travel_km=50)  # Groningen, ~140 km
    doc = instance([project("A", [role("A/lead")])], [far])
    assert plan(doc)["assignments"] == []
    doc["professionals"][0]["max_travel_km"] = 200
    assert assigned(plan(doc)) == {"A/lead": "p1"}


def test_rule3_weekly_capacity_breaks_when_roles_overlap():
    projects = [project("A", [role("A/lead", hours=24)]), project("B", [role("B/lead", hours=24, first=3)])]
    result = plan(instance(projects, [professional("p1", hours=40)]))
    assert len(result["assignments"]) == 1  # week 4 would need 48 h


def test_rule3_weekly_capacity_holds_when_roles_do_not_overlap():
    projects = [
        project("A", [role("A/lead", hours=24, last=1)]),
        project("B", [role("B/lead", hours=24, first=2)]),
    ]
    result = plan(instance(projects, [professional("p1", hours=40)]))
    assert assigned(result) == {"A/lead": "p1", "B/lead": "p1"}


def test_rule3_capacity_of_one_week_breaks_and_holds():
    doc = instance([project("A", [role("A/lead", hours=16)])], [professional("p1", capacity={"2027-W03": 8})])
    assert plan(doc)["assignments"] == []
    doc["professionals"][0]["capacity"] = {"2027-W03": 16, "2027-W40": 0}  # a week outside is ignored
    assert assigned(plan(doc)) == {"A/lead": "p1"}


def test_rule4_budget_breaks_and_holds():
    # 16 h x 4 weeks x 100 = 6400
    doc = instance([project("A", [role("A/lead")], budget=6399)], [professional("p1")])
    assert plan(doc)["assignments"] == []
    doc["projects"][0]["budget"] = 6400
    assert assigned(plan(doc)) == {"A/lead": "p1"}


def test_rule4_budget_over_several_roles():
    roles = [role("A/lead", hours=8), role("A/law", skill="omgevingsrecht", hours=8)]
    pros = [professional("p1"), professional("p2", {"omgevingsrecht": 1})]
    doc = instance([project("A", roles, budget=6400)], pros)  # each role costs 3200
    assert len(plan(doc)["assignments"]) == 2
    doc["projects"][0]["budget"] = 6399
    assert len(plan(doc)["assignments"]) == 1


def test_pins_are_kept_even_when_another_is_better():
    doc = instance(
        [project("A", [role("A/lead")])], [professional("p1", rate=150), professional("p2", rate=50)]
    )
    doc["weights"]["euro"] = 1
    assert assigned(plan(doc)) == {"A/lead": "p2"}
    doc["pins"] = [{"role": "A/lead", "professional": "p1"}]
    assert assigned(plan(doc)) == {"A/lead": "p1"}
