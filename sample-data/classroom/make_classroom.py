#!/usr/bin/env python3
"""Writes the recscope classroom dataset (ratings.csv, movies.csv) beside this script.

Forty invented viewers rate thirty invented films. The films fall into three families
(space adventures, romantic dramas, animated comedies) and the viewers into four taste
groups, so that neighbours found by collaborative filtering share a taste and their
ratings predict each other's. Run with any Python 3: the seed is fixed, the output is
the committed files.
"""

import csv
import os
import random

SEED = 20240611
HERE = os.path.dirname(os.path.abspath(__file__))

FAMILIES = {
    "space": [
        ("Orbit of Ashes (2019)", "Sci-Fi|Action"),
        ("The Last Beacon (2015)", "Sci-Fi|Thriller"),
        ("Gravity Well (2021)", "Sci-Fi|Adventure"),
        ("Iron Comet (2012)", "Action|Sci-Fi"),
        ("Red Sun Protocol (2018)", "Sci-Fi|Action|Thriller"),
        ("Hull Breach (2016)", "Sci-Fi|Horror"),
        ("Starlane Couriers (2020)", "Adventure|Sci-Fi"),
        ("Moonrise Directive (2014)", "Action|Sci-Fi"),
        ("The Quiet Nebula (2022)", "Sci-Fi|Drama"),
        ("Signal from Tethys (2017)", "Sci-Fi|Mystery"),
    ],
    "romance": [
        ("Letters to Lisbon (2013)", "Romance|Drama"),
        ("The Summer Orchard (2016)", "Drama|Romance"),
        ("Rain on Rue Clément (2011)", "Romance|Drama"),
        ("A Quiet Harbour (2019)", "Drama"),
        ("Two Tickets North (2015)", "Romance|Comedy"),
        ("The Piano Teacher's Daughter (2012)", "Drama|Romance"),
        ("Lighthouse, The (2018)", "Drama|Romance"),
        ("Autumn in Kyoto (2020)", "Romance|Drama"),
        ("Second Spring (2014)", "Drama"),
        ("Café Évora (2021)", "Romance|Drama"),
    ],
    "family": [
        ("Pip and the Paper Dragon (2016)", "Animation|Children|Comedy"),
        ("The Brave Little Tugboat (2013)", "Animation|Children|Adventure"),
        ("Moss Goes to Market (2019)", "Animation|Comedy"),
        ("Robot Picnic (2021)", "Animation|Children|Sci-Fi"),
        ("The Sock Thieves (2015)", "Animation|Comedy"),
        ("Captain Whiskers (2012)", "Animation|Children|Adventure"),
        ("Snow Day Detectives (2018)", "Children|Comedy|Mystery"),
        ("The Giant's Garden (2014)", "Animation|Fantasy"),
        ("Balloon Town (2020)", "Animation|Children"),
        ("Otter Island (2017)", "Animation|Adventure|Comedy"),
    ],
}

# How much each taste group likes each family, on the 1-5 scale.
GROUPS = [
    ("space fans", {"space": 4.6, "romance": 1.8, "family": 3.0}),
    ("romance fans", {"space": 1.8, "romance": 4.6, "family": 3.0}),
    ("family viewers", {"space": 2.6, "romance": 2.8, "family": 4.6}),
    ("space and animation fans", {"space": 4.4, "romance": 1.6, "family": 4.3}),
]
USERS_PER_GROUP = 10
SHARE_RATED = 0.4
NOISE = 0.55
FIRST_TIMESTAMP = 1_700_000_000


def main():
    rng = random.Random(SEED)
    movies = []
    for family, films in FAMILIES.items():
        for title, genres in films:
            quality = rng.choice([-0.3, 0.0, 0.0, 0.3])
            movies.append((len(movies) + 1, title, genres, family, quality))

    with open(os.path.join(HERE, "movies.csv"), "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["movieId", "title", "genres"])
        for movie_id, title, genres, _, _ in movies:
            writer.writerow([movie_id, title, genres])

    rows = []
    timestamp = FIRST_TIMESTAMP
    for group_index, (_, taste) in enumerate(GROUPS):
        for member in range(USERS_PER_GROUP):
            user_id = group_index * USERS_PER_GROUP + member + 1
            rated = [m for m in movies if rng.random() < SHARE_RATED]
            rng.shuffle(rated)
            for movie_id, _, _, family, quality in rated:
                score = taste[family] + quality + rng.gauss(0.0, NOISE)
                rating = min(5, max(1, round(score)))
                timestamp += rng.randint(60, 3600)
                rows.append((user_id, movie_id, rating, timestamp))

    with open(os.path.join(HERE, "ratings.csv"), "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["userId", "movieId", "rating", "timestamp"])
        writer.writerows(rows)


if __name__ == "__main__":
    main()
