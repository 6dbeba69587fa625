from studydeck.words import count


def test_counts_say_one_and_many():
    assert count(1, "day") == "1 day" and count(0, "day") == "0 days" and count(2, "day") == "2 days"
    assert count(3, "more new card") == "3 more new cards"
    assert count(2, "match") == "2 matches" and count(2, "entry") == "2 entries" and count(2, "day") == "2 days"
    assert count(5, "person", "people") == "5 people"
