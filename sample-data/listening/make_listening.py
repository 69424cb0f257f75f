#!/usr/bin/env python3
"""Writes the recscope listening log (events.csv, items.csv) beside this script.

Three hundred invented listeners play, skip and save two hundred and forty invented
tracks in six genres. The listeners fall into five taste groups, each fond of one or
two genres, so an implicit-feedback model (wals, bpr) should place a group's users
near its genres' tracks in the embeddings view and recommend them the group's tracks.
Run with any Python 3: the seed is fixed, the output is the committed files.
"""

import csv
import os
import random

SEED = 20261204
HERE = os.path.dirname(os.path.abspath(__file__))

GENRES = ["Synthwave", "Folk", "Jazz", "Hip-Hop", "Classical", "Metal"]
# Each taste group's favourite genres, and how many listeners it has.
GROUPS = [
    (["Synthwave"], 60),
    (["Folk", "Classical"], 60),
    (["Jazz"], 60),
    (["Hip-Hop", "Synthwave"], 60),
    (["Metal"], 60),
]
TRACKS_PER_GENRE = 40

FIRST = ["Neon", "Paper", "Silver", "Hollow", "Midnight", "Amber", "Broken", "Velvet",
         "Northern", "Glass", "Quiet", "Electric", "Wandering", "Copper", "Distant",
         "Golden", "Crimson", "Salt", "Winter", "Lucky"]
SECOND = ["Harbour", "Static", "Orchard", "Engine", "Lanterns", "Tide", "Circuit",
          "Meadow", "Avenue", "Signal", "Ashes", "Rooftops", "Compass", "Rain", "Sparrow",
          "Mirrors", "Canyon", "Satellite", "Embers", "Letters"]


def tracks(rng):
    """(track id, title, genre) for every track, titles unique."""
    names = [f"{a} {b}" for a in FIRST for b in SECOND]
    rng.shuffle(names)
    out = []
    for g, genre in enumerate(GENRES):
        for k in range(TRACKS_PER_GENRE):
            number = g * TRACKS_PER_GENRE + k + 1
            out.append((f"t{number:03d}", names.pop(), genre))
    return out


def listen(rng, user, liked, catalogue, clock):
    """The events of one listener: favourite-genre tracks played (often several times)
    and sometimes added to a playlist; a few tracks of other genres tried and skipped,
    and now and then played once."""
    events = []
    favourites = [t for t in catalogue if t[2] in liked]
    others = [t for t in catalogue if t[2] not in liked]
    for track in rng.sample(favourites, rng.randint(12, 30)):
        for _ in range(rng.choice([1, 1, 2, 3])):
            events.append((user, track[0], "play"))
        if rng.random() < 0.25:
            events.append((user, track[0], "playlist"))
    for track in rng.sample(others, rng.randint(3, 10)):
        events.append((user, track[0], "skip" if rng.random() < 0.7 else "play"))
    rng.shuffle(events)
    stamped = []
    for event in events:
        clock += rng.randint(60, 3600)
        stamped.append(event + (clock,))
    return stamped, clock


def main():
    rng = random.Random(SEED)
    catalogue = tracks(rng)
    rows = []
    clock = 1_767_225_600  # 2026-01-01 00:00 UTC
    user = 0
    for liked, size in GROUPS:
        for _ in range(size):
            user += 1
            events, clock = listen(rng, f"l{user:03d}", liked, catalogue, clock)
            rows.extend(events)
    rows.sort(key=lambda r: r[3])
    with open(os.path.join(HERE, "events.csv"), "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["user", "track", "event", "timestamp"])
        writer.writerows(rows)
    with open(os.path.join(HERE, "items.csv"), "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["track", "title", "genres"])
        writer.writerows(catalogue)


if __name__ == "__main__":
    main()
