from tests.accounts.conftest import sign_in


def test_ids_beyond_64_bits_are_404_not_500(client):
    sign_in(client)
    for path in ["/panel/applications/99999999999999999999999", "/panel/applications/9223372036854775807",
                 "/panel/applications/2147483648"]:
        assert client.get(path).status_code == 404
