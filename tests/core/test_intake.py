"""Uploads within bounds: limits worded once, archives counted as they unpack, one rule for imported text."""

import io

import pytest

from pegasus.core import bounds, intake
from pegasus.core.exceptions import OutOfBounds
from tests import hostile_files

LIMIT = intake.UploadLimit(max_bytes=1 * intake.MB, max_unpacked_bytes=10 * intake.MB, max_members=5)


class TestLimits:
    def test_the_hint_and_the_errors_name_the_same_sizes(self):
        assert LIMIT.hint == "smaller than 1 MB, and no more than 10 MB unpacked"
        assert LIMIT.too_large == "The file is larger than 1 MB: split it into smaller files."
        assert LIMIT.unpacks_too_large == (
            "The file unpacks to more than 10 MB (its unpacked size): split it into smaller files."
        )

    def test_a_file_that_is_never_unpacked_has_one_limit(self):
        assert intake.UploadLimit(max_bytes=intake.MB, max_unpacked_bytes=intake.MB).hint == "smaller than 1 MB"

    def test_a_file_over_its_size_is_refused(self):
        intake.check_size(intake.MB, LIMIT)
        with pytest.raises(intake.UploadRefused, match="larger than 1 MB"):
            intake.check_size(intake.MB + 1, LIMIT)


class TestArchives:
    def test_members_within_the_limit_are_read_whole(self):
        data = hostile_files.bomb({"a.json": 3 * intake.MB, "b.json": 3 * intake.MB})
        assert [(i.filename, len(d)) for i, d in intake.archive_members(io.BytesIO(data), LIMIT)] == [
            ("a.json", 3 * intake.MB),
            ("b.json", 3 * intake.MB),
        ]

    def test_members_only_wanted_are_counted(self):
        data = hostile_files.bomb({"a.json": intake.MB, "padding.bin": 20 * intake.MB})
        wanted = list(intake.archive_members(io.BytesIO(data), LIMIT, wanted=lambda i: i.filename.endswith(".json")))
        assert [i.filename for i, _ in wanted] == ["a.json"]

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (hostile_files.bomb({"a.json": 11 * intake.MB}), LIMIT.unpacks_too_large),
            (hostile_files.many_members(6), LIMIT.too_many_members),
            (hostile_files.lying(hostile_files.bomb({"a.json": 50 * intake.MB}), declared=10), intake.NOT_AN_ARCHIVE),
            (b"PK\x03\x04 not really", intake.NOT_AN_ARCHIVE),
        ],
        ids=["unpacks-too-large", "too-many-members", "declares-less-than-it-holds", "damaged"],
    )
    def test_hostile_archives_are_refused(self, data, message):
        with pytest.raises(intake.UploadRefused) as caught:
            intake.check_archive(io.BytesIO(data), LIMIT)
        assert str(caught.value) == message


class TestImportedText:
    def test_the_rule_is_the_bounds_rule_with_line_breaks_allowed(self):
        """A character is refused in an imported cell exactly when the bounds refuse it in multi-line text."""
        for code in [*range(0x0, 0x3000), 0xFEFF, 0xFFFD]:
            char = chr(code)
            try:
                bounds.check_text(char, "cell", multiline=True)
                allowed = True
            except OutOfBounds:
                allowed = False
            assert (intake.control_character(f"a{char}b") is None) == allowed, hex(code)

    def test_a_value_is_echoed_by_a_short_prefix_on_one_line(self):
        assert intake.shown("Thamesmead\n Networks") == "'Thamesmead Networks'"
        assert intake.shown("x" * 10_000_000) == f"'{'x' * 40}…'"
        assert intake.shown(" " * 1_000 + "y") == "'…'"
