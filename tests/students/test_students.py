from tests.conftest import login


def test_school_counsellor_sees_own_student_in_list(client, world):
    from app.models import Role

    login(client, world.user(Role.COUNSELLOR))
    response = client.get("/students/")
    assert response.status_code == 200
    assert world.a.student.last_name in response.text
    assert world.b.student.last_name not in response.text
