import numpy as np
import pytest

from tabadul.names.packed import PackedForms


@pytest.fixture
def packed():
    store = PackedForms()
    for forms in (["MHMD"], ["KLD", "XLD"], [""], ["SBT", "TBT", "ZBT"], ["NR"]):
        store.append(forms)
    return store


def test_forms_come_back_in_the_order_asked_with_their_counts(packed):
    forms, counts = packed.forms(np.array([3, 0, 2, 1]))
    assert forms == ["SBT", "TBT", "ZBT", "MHMD", "", "KLD", "XLD"]
    assert counts.tolist() == [3, 1, 1, 2]
    assert len(packed) == 5


def test_first_forms_are_joined_pairwise(packed):
    joined = packed.joined(np.array([4, 1, 2]), np.array([1, 4, 0]))
    assert joined == ["NRKLD", "KLDNR", "MHMD"]


def test_nothing_asked_nothing_given(packed):
    assert packed.forms(np.array([], dtype=np.int64))[0] == []
    assert packed.joined(np.array([], dtype=np.int64), np.array([], dtype=np.int64)) == []


@pytest.mark.parametrize("forms", [["ب"], ["A B"], []])
def test_forms_that_would_not_come_back_as_given_are_refused(forms):
    store = PackedForms()
    with pytest.raises(ValueError, match="ASCII, without spaces"):
        store.append(forms)
    assert len(store) == 0
