from swarm.webapp import create_app


def test_home_page_explains_the_three_roles_in_dutch_by_default():
    client = create_app({"TESTING": True}).test_client()
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="nl">' in page
