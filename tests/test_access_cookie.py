"""The sign-in cookie: an HMAC-signed token that expires with the idle time-out."""

from dashboard import auth

SECRET = b"server-secret"


def test_a_genuine_unexpired_token_reads_back():
    value = auth.token("rivera", 1_000_000, 2_000, SECRET)
    assert auth.read_token(value, SECRET, now=1_999) == ("rivera", 1_000_000)


def test_expired_forged_or_garbled_tokens_are_refused():
    value = auth.token("rivera", 1_000_000, 2_000, SECRET)
    assert auth.read_token(value, SECRET, now=2_000) is None                    # expired
    assert auth.read_token(value, b"another-secret", now=1_000) is None         # other server
    body, mac = value.split(".")
    forged = auth.token("okafor", 1_000_000, 2_000, b"guess").split(".")[0] + "." + mac
    assert auth.read_token(forged, SECRET, now=1_000) is None                   # user swapped
    for junk in (None, "", "abc", "a.b.c", body + ".", "." + mac):
        assert auth.read_token(junk, SECRET, now=1_000) is None


def test_the_secret_file_is_made_once_and_owner_only(tmp_path):
    path = tmp_path / "interlude" / "cookie.key"
    first = auth.owner_only_secret(path)
    assert auth.owner_only_secret(path) == first and len(first) == 64
    assert path.stat().st_mode & 0o777 == 0o600
