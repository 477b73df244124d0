import json

import pytest

from commsdesk.settings import OPTIONS, Settings


def test_defaults_then_saved_values_survive_a_reload(tmp_path):
    settings = Settings.load(tmp_path)
    assert settings.get("operator_name") == ""
    assert settings.get("thread_numbering") is True
    heard = []
    settings.on_change(lambda name, value: heard.append((name, value)))
    assert settings.set("operator_name", "Ana Ruiz (comms)") is True
    assert settings.set("operator_name", "Ana Ruiz (comms)") is False  # no change, no event
    settings.save()
    assert heard == [("operator_name", "Ana Ruiz (comms)")]
    assert Settings.load(tmp_path).get("operator_name") == "Ana Ruiz (comms)"
    assert not list(tmp_path.glob(".desk-*"))  # no temp file left behind


def test_wrong_type_is_refused(tmp_path):
    with pytest.raises(TypeError, match="last_statement_id takes int"):
        Settings.load(tmp_path).set("last_statement_id", "7")


def test_damaged_file_gives_defaults_and_is_kept_aside(tmp_path):
    (tmp_path / "desk.json").write_text("{not json", encoding="utf-8")
    settings = Settings.load(tmp_path)
    assert settings.get("operator_name") == ""
    assert (tmp_path / "desk.damaged.json").read_text(encoding="utf-8") == "{not json"


def test_values_of_the_wrong_type_in_the_file_are_ignored(tmp_path):
    (tmp_path / "desk.json").write_text(
        json.dumps({"operator_name": 42, "thread_numbering": False, "unknown": 1})
    )
    settings = Settings.load(tmp_path)
    assert settings.get("operator_name") == ""
    assert settings.get("thread_numbering") is False


def test_every_option_is_described():
    assert all(o.description and isinstance(o.default, o.type) for o in OPTIONS)
