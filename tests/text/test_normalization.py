import pytest

from kerasrnn.text.normalization import check_name_normalization
from kerasrnn.text.normalization import normalize_name


def test_normalize_name():
    assert normalize_name("  Ślusàrski ") == "slusarski"
    assert normalize_name("De  la\u00a0Fontaine") == "de la fontaine"
    assert normalize_name("Müller", strip_accents=False, lowercase=False) == "Müller"
    with pytest.raises(ValueError, match="received: 3"):
        normalize_name(3)


def test_check_name_normalization_fills_the_defaults_and_names_a_bad_value():
    assert check_name_normalization(None) == {"strip_accents": True, "lowercase": True}
    assert check_name_normalization({"lowercase": False}) == {"strip_accents": True, "lowercase": False}
    with pytest.raises(ValueError, match="accepts the keys"):
        check_name_normalization({"stem": True})
    with pytest.raises(ValueError, match=r"normalization\['lowercase'\]=1"):
        check_name_normalization({"lowercase": 1})
