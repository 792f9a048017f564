from seal_server.iran.places import city_in_province, province_by_code, provinces


def test_all_31_provinces_with_their_capitals():
    rows = provinces()
    assert len(rows) == 31
    assert len({code for code, *_ in rows}) == 31
    capitals = {"THR": "تهران", "ESF": "اصفهان", "FAR": "شیراز", "KHR": "مشهد", "AZE": "تبریز", "ALB": "کرج"}
    for code, capital in capitals.items():
        assert city_in_province(code, capital)
    assert all(len(cities) >= 5 and len(set(cities)) == len(cities) for *_, cities in rows)


def test_mismatches():
    assert not city_in_province("THR", "شیراز")
    assert not city_in_province("XXX", "تهران")
    assert province_by_code("QOM")[2] == "Qom"
