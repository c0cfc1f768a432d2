"""The weighted distance between consonant skeletons, one pair at a time and in bulk."""

from tabadul.names.distance import similarity_table, skeleton_similarity

# Fine skeletons: Tarik, Othman written with s, Othman with th, Ramazan,
# Ajali (Spanish j for ح), and nothing at all.
SKELETONS = ["TRK", "SMN", "TMN", "RMZN", "JL", "HL", ""]


def test_similarity_table_agrees_with_the_weighted_distance():
    queries = ["TMN", "HL", "RMDN", ""]
    table = similarity_table(queries, SKELETONS)
    for q, query in enumerate(queries):
        for s, other in enumerate(SKELETONS):
            assert abs(table[q, s] - skeleton_similarity(query, other)) < 1e-6


def test_a_confusable_letter_costs_less_than_another_letter():
    table = similarity_table(["TMN"], ["SMN", "KMN"])
    assert table[0, 0] > table[0, 1]


def test_a_strict_arabic_letter_allows_only_its_own_confusions():
    from tabadul.names.comparable import skeleton, strict

    # ص and ث are both class S / T confusable; ص itself is only ever s.
    assert strict("صيراز").upper() == skeleton("صيراز") == "SRZ"
    assert strict("عثمان") == skeleton("عثمان")  # ث keeps its class's confusions
    assert skeleton_similarity("sRz", "TRZ") < skeleton_similarity("SRZ", "TRZ")
    assert skeleton_similarity("sRz", "SRZ") == 1.0


def test_romanise_writes_every_arabic_consonant():
    from tabadul.names.comparable import romanise

    assert romanise("محمد") == "mhmd"
